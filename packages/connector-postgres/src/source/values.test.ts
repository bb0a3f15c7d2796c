import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from './lsn.js';
import { cdcPosition, cdcPositionAt, cdcPositionPrefix, StateJson } from './position.js';
import { decodeInt8, parseArrayLiteral, TypeRegistry } from './values.js';

const types = new TypeRegistry();
const dec = (oid: number, t: string) => types.decoder(oid)(t);

describe('value mapping', () => {
  it('keeps int8 exact', () => {
    expect(decodeInt8('42')).toBe(42);
    expect(decodeInt8('-999999999999999')).toBe(-999999999999999);
    expect(decodeInt8('9007199254740991')).toBe(9007199254740991);
    expect(decodeInt8('9007199254740992')).toBe(9007199254740992n);
    expect(decodeInt8('-9223372036854775808')).toBe(-9223372036854775808n);
  });

  it('maps timestamps with microseconds and leaves special values alone', () => {
    expect(dec(1184, '2024-01-02 03:04:05.123456+00')).toBe('2024-01-02T03:04:05.123456Z');
    expect(dec(1184, '2024-01-02 03:04:05+00')).toBe('2024-01-02T03:04:05Z');
    expect(dec(1114, '2024-01-02 03:04:05.000001')).toBe('2024-01-02T03:04:05.000001');
    expect(dec(1184, 'infinity')).toBe('infinity');
    expect(dec(1114, '0044-03-15 00:00:00 BC')).toBe('0044-03-15 00:00:00 BC');
  });

  it('maps scalars, json, bytea and arrays', () => {
    expect(dec(1700, '1.10')).toBe('1.10');
    expect(dec(16, 't')).toBe(true);
    expect(dec(701, '0.1')).toBe(0.1);
    expect(dec(3802, '{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
    expect(dec(17, '\\x0001ff')).toEqual(new Uint8Array([0, 1, 255]));
    expect(dec(1007, '{{1,2},{3,NULL}}')).toEqual([
      [1, 2],
      [3, null],
    ]);
    expect(dec(1009, '{"a,b","q\\"x",NULL,"NULL",plain}')).toEqual([
      'a,b',
      'q"x',
      null,
      'NULL',
      'plain',
    ]);
    expect(parseArrayLiteral('[0:1]={7,8}', Number)).toEqual([7, 8]);
  });

  it('resolves enums, arrays of enums and domains through the catalog info', () => {
    const t = new TypeRegistry();
    t.set(50000, { category: 'E', elemOid: 0, name: 'mood' });
    t.set(50001, { category: 'A', elemOid: 50000, name: '_mood' });
    t.set(50002, { category: 'D', elemOid: 20, name: 'posint8' });
    expect(t.missing([23, 50000, 60000])).toEqual([60000]);
    expect(t.decoder(50000)('happy')).toBe('happy');
    expect(t.decoder(50001)('{happy,sad}')).toEqual(['happy', 'sad']);
    expect(t.decoder(50002)('12345678901234567890')).toBe(12345678901234567890n);
  });

  it('round-trips LSNs', () => {
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
    expect(parseLsn('0/10')).toBe(16n);
  });
});

describe('snapshot state JSON', () => {
  it('stays equal to a full rebuild while tables interleave', () => {
    const s = new StateJson({ a: {}, b: { d: 1 }, c: {} });
    s.set('b', { k: ['1'] });
    expect(JSON.parse(s.json('b'))).toEqual({ a: {}, b: { k: ['1'] }, c: {} });
    s.set('b', { k: ['2'] });
    expect(s.json('b')).toBe(s.json());
    s.set('a', { k: ['x'] });
    expect(s.json('a')).toBe(s.json());
    s.set('b', { d: 1 });
    s.set('c', { k: ['"q"'] });
    expect(s.json('c')).toBe(s.json());
    expect(JSON.parse(s.json('c'))).toEqual({ a: { k: ['x'] }, b: { d: 1 }, c: { k: ['"q"'] } });
  });
});

describe('CDC positions', () => {
  it('encodes the same bytes with and without the cached prefix', () => {
    for (const i of [0, 7, 12345])
      expect(cdcPositionAt(cdcPositionPrefix('1F/A0'), i)).toEqual(cdcPosition('1F/A0', i));
  });
});
