import type { StructuredValue } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import {
  arrayLiteral,
  asObject,
  base64Json,
  inferType,
  jsonTextDepth,
  MAX_NESTING,
  TooDeep,
  toJson,
  toText,
} from './values.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('record values to Postgres text', () => {
  it('decodes raw JSON objects and rejects other raw data', () => {
    expect(asObject(enc('{"id":1}'))).toEqual({ id: 1 });
    expect(asObject({ a: 1 })).toEqual({ a: 1 });
    expect(asObject(null)).toBeNull();
    expect(asObject(enc('[1]'))).toBeTypeOf('string');
    expect(asObject(enc('nope'))).toBeTypeOf('string');
  });

  it('renders scalars, bytes, json and arrays', () => {
    expect(toText(9007199254740993n, 'other', 'other')).toBe('9007199254740993');
    expect(toText(1.5, 'other', 'other')).toBe('1.5');
    expect(toText(Number.NaN, 'other', 'other')).toBe('NaN');
    expect(toText(true, 'bool', 'other')).toBe('true');
    expect(toText(new Uint8Array([0, 255]), 'bytea', 'other')).toBe('\\x00ff');
    expect(toText({ a: 1n, b: [null] }, 'json', 'other')).toBe('{"a":1,"b":[null]}');
    expect(toText('{"x":1}', 'json', 'other')).toBe('{"x":1}');
    expect(toText('plain', 'json', 'other')).toBe('"plain"');
    expect(toText([1, [2, 3]], 'array', 'other')).toBe('{"1",{"2","3"}}');
    expect(arrayLiteral(['a"b', 'c\\d', null], 'other')).toBe('{"a\\"b","c\\\\d",NULL}');
    expect(toText(null, 'other', 'other')).toBeNull();
    expect(toJson(new Uint8Array([1, 2]))).toBe('"AQI="');
  });

  it("accepts Conduit's forms where Postgres would refuse them", () => {
    expect(toText('3/2', 'numeric', 'other', 2)).toBe('1.5');
    expect(toText('1.50', 'numeric', 'other', 2)).toBe('1.50');
    expect(toText('1/3', 'numeric', 'other', 2)).toBe('0.33');
    expect(toText('3/2', 'other', 'other')).toBe('3/2'); // a text column keeps the string
    expect(toText(['3/2', null, '1'], 'array', 'numeric', 1)).toBe('{"1.5",NULL,"1"}');
    expect(toText('', 'uuid', 'other')).toBeNull();
    expect(toText('Bw==', 'bytea', 'other')).toBe('\\x07'); // []byte{7} as Go writes it
    expect(toText('AAEC/w==', 'bytea', 'other')).toBe('\\x000102ff');
    expect(toText('\\x07', 'bytea', 'other')).toBe('\\x07'); // Postgres' hex form
    expect(toText('not base64!', 'bytea', 'other')).toBe('not base64!');
    expect(toText(['', 'bd94ee0b-564f-4088-bf4e-8d5e626caf66'], 'array', 'uuid')).toBe(
      '{NULL,"bd94ee0b-564f-4088-bf4e-8d5e626caf66"}',
    );
    expect(toText('', 'other', 'other')).toBe('');
    expect(toText({ Microseconds: 14706789000, Valid: true }, 'time', 'other')).toBe(
      '04:05:06.789000',
    );
    expect(toText({ Microseconds: 1, Days: 2, Months: 3, Valid: true }, 'interval', 'other')).toBe(
      '3 months 2 days 1 microseconds',
    );
    expect(toText({ Microseconds: 1, Valid: true }, 'other', 'other')).toBe(
      '{"Microseconds":1,"Valid":true}',
    );
    // json/jsonb as Conduit keeps them: bytes, written by Go as base64.
    const text = '{"big": 12345678901234567890, "one": 1.0}';
    const b64 = Buffer.from(text).toString('base64');
    expect(toText(b64, 'json', 'other')).toBe(text);
    expect(base64Json(Buffer.from('[]').toString('base64'))).toBe('[]');
    expect(base64Json(Buffer.from('123').toString('base64'))).toBeUndefined(); // not an object
    expect(base64Json('test')).toBeUndefined(); // base64, but of binary bytes
    expect(toText('test', 'json', 'other')).toBe('"test"');
  });

  it('infers column types for autoCreate', () => {
    expect([1, 1.5, 1n, 'a', true, null, new Uint8Array(), {}, []].map(inferType)).toEqual([
      'bigint',
      'double precision',
      'numeric',
      'text',
      'boolean',
      'text',
      'bytea',
      'jsonb',
      'jsonb',
    ]);
  });
});

describe('nesting limit', () => {
  const deep = (levels: number) => {
    let v: StructuredValue = {};
    for (let i = 1; i < levels; i++) v = { a: v };
    return v;
  };
  const deepList = (levels: number) => {
    let v: StructuredValue = [];
    for (let i = 1; i < levels; i++) v = [v];
    return v;
  };

  it('renders values up to MAX_NESTING levels and refuses deeper ones without overflowing', () => {
    expect(MAX_NESTING).toBe(1000);
    expect(toJson(deep(MAX_NESTING))).toMatch(/^\{"a":\{"a":/);
    expect(() => toJson(deep(MAX_NESTING + 1))).toThrow(TooDeep);
    expect(() => toJson(deep(20_000))).toThrow('nested deeper than 1000 levels');
    expect(() => toText(deep(20_000), 'json', 'other')).toThrow(TooDeep);
    expect(() => toText(deep(20_000), 'other', 'other')).toThrow(TooDeep);
    expect(() => toText(deepList(20_000), 'array', 'other')).toThrow(TooDeep);
    expect(() => arrayLiteral([deepList(20_000)], 'other')).toThrow(TooDeep);
    // Values with bigint/bytes take the slow serializer: the same limit.
    expect(() => toJson({ n: 1n, d: deep(20_000) })).toThrow(TooDeep);
  });

  it('measures JSON text depth outside strings, refuses deep JSON text for json columns', () => {
    expect(jsonTextDepth('{"a":[1,{"b":"[[[["}]}')).toBe(3);
    expect(jsonTextDepth('"\\"')).toBe(0);
    const text = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expect(() => toText(text, 'json', 'other')).toThrow(TooDeep);
    // Into a text column it is just text.
    expect(toText(text, 'other', 'other')).toBe(text);
    const ok = `${'['.repeat(MAX_NESTING)}${']'.repeat(MAX_NESTING)}`;
    expect(toText(ok, 'json', 'other')).toBe(ok);
  });
});
