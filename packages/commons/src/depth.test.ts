import { describe, expect, it } from 'vitest';
import { findTooDeep, MAX_DEPTH, truncateDepth } from './depth.js';
import { DataError, DecodeError, EncodeError } from './errors.js';
import { fromOpenCDCJSON, toOpenCDCJSON } from './json.js';
import { fromProto, toProto } from './proto.js';
import { createRecord, type OpenCDCRecord, type StructuredData } from './record.js';
import { WireWriter } from './wire-writer.js';

/** `{ a: { a: … { a: 1 } } }` with `levels` objects (the outermost is level 1). */
function nested(levels: number): StructuredData {
  const root: StructuredData = {};
  let cur = root;
  for (let i = 1; i < levels; i++) {
    const next: StructuredData = {};
    cur.a = next;
    cur = next;
  }
  cur.a = 1;
  return root;
}

/** `[[[…[1]…]]]` with `levels` arrays, under field `list` of the data object (level 1). */
function nestedList(levels: number): StructuredData {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return { list: v } as StructuredData;
}

const record = (after: StructuredData): OpenCDCRecord =>
  createRecord({ position: new Uint8Array([1]), metadata: { x: 'y' }, after });

/** Runs `f`, returning what it threw (asserting it threw). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

/** The JSON text of a record whose payload.after is `levels` objects deep (built as text). */
function deepJSON(levels: number): string {
  const open = '{"a":'.repeat(levels - 1);
  const close = '}'.repeat(levels - 1);
  return `{"position":"AQ==","operation":"create","metadata":{},"key":null,"payload":{"before":null,"after":${open}{"a":1}${close}}}`;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/**
 * Protobuf bytes of a record whose payload.after Struct nests `levels` deep, built on the wire
 * in linear time: each level is a prefix (Struct{ fields: { "a": Value{ struct_value: … } } })
 * whose lengths depend only on the length of what follows.
 */
function deepProto(levels: number): Uint8Array {
  // Innermost: Struct{ fields: { "a": Value{ number_value: 1 } } }.
  const innermost = new WireWriter();
  const e = innermost.tag(1, 2).begin();
  innermost.tag(1, 2).string('a').tag(2, 2).bytes(new WireWriter().tag(2, 1).double(1).finish());
  innermost.end(e);
  const inner = innermost.finish();
  const headers: number[][] = [];
  let len = inner.length;
  for (let i = 1; i < levels; i++) {
    const valueHead = [0x2a, ...varint(len)]; // Value.struct_value
    const valueLen = valueHead.length + len;
    const entryHead = [0x0a, 0x01, 0x61, 0x12, ...varint(valueLen)]; // key "a", value
    const entryLen = entryHead.length + valueLen;
    const header = [0x0a, ...varint(entryLen), ...entryHead, ...valueHead]; // Struct.fields
    headers.push(header);
    len += header.length;
  }
  const struct = new Uint8Array(len);
  let at = 0;
  for (let i = headers.length - 1; i >= 0; i--) {
    struct.set(headers[i]!, at);
    at += headers[i]!.length;
  }
  struct.set(inner, at);
  const w = new WireWriter();
  w.tag(1, 2).bytes(new Uint8Array([1])); // position
  w.tag(2, 0).varint(1); // operation create
  const payload = w.tag(5, 2).begin();
  const after = w.tag(2, 2).begin(); // Change.after: Data
  w.tag(2, 2).bytes(struct); // Data.structured_data
  w.end(after);
  w.end(payload);
  return w.finish();
}

describe('nesting limit (MAX_DEPTH)', () => {
  it('is 1000 and exported', () => expect(MAX_DEPTH).toBe(1000));

  it('the hand-built protobuf is what toProto writes', () => {
    expect(fromProto(deepProto(50)).payload.after).toEqual(nested(50));
  });

  it('a value exactly MAX_DEPTH deep round-trips through JSON and protobuf', () => {
    const r = record(nested(MAX_DEPTH));
    expect(fromOpenCDCJSON(toOpenCDCJSON(r))).toEqual(r);
    expect(fromProto(toProto(r)).payload.after).toEqual(r.payload.after);
    const l = record(nestedList(MAX_DEPTH - 1)); // the data object holds the outer list
    expect(fromOpenCDCJSON(toOpenCDCJSON(l))).toEqual(l);
    expect(fromProto(toProto(l)).payload.after).toEqual(l.payload.after);
  });

  for (const levels of [MAX_DEPTH + 1, 20_000]) {
    it(`encoding a value ${levels} deep throws EncodeError naming the field, never a RangeError`, () => {
      for (const encode of [toOpenCDCJSON, toProto]) {
        const e = thrown(() => encode(record(nested(levels))));
        expect(e).toBeInstanceOf(EncodeError);
        expect(e).toBeInstanceOf(DataError);
        expect((e as EncodeError).path).toMatch(/^payload\.after\.a\.a/);
        expect((e as Error).message).toMatch(/nested more than 1000 objects\/arrays deep/);
        expect((e as Error).message.length).toBeLessThan(400);
        const l = thrown(() => encode(record(nestedList(levels))));
        expect(l).toBeInstanceOf(EncodeError);
        expect((l as EncodeError).path).toMatch(/^payload\.after\.list\[0\]\[0\]/);
      }
    });

    it(`decoding a value ${levels} deep throws DecodeError TOO_DEEP, never a RangeError`, () => {
      const j = thrown(() => fromOpenCDCJSON(deepJSON(levels)));
      expect(j).toBeInstanceOf(DecodeError);
      expect((j as DecodeError).code).toBe('TOO_DEEP');
      expect((j as DecodeError).path).toMatch(/^payload\.after\.a\.a/);
      const p = thrown(() => fromProto(deepProto(levels)));
      expect(p).toBeInstanceOf(DecodeError);
      expect((p as DecodeError).code).toBe('TOO_DEEP');
      expect((p as DecodeError).path).toMatch(/^payload\.after\.a\.a/);
    });
  }

  it('a too-deep key or payload.before is refused too; a deep ignored field with a big number does not overflow', () => {
    const key = thrown(() =>
      toOpenCDCJSON(createRecord({ position: new Uint8Array(), key: nested(5000), after: null })),
    );
    expect((key as EncodeError).path).toMatch(/^key\.a/);
    const deepExtra = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const text = `{"operation":"create","extra":${deepExtra},"payload":{"after":{"n":9007199254740993}}}`;
    const e = thrown(() => fromOpenCDCJSON(text));
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as DecodeError).code).toBe('TOO_DEEP');
    // Without a big number the ignored field is simply ignored, as before.
    const ok = `{"operation":"create","extra":${deepExtra},"payload":{"after":{"n":1}}}`;
    expect(fromOpenCDCJSON(ok).payload.after).toEqual({ n: 1 });
  });

  it('a cycle is infinitely deep: refused, not a stack overflow', () => {
    const o: StructuredData = { id: 1 };
    o.self = o;
    expect(thrown(() => toOpenCDCJSON(record(o)))).toBeInstanceOf(EncodeError);
    expect(thrown(() => toProto(record(o)))).toBeInstanceOf(EncodeError);
    expect(findTooDeep(o)).toMatch(/^\.self\.self/);
  });

  it('findTooDeep and truncateDepth', () => {
    expect(findTooDeep(nested(MAX_DEPTH))).toBeUndefined();
    expect(findTooDeep(nested(3), 2)).toBe('.a.a');
    expect(findTooDeep({ b: [1, { c: [] }] }, 2)).toBe('.b[1]');
    const small = nested(3);
    expect(truncateDepth(small, 3)).toBe(small);
    expect(truncateDepth(nested(4), 2)).toEqual({ a: { a: '(cut: nested too deep)' } });
    expect(findTooDeep(truncateDepth(nested(20_000), MAX_DEPTH))).toBeUndefined();
  });
});
