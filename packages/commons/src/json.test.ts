import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from './errors.js';
import { fromOpenCDCJSON, toOpenCDCJSON } from './json.js';
import { Metadata } from './metadata.js';
import { createRecord, type OpenCDCRecord, type StructuredValue, updateRecord } from './record.js';

// Golden records written by the upstream Go encoder (copied from shared/vectors).
const vectors = readFileSync(new URL('./fixtures/opencdc-json.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as { name: string; json: string });

const bytes = (s: string) => new TextEncoder().encode(s);

describe('OpenCDC JSON golden vectors', () => {
  it('has vectors', () => expect(vectors.length).toBeGreaterThanOrEqual(3));

  for (const v of vectors) {
    it(`decodes and re-encodes byte for byte: ${v.name}`, () => {
      const record = fromOpenCDCJSON(v.json);
      expect(toOpenCDCJSON(record)).toBe(v.json);
    });
  }

  it('encodes a record built by hand like the Go encoder', () => {
    const record = updateRecord({
      position: bytes('standing'),
      metadata: { foo: 'bar' },
      key: bytes('padlock-key'),
      before: bytes('yellow'),
      after: {
        string: 'orange',
        int64: 1,
        int32: 1,
        int: 1,
        float64: 1.2,
        float32: 1.2,
        bool: true,
      },
    });
    expect(toOpenCDCJSON(record)).toBe(vectors[0]!.json);
    const decoded = fromOpenCDCJSON(vectors[0]!.json);
    expect(decoded).toEqual(record);
    expect(decoded.metadata).toBeInstanceOf(Metadata);
  });

  it('decodes the collection and timestamps of a postgres record', () => {
    const r = fromOpenCDCJSON(vectors[2]!.json);
    expect(r.metadata.getCollection()).toBe('employees');
    expect(r.metadata.getReadAt()).toBe(1713950000000000000n);
    expect(r.key).toEqual({ id: 1 });
  });
});

const after = (value: StructuredValue): OpenCDCRecord =>
  createRecord({ position: new Uint8Array(), after: { v: value } });
const afterJSON = (value: StructuredValue): string => {
  const json = toOpenCDCJSON(after(value));
  return json.slice(json.indexOf('"after":{"v":') + 13, -3);
};

describe('Go (goccy/go-json) compatibility', () => {
  it.each([
    ['<a href="x">&</a>', '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"'],
    ['line\u2028sep\u2029', '"line\\u2028sep\\u2029"'],
    ['\b\f\n\r\t\u0000\u001f\u007f', '"\\u0008\\u000c\\n\\r\\t\\u0000\\u001f\u007f"'],
    ['back\\slash \\b \\f text', '"back\\\\slash \\\\b \\\\f text"'],
    ['back\\slash \\ud800 text', '"back\\\\slash \\\\ud800 text"'],
    ['lone \ud800 surrogate \udfff', '"lone \ufffd surrogate \ufffd"'],
    ['pair 😀 é', '"pair 😀 é"'],
  ])('escapes strings like Go: %j', (input, expected) => {
    expect(afterJSON(input)).toBe(expected);
  });

  it.each([
    [1.2, '1.2'],
    [0, '0'],
    [-0, '-0'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [1.5e300, '1.5e+300'],
    [0.000001, '0.000001'],
    [1e-7, '1e-07'],
    [-9.99e-9, '-9.99e-09'],
    [-1.25e-10, '-1.25e-10'],
    [5e-324, '5e-324'],
    [123456789.125, '123456789.125'],
    [2 ** 53 + 2, '9007199254740994'],
    [12345678901234567890n, '12345678901234567890'],
    [-5n, '-5'],
  ])('formats numbers like Go: %s', (input, expected) => {
    expect(afterJSON(input)).toBe(expected);
  });

  it('sorts keys by UTF-8 bytes like Go maps', () => {
    const json = afterJSON({ b: 1, a: 2, B: 3, '\uffff': 4, '😀': 5, é: 6 });
    expect(json).toBe('{"B":3,"a":2,"b":1,"é":6,"\uffff":4,"😀":5}');
  });

  it('sorts large objects too', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `k${(i * 37) % 50}`);
    const obj = Object.fromEntries(keys.map((k) => [k, 1]));
    const written = Object.keys(JSON.parse(afterJSON(obj)) as object);
    expect(written).toEqual([...keys].sort());
    const small = Object.fromEntries(keys.slice(0, 20).map((k) => [k, 1]));
    expect(Object.keys(JSON.parse(afterJSON(small)) as object)).toEqual(keys.slice(0, 20).sort());
  });

  it('writes bytes as base64, dates as RFC 3339 and skips undefined fields', () => {
    const record = createRecord({
      position: new Uint8Array([1]),
      after: {
        bytes: new Uint8Array([0xff, 0x00]),
        when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)) as unknown as StructuredValue,
        gone: undefined as unknown as StructuredValue,
        list: [1, 'x', null, [true], {}],
      },
    });
    expect(toOpenCDCJSON(record)).toBe(
      '{"position":"AQ==","operation":"create","metadata":{},"key":null,"payload":{"before":null,' +
        '"after":{"bytes":"/wA=","list":[1,"x",null,[true],{}],"when":"2024-01-02T03:04:05.006Z"}}}',
    );
  });

  it.each([
    [Date.UTC(2024, 0, 2, 9, 0, 0, 0), '"2024-01-02T09:00:00Z"'],
    [Date.UTC(2024, 0, 2, 9, 0, 5, 100), '"2024-01-02T09:00:05.1Z"'],
    [Date.UTC(2024, 0, 2, 9, 0, 5, 120), '"2024-01-02T09:00:05.12Z"'],
    [Date.UTC(2024, 0, 2, 9, 0, 5, 1), '"2024-01-02T09:00:05.001Z"'],
    [-1, '"1969-12-31T23:59:59.999Z"'],
  ])('writes a Date as Go writes a time.Time: %s', (ms, expected) => {
    expect(afterJSON(new Date(ms) as unknown as StructuredValue)).toBe(expected);
  });

  it('refuses a Date Go cannot write (years outside 0-9999, invalid), naming the field', () => {
    for (const d of [
      new Date('+010000-01-01T00:00:00Z'),
      new Date(-62167219200001),
      new Date(Number.NaN),
    ]) {
      expect(() => toOpenCDCJSON(after({ a: [d as unknown as string] }))).toThrow(EncodeError);
      expect(() => toOpenCDCJSON(after({ a: [d as unknown as string] }))).toThrow(
        /payload\.after\.v\.a\[0\]/,
      );
    }
  });

  it('writes empty metadata as {} or, when absent (Go nil map), as null', () => {
    const record = after(1);
    expect(toOpenCDCJSON(record)).toContain('"metadata":{}');
    record.metadata = Metadata.absent();
    expect(toOpenCDCJSON(record)).toContain('"metadata":null');
    record.metadata.set('k', 'v');
    expect(toOpenCDCJSON(record)).toContain('"metadata":{"k":"v"}');
    expect(
      fromOpenCDCJSON(
        toOpenCDCJSON({ ...record, metadata: Metadata.absent() }),
      ).metadata.isAbsent(),
    ).toBe(true);
  });

  it('writes objects of one shape the same whatever their insertion order (cached shapes)', () => {
    const a = afterJSON({ z: 1, a: 'x<', m: { y: true, b: null } });
    const b = afterJSON({ m: { b: null, y: true }, a: 'x<', z: 1 });
    expect(a).toBe('{"a":"x\\u003c","m":{"b":null,"y":true},"z":1}');
    expect(b).toBe(a);
    // Key lists whose NUL-joined forms collide must not share a cached shape.
    expect(afterJSON({ a: 1, b: 2 })).toBe('{"a":1,"b":2}');
    expect(afterJSON({ 'a\u0000b': 3 })).toBe('{"a\\u0000b":3}');
    expect(afterJSON({ 'a\u0000': 1, b: 2 })).toBe('{"a\\u0000":1,"b":2}');
    expect(afterJSON({ a: 1, '\u0000b': 2 })).toBe('{"\\u0000b":2,"a":1}');
    // Many distinct shapes (objects used as maps) stay correct past the cache bound.
    for (let i = 0; i < 5000; i++) {
      expect(afterJSON({ [`k${i}`]: i, [`j${i}`]: '&' })).toBe(`{"j${i}":"\\u0026","k${i}":${i}}`);
    }
  });

  it('writes an empty position as null, like Go writes a nil Position', () => {
    const json = toOpenCDCJSON(
      createRecord({ position: new Uint8Array(0), key: new Uint8Array(0), after: null }),
    );
    expect(json).toBe(
      '{"position":null,"operation":"create","metadata":{},"key":"","payload":{"before":null,"after":null}}',
    );
    expect(fromOpenCDCJSON(json).position).toEqual(new Uint8Array(0));
    expect(fromOpenCDCJSON(json.replace('null', '""')).position).toEqual(new Uint8Array(0));
    expect(fromOpenCDCJSON(json).key).toEqual(new Uint8Array(0)); // an empty raw key is kept
  });

  it('rejects values JSON cannot hold, naming the field', () => {
    expect(() => toOpenCDCJSON(after({ a: [1, Number.NaN] }))).toThrow(
      new EncodeError('payload.after.v.a[1]', 'NaN cannot be written as JSON'),
    );
    const bad = { ...after(1), operation: 'upsert' } as unknown as OpenCDCRecord;
    expect(() => toOpenCDCJSON(bad)).toThrow(/unknown operation "upsert"/);
    const meta = after(1);
    (meta.metadata as Map<string, unknown>).set('n', 5);
    expect(() => toOpenCDCJSON(meta)).toThrow(EncodeError);
  });
});

describe('decoding', () => {
  const base = (fields: string) =>
    `{"position":"AQ==","operation":"create","metadata":{},"key":null,"payload":{"before":null,"after":null}${fields}}`;

  it('keeps integers beyond 2^53 exact as bigint', () => {
    const r = fromOpenCDCJSON(
      '{"position":"","operation":"snapshot","key":{"id":9007199254740993,"small":9007199254740991,"neg":-12345678901234567890,"f":12345678901234567.5,"s":"x:12345678901234567","g":1e300},"payload":{"after":{"a":[1,99999999999999999999]}}}',
    );
    expect(r.key).toEqual({
      id: 9007199254740993n,
      small: 9007199254740991,
      neg: -12345678901234567890n,
      f: 12345678901234568,
      s: 'x:12345678901234567',
      g: 1e300,
    });
    expect(r.payload.after).toEqual({ a: [1, 99999999999999999999n] });
  });

  it('accepts absent or null position, metadata, key and payload', () => {
    const r = fromOpenCDCJSON('{"operation":"delete","position":null,"metadata":null}');
    expect(r).toEqual({
      position: new Uint8Array(),
      operation: 'delete',
      metadata: new Metadata(),
      key: null,
      payload: { before: null, after: null },
    });
  });

  it('accepts bytes (UTF-8) as input', () => {
    expect(fromOpenCDCJSON(bytes(vectors[1]!.json)).metadata.getConduitSourcePluginName()).toBe(
      'example',
    );
  });

  const cases: [string, string, DecodeError['code'], string | RegExp][] = [
    ['malformed JSON', '{"position":', 'MALFORMED_JSON', /^not valid JSON/],
    ['malformed JSON on the lossless path', '{"a":12345678901234567,', 'MALFORMED_JSON', /JSON/],
    ['not an object', '[1,2]', 'INVALID_SHAPE', /got an array/],
    ['a big integer', '-9007199254740993', 'INVALID_SHAPE', /got number -9007199254740993$/],
    ['unknown operation', base('').replace('create', 'upsert'), 'UNKNOWN_OPERATION', /upsert/],
    ['missing operation', '{"position":"AQ=="}', 'UNKNOWN_OPERATION', /missing/],
    ['operation of the wrong type', '{"operation":1}', 'INVALID_SHAPE', /number 1/],
    ['bad base64 position', base('').replace('AQ==', 'A*=='), 'INVALID_BASE64', /A\*==/],
    ['unpadded base64', base('').replace('AQ==', 'AQ'), 'INVALID_BASE64', /padded/],
    ['bad base64 key', base(',"key":"not base64!"'), 'INVALID_BASE64', /^key:/],
    ['position of the wrong type', base(',"position":5'), 'INVALID_SHAPE', /^position:/],
    ['metadata not an object', base(',"metadata":[]'), 'INVALID_SHAPE', /^metadata:/],
    ['metadata value not a string', base(',"metadata":{"a.b":1}'), 'INVALID_SHAPE', /"a.b"/],
    ['key an array', base(',"key":[1]'), 'INVALID_SHAPE', /^key: expected a base64/],
    ['payload a string', base(',"payload":"x"'), 'INVALID_SHAPE', /^payload:/],
    ['after a number', base(',"payload":{"after":3}'), 'INVALID_SHAPE', /^payload.after:/],
  ];
  it.each(cases)('rejects %s with a typed error', (_name, text, code, message) => {
    let error: unknown;
    try {
      fromOpenCDCJSON(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe(code);
    expect((error as DecodeError).message).toMatch(message);
  });
});
