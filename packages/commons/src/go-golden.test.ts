// Our encoders against Go's bytes: vectors written by tools/go-golden with the real
// conduit-commons v0.6.0 (`Record.Bytes()`, goccy/go-json). Regenerate them there; these tests
// only read the committed file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './base64.js';
import { EncodeError, MetadataValueError } from './errors.js';
import { encodeExact } from './json/encode.js';
import { fromOpenCDCJSON, toOpenCDCJSON } from './json.js';
import { Metadata } from './metadata.js';
import { fromProto, toProto } from './proto.js';
import {
  type Data,
  isOperation,
  type OpenCDCRecord,
  type StructuredData,
  type StructuredValue,
} from './record.js';

interface Spec {
  position?: string | null;
  operation: string;
  metadata?: { [k: string]: string } | null;
  key?: unknown;
  before?: unknown;
  after?: unknown;
}

interface Vector {
  name: string;
  rule: string;
  proto?: string;
  json?: string;
  spec?: Spec;
  go?: string;
  goError?: string;
  protoError?: string;
  metadata?: string;
  int?: string;
  metadataError?: string;
}

const vectors = readFileSync(new URL('./fixtures/go-golden.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Vector);

const NUMBERS: { readonly [k: string]: number } = {
  NaN: Number.NaN,
  '+Inf': Number.POSITIVE_INFINITY,
  '-Inf': Number.NEGATIVE_INFINITY,
};

// The spec's tagged values: {"$date": ms} is a Date (Go: time.Time), {"$number": "NaN"} a number.
function specValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(specValue);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as { [k: string]: unknown };
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === '$date') return new Date(o.$date as number);
  if (keys.length === 1 && keys[0] === '$number') return NUMBERS[o.$number as string];
  return Object.fromEntries(keys.map((k) => [k, specValue(o[k])]));
}

function specData(v: unknown, path: string): Data | null {
  if (v == null) return null;
  if (typeof v === 'string') return decodeBase64(v, path);
  return specValue(v) as StructuredData;
}

/** The record tools/go-golden built in Go, built the same way here. */
function buildSpec(s: Spec): OpenCDCRecord {
  if (!isOperation(s.operation)) throw new Error(`bad operation ${s.operation}`);
  return {
    position: s.position == null ? new Uint8Array(0) : decodeBase64(s.position, 'position'),
    operation: s.operation,
    // A nil map in Go is absent metadata here.
    metadata: s.metadata == null ? Metadata.absent() : new Metadata(Object.entries(s.metadata)),
    key: specData(s.key, 'key'),
    payload: { before: specData(s.before, 'before'), after: specData(s.after, 'after') },
  };
}

function inputRecord(v: Vector): OpenCDCRecord {
  if (v.proto !== undefined) return fromProto(decodeBase64(v.proto, 'proto'));
  if (v.json !== undefined) return fromOpenCDCJSON(v.json);
  if (v.spec !== undefined) return buildSpec(v.spec);
  throw new Error(`vector ${v.name} has no record`);
}

describe('Go golden vectors (conduit-commons v0.6.0 Record.Bytes)', () => {
  it('holds vectors for every rule', () => {
    const rules = new Set(vectors.map((v) => v.rule));
    expect([...rules].sort()).toEqual([
      'NaN and ±Infinity from protobuf are the strings structpb makes of them',
      'a NaN or infinite float64 built in Go cannot be written as JSON',
      'a time in structured data is written as RFC 3339 with only the fraction digits needed',
      'data shapes are written as Go writes them',
      "integer metadata is read as Go's strconv.ParseInt(v, 10, 64)",
      "metadata is null when Go's map is nil, {} when it is empty",
      'numbers are written as goccy/go-json writes a float64',
      'object keys are sorted by their written (quoted, escaped) UTF-8 bytes',
      'strings are escaped as goccy/go-json escapes them',
    ]);
  });

  for (const v of vectors.filter((x) => x.go !== undefined)) {
    describe(v.name, () => {
      it('writes Go’s bytes (fast and exact encoders)', () => {
        const record = inputRecord(v);
        expect(toOpenCDCJSON(record)).toBe(v.go);
        expect(encodeExact(record)).toBe(v.go);
      });

      it('reads Go’s bytes back and writes them unchanged', () => {
        expect(toOpenCDCJSON(fromOpenCDCJSON(v.go!))).toBe(v.go);
      });

      if (v.spec !== undefined) {
        it(
          v.protoError ? 'refuses protobuf, as Go does' : 'encodes to protobuf, as Go does',
          () => {
            const record = inputRecord(v);
            if (v.protoError) expect(() => toProto(record)).toThrow(EncodeError);
            else expect(() => toProto(record)).not.toThrow();
          },
        );
      }
    });
  }

  for (const v of vectors.filter((x) => x.goError !== undefined)) {
    it(`refuses what Go refuses: ${v.name}`, () => {
      const record = inputRecord(v);
      expect(() => toOpenCDCJSON(record)).toThrow(EncodeError);
      expect(() => encodeExact(record)).toThrow();
    });
  }

  for (const v of vectors.filter((x) => x.metadata !== undefined)) {
    it(`reads integers as Go does: ${v.name}`, () => {
      const m = new Metadata([['k', v.metadata!]]);
      if (v.metadataError !== undefined) {
        expect(() => m.getInteger('k')).toThrow(MetadataValueError);
        return;
      }
      const n = BigInt(v.int!);
      const safe = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
      expect(m.getInteger('k')).toStrictEqual(safe ? Number(n) : n);
    });
  }
});

describe('where the Go vectors leave a choice', () => {
  it('writes a lone surrogate as U+FFFD, the character Go holds after UTF-8', () => {
    const after: { [k: string]: StructuredValue } = { s: 'a\ud800b', t: '\udc00\\ud800' };
    const record: OpenCDCRecord = {
      position: new Uint8Array(0),
      operation: 'create',
      metadata: new Metadata(),
      key: null,
      payload: { before: null, after },
    };
    const json = toOpenCDCJSON(record);
    expect(json).toContain('"s":"a\ufffdb","t":"\ufffd\\\\ud800"');
    expect(encodeExact(record)).toBe(json);
  });

  it('keeps metadata absent only while it is empty', () => {
    const m = Metadata.absent();
    expect(m.isAbsent()).toBe(true);
    m.set('a', 'b');
    expect(m.isAbsent()).toBe(false);
    expect(new Metadata().isAbsent()).toBe(false);
  });

  it('compares absent and empty metadata as equal records', () => {
    expect(Metadata.absent()).toEqual(new Metadata());
  });
});
