import type { StructuredValue } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import {
  arrayLiteral,
  asObject,
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
