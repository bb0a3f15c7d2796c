// Command go-golden writes golden vectors for @opencdc-ts/commons: records given as protobuf,
// as OpenCDC JSON or built in Go, and the exact bytes Go's conduit-commons writes for them
// (Record.Bytes(), which serializes with goccy/go-json). The TypeScript unit tests read the
// output (packages/commons/src/fixtures/go-golden.jsonl) and need no Go to run.
//
//	go run . > ../../packages/commons/src/fixtures/go-golden.jsonl
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/conduitio/conduit-commons/opencdc"
	opencdcv1 "github.com/conduitio/conduit-commons/proto/opencdc/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// vector is one line of the output. Exactly one of Proto, JSON, Spec and Metadata is the input.
type vector struct {
	Name string `json:"name"`
	Rule string `json:"rule"`
	// Proto is an opencdc.v1.Record in protobuf binary (standard base64), read with FromProto.
	Proto string `json:"proto,omitempty"`
	// JSON is OpenCDC JSON, read with Record.UnmarshalJSON.
	JSON string `json:"json,omitempty"`
	// Spec describes a record built in Go (see buildSpec).
	Spec json.RawMessage `json:"spec,omitempty"`
	// Go is what Record.Bytes() writes for the record.
	Go string `json:"go,omitempty"`
	// GoError is set instead of Go when Go cannot write the record as JSON (Bytes panics).
	GoError string `json:"goError,omitempty"`
	// ProtoError is Go's error converting a Spec record to protobuf (ToProto), if any.
	ProtoError string `json:"protoError,omitempty"`
	// Metadata is a metadata value read by Go's integer getters (strconv.ParseInt(v, 10, 64)).
	Metadata *string `json:"metadata,omitempty"`
	// Int is what Go reads from Metadata, in decimal; MetadataError is set when Go refuses it.
	Int           string `json:"int,omitempty"`
	MetadataError string `json:"metadataError,omitempty"`
}

var out = json.NewEncoder(os.Stdout)

func emit(v vector) {
	if !utf8.ValidString(v.Go) {
		panic(fmt.Sprintf("%s: Go wrote invalid UTF-8, which this file cannot hold", v.Name))
	}
	out.SetEscapeHTML(false)
	if err := out.Encode(v); err != nil {
		panic(err)
	}
}

// bytesOf returns Record.Bytes() or the panic it raised.
func bytesOf(r opencdc.Record) (b string, failure string) {
	defer func() {
		if p := recover(); p != nil {
			failure = fmt.Sprint(p)
		}
	}()
	return string(r.Bytes()), ""
}

// fromProto emits a vector whose input is the protobuf form of rec.
func fromProto(name, rule string, rec *opencdcv1.Record) {
	bin, err := proto.MarshalOptions{Deterministic: true}.Marshal(rec)
	if err != nil {
		panic(err)
	}
	var back opencdcv1.Record
	if err := proto.Unmarshal(bin, &back); err != nil {
		panic(err)
	}
	var r opencdc.Record
	if err := r.FromProto(&back); err != nil {
		panic(err)
	}
	v := vector{Name: name, Rule: rule, Proto: base64.StdEncoding.EncodeToString(bin)}
	v.Go, v.GoError = bytesOf(r)
	emit(v)
}

// fromJSON emits a vector whose input is OpenCDC JSON.
func fromJSON(name, rule, text string) {
	var r opencdc.Record
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	v := vector{Name: name, Rule: rule, JSON: text}
	v.Go, v.GoError = bytesOf(r)
	emit(v)
}

// fromSpec emits a vector for a record built in Go from a spec:
//
//	{"position": base64 | null, "operation": "create", "metadata": {...} | null (a nil map),
//	 "key"/"before"/"after": null | base64 string (raw data) | object (structured data)}
//
// Inside structured data, {"$date": <unix milliseconds>} is a time.Time in UTC and
// {"$number": "NaN" | "+Inf" | "-Inf"} a float64 JSON cannot write.
func fromSpec(name, rule, spec string) {
	r := buildSpec(spec)
	v := vector{Name: name, Rule: rule, Spec: json.RawMessage(spec)}
	v.Go, v.GoError = bytesOf(r)
	if err := r.ToProto(&opencdcv1.Record{}); err != nil {
		v.ProtoError = err.Error()
	}
	emit(v)
}

func buildSpec(spec string) opencdc.Record {
	var s struct {
		Position  *string            `json:"position"`
		Operation string             `json:"operation"`
		Metadata  *map[string]string `json:"metadata"`
		Key       any                `json:"key"`
		Before    any                `json:"before"`
		After     any                `json:"after"`
	}
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		panic(err)
	}
	var r opencdc.Record
	if s.Position != nil {
		r.Position = decode64(*s.Position)
	}
	if err := r.Operation.UnmarshalText([]byte(s.Operation)); err != nil {
		panic(err)
	}
	if s.Metadata != nil {
		r.Metadata = opencdc.Metadata(*s.Metadata)
		if r.Metadata == nil {
			r.Metadata = opencdc.Metadata{}
		}
	}
	r.Key = specData(s.Key)
	r.Payload.Before = specData(s.Before)
	r.Payload.After = specData(s.After)
	return r
}

func decode64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func specData(v any) opencdc.Data {
	switch d := v.(type) {
	case nil:
		return nil
	case string:
		return opencdc.RawData(decode64(d))
	case map[string]any:
		return opencdc.StructuredData(specValue(d).(map[string]any))
	default:
		panic(fmt.Sprintf("not data: %v", v))
	}
}

func specValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if ms, ok := x["$date"]; ok && len(x) == 1 {
			return time.UnixMilli(int64(ms.(float64))).UTC()
		}
		if n, ok := x["$number"]; ok && len(x) == 1 {
			f, err := strconv.ParseFloat(n.(string), 64)
			if err != nil {
				panic(err)
			}
			return f
		}
		for k, item := range x {
			x[k] = specValue(item)
		}
		return x
	case []any:
		for i, item := range x {
			x[i] = specValue(item)
		}
		return x
	default:
		return v
	}
}

// --- protobuf helpers ------------------------------------------------------------------------

func structured(fields map[string]*structpb.Value) *opencdcv1.Data {
	return &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{
		StructuredData: &structpb.Struct{Fields: fields},
	}}
}

func createWith(metadata map[string]string, after *opencdcv1.Data) *opencdcv1.Record {
	return &opencdcv1.Record{
		Position:  []byte("p"),
		Operation: opencdcv1.Operation_OPERATION_CREATE,
		Metadata:  metadata,
		Payload:   &opencdcv1.Change{After: after},
	}
}

func numbers(values []float64) *opencdcv1.Data {
	fields := map[string]*structpb.Value{}
	for i, f := range values {
		fields[fmt.Sprintf("n%04d", i)] = structpb.NewNumberValue(f)
	}
	return structured(fields)
}

func strs(values map[string]string) *opencdcv1.Data {
	fields := map[string]*structpb.Value{}
	for k, s := range values {
		fields[k] = structpb.NewStringValue(s)
	}
	return structured(fields)
}

// --- the vectors -----------------------------------------------------------------------------

func escapes() {
	const rule = "strings are escaped as goccy/go-json escapes them"
	controls := map[string]string{}
	for c := 0; c < 0x20; c++ {
		controls[fmt.Sprintf("c%02x", c)] = "a" + string(rune(c)) + "b"
	}
	fromProto("every control character", rule, createWith(nil, strs(controls)))
	fromProto("html characters, separators, DEL, quote, backslash, slash", rule, createWith(nil, strs(map[string]string{
		"lt": "<", "gt": ">", "amp": "&", "ls": "\u2028", "ps": "\u2029", "del": "\x7f",
		"quote": `"`, "backslash": `\`, "slash": "/", "html": "<a href=\"x?a=1&b=2\">",
	})))
	fromProto("non-ASCII, U+FFFD and astral characters are written as UTF-8", rule, createWith(nil, strs(map[string]string{
		"latin": "é ñ ß", "cjk": "中文", "replacement": "\ufffd", "emoji": "😀👍🏽", "bom": "\ufeff",
		"nbsp": "\u00a0", "c1": "\u0085\u009f",
	})))
	fromProto("metadata keys and values are escaped like data", rule, createWith(map[string]string{
		"a\bb": "\f<&>\u2028", "key\"quoted": "tab\there", "ü": "\x01\x1f",
	}, nil))
	fromProto("structured keys are escaped", rule, createWith(nil, strs(map[string]string{
		"\b": "backspace", "<k>": "html", "\u2028": "ls", "a\"b": "quote",
	})))
	fromJSON("a lone surrogate escape in JSON input is written as U+FFFD", rule,
		`{"position":"cA==","operation":"create","metadata":{"m":"x\ud800y"},"key":null,"payload":{"before":null,"after":{"hi":"a\ud800b","lo":"\udc00","pair":"\ud83d\ude00","rev":"\udc00\ud800"}}}`)
	fromJSON("escapes in JSON input are re-escaped Go's way", rule,
		`{"position":"cA==","operation":"create","metadata":{},"key":null,"payload":{"before":null,"after":{"s":"\b\f\n\r\t\u0000\/\u003C\u00e9\u2028"}}}`)
}

func keyOrder() {
	const rule = "object keys are sorted by their written (quoted, escaped) UTF-8 bytes"
	fromProto("keys sorted by UTF-8 bytes, astral after BMP", rule, createWith(map[string]string{
		"b": "1", "a": "2", "\uffff": "3", "😀": "4", "\ue000": "5", "Z": "6", "é": "7", "": "8",
	}, strs(map[string]string{"b": "1", "a": "2", "\uffff": "3", "😀": "4", "\ue000": "5", "Z": "6", "aa": "7", "": "8"})))

	// goccy sorts entries by the key as written: quotes and escapes included.
	escaped := map[string]string{}
	for i, k := range []string{
		"<", "=", ">", "&", "'", "a", "a!", "a ", "a#", "a\"", "\"", "#", " ", "!", "\\", "]", "\u2028",
		"\u2027", "a\u2028", "a\x00", "a\x01", "a\x1f", "\x1f", "\x7f", "é", "ab", "a<", "a=", "\ufffd",
	} {
		escaped[k] = strconv.Itoa(i)
	}
	fromProto("keys sorted as written: quotes and escapes count", rule, createWith(escaped, strs(escaped)))
}

func floats() {
	const rule = "numbers are written as goccy/go-json writes a float64"
	fromProto("negative exponents keep two digits", rule, createWith(nil, numbers([]float64{
		1e-7, 2.5e-7, -9.99e-9, 1e-8, 1e-9, 9.999999999999999e-7, -1e-7, 1.2345e-8,
	})))
	fromProto("boundaries of the exponent form", rule, createWith(nil, numbers([]float64{
		1e-6, -1e-6, 1.0000000000000002e-6, 0.000001, 0.0000012345, 1e20, 1e21, -1e21,
		999999999999999900000, 9.999999999999999e20, 1.0000000000000001e21, 123456789012345680000,
	})))
	fromProto("wide exponents", rule, createWith(nil, numbers([]float64{
		1e-10, 1e-99, 1e-100, 1.5e-300, 5e-324, 2.2250738585072014e-308, 1e22, 1e99, 1e100,
		1.7976931348623157e308, -1.7976931348623157e308, 4.9406564584124654e-324,
	})))
	fromProto("ordinary numbers, zeros and integers", rule, createWith(nil, numbers([]float64{
		0, math.Copysign(0, -1), 1, -1, 0.1, 0.2 + 0.1, 1.5, 100, 123456789.123, 9007199254740991,
		9007199254740992, 9007199254740994, 18014398509481984, 1e15, 1e16, 1e17, 3.141592653589793,
		float64(float32(1.2)), 1.0 / 3,
	})))
	rng := rand.New(rand.NewPCG(16, 2026))
	for group := 0; group < 8; group++ {
		values := make([]float64, 0, 64)
		for len(values) < 64 {
			var f float64
			if group < 4 {
				// any finite double
				f = math.Float64frombits(rng.Uint64())
			} else {
				// decimal-looking values across every decimal exponent
				exp := rng.IntN(660) - 330
				digits := rng.IntN(17) + 1
				mant := rng.Int64N(int64(math.Pow10(digits)))
				f, _ = strconv.ParseFloat(fmt.Sprintf("%de%d", mant, exp), 64)
				if rng.IntN(2) == 0 {
					f = -f
				}
			}
			if !math.IsNaN(f) && !math.IsInf(f, 0) {
				values = append(values, f)
			}
		}
		fromProto(fmt.Sprintf("random doubles %d", group), rule, createWith(nil, numbers(values)))
	}
	fromJSON("numbers read from JSON", rule,
		`{"position":"cA==","operation":"create","metadata":{},"key":null,"payload":{"before":null,"after":{"a":1E-7,"b":0.00000025,"c":-9.99e-9,"d":1e21,"e":100000000000000000000,"f":-0.0,"g":1.50,"h":[1e-7,2e300]}}}`)
}

func nonFinite() {
	const rule = "NaN and ±Infinity from protobuf are the strings structpb makes of them"
	fromProto("NaN and infinities in structured data", rule, createWith(nil, structured(map[string]*structpb.Value{
		"nan":  structpb.NewNumberValue(math.NaN()),
		"inf":  structpb.NewNumberValue(math.Inf(1)),
		"ninf": structpb.NewNumberValue(math.Inf(-1)),
		"list": structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
			structpb.NewNumberValue(math.NaN()), structpb.NewNumberValue(1),
		}}),
		"nested": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
			"x": structpb.NewNumberValue(math.Inf(-1)),
		}}),
	})))
}

func nonFiniteInGo() {
	const rule = "a NaN or infinite float64 built in Go cannot be written as JSON"
	for _, n := range []string{"NaN", "+Inf", "-Inf"} {
		fromSpec("float64 "+n+" in structured data", rule, fmt.Sprintf(
			`{"position":"cA==","operation":"create","metadata":{},"key":null,"before":null,"after":{"n":{"$number":%q}}}`, n))
	}
}

func metadataPaths() {
	const rule = "metadata is null when Go's map is nil, {} when it is empty"
	fromSpec("record built in Go with nil metadata", rule,
		`{"position":"cA==","operation":"create","metadata":null,"key":null,"before":null,"after":{"a":1}}`)
	fromSpec("record built in Go with empty metadata", rule,
		`{"position":"cA==","operation":"create","metadata":{},"key":null,"before":null,"after":{"a":1}}`)
	fromSpec("zero record built in Go", rule, `{"operation":"snapshot"}`)
	fromProto("protobuf without metadata", rule, createWith(nil, strs(map[string]string{"a": "b"})))
	fromProto("protobuf with metadata", rule, createWith(map[string]string{"k": "v"}, nil))
	fromProto("protobuf without position, key or payload", rule,
		&opencdcv1.Record{Operation: opencdcv1.Operation_OPERATION_DELETE})
	fromJSON("JSON with empty metadata", rule,
		`{"position":"cA==","operation":"update","metadata":{},"key":{"id":1},"payload":{"before":null,"after":null}}`)
	fromJSON("JSON with null metadata", rule,
		`{"position":"cA==","operation":"update","metadata":null,"key":{"id":1},"payload":{"before":null,"after":null}}`)
	fromJSON("JSON without metadata", rule,
		`{"position":"cA==","operation":"update","key":{"id":1},"payload":{"before":null,"after":null}}`)
}

func dates() {
	const rule = "a time in structured data is written as RFC 3339 with only the fraction digits needed"
	ms := func(s string) int64 {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t.UnixMilli()
	}
	for _, s := range []string{
		"2024-01-02T09:00:00Z", "2024-01-02T09:00:05.1Z", "2024-01-02T09:00:05.12Z",
		"2024-01-02T09:00:05.123Z", "2024-01-02T09:00:05.001Z", "1970-01-01T00:00:00Z",
		"1969-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
		"9999-12-31T23:59:59.999Z",
	} {
		fromSpec("time "+s, rule, fmt.Sprintf(
			`{"position":"cA==","operation":"create","metadata":{},"key":{"t":{"$date":%d}},"before":null,"after":{"list":[{"$date":%d}],"nested":{"t":{"$date":%d}}}}`,
			ms(s), ms(s), ms(s)))
	}
	// Years Go's time.Time.MarshalJSON refuses.
	for _, msValue := range []int64{253402300800000, -62167219200001} {
		fromSpec(fmt.Sprintf("time out of RFC 3339's year range (%d ms)", msValue), rule, fmt.Sprintf(
			`{"position":"cA==","operation":"create","metadata":{},"key":null,"before":null,"after":{"t":{"$date":%d}}}`,
			msValue))
	}
}

func integers() {
	const rule = "integer metadata is read as Go's strconv.ParseInt(v, 10, 64)"
	for _, s := range []string{
		"0", "42", "-42", "+42", "007", "9007199254740991", "9007199254740992", "-9007199254740993",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
		"1e3", "1.0", " 1", "1_000", "0x10", "--1", "+", "١",
	} {
		value := s
		v := vector{Name: "integer metadata " + strconv.Quote(s), Rule: rule, Metadata: &value}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			v.MetadataError = strings.TrimPrefix(err.Error(), "strconv.ParseInt: ")
		} else {
			v.Int = strconv.FormatInt(n, 10)
		}
		emit(v)
	}
}

func shapes() {
	const rule = "data shapes are written as Go writes them"
	fromProto("empty raw key, raw before, every structured value kind", rule, &opencdcv1.Record{
		Position:  []byte("pos"),
		Operation: opencdcv1.Operation_OPERATION_UPDATE,
		Metadata:  map[string]string{"opencdc.readAt": "1713950000123456789", "empty": ""},
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte{}}},
		Payload: &opencdcv1.Change{
			Before: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte{0, 0xff, 'a'}}},
			After: structured(map[string]*structpb.Value{
				"null":        structpb.NewNullValue(),
				"true":        structpb.NewBoolValue(true),
				"false":       structpb.NewBoolValue(false),
				"emptyString": structpb.NewStringValue(""),
				"emptyList":   structpb.NewListValue(&structpb.ListValue{}),
				"emptyStruct": structpb.NewStructValue(&structpb.Struct{}),
				"nested": structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
					structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewNumberValue(1)}}),
					structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
						"b": structpb.NewNumberValue(2), "a": structpb.NewNullValue(),
					}}),
				}}),
			}),
		},
	})
	fromProto("empty structured data", rule, createWith(nil, structured(nil)))
}

func main() {
	escapes()
	keyOrder()
	floats()
	nonFinite()
	nonFiniteInGo()
	metadataPaths()
	dates()
	shapes()
	integers()
}
