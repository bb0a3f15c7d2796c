import { describe, expect, it } from 'vitest';
import { arrayLiteral, asObject, inferType, toJson, toText } from './values.js';

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
