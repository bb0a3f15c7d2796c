import { createRecord, Metadata } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { FieldReferenceError, parseReference } from './reference.js';

const enc = new TextEncoder();
const rec = () =>
  createRecord({
    position: enc.encode('p'),
    metadata: new Metadata([
      ['opencdc.collection', 'users'],
      ['foo', 'bar'],
    ]),
    key: { id: 1 },
    after: { a: { b: 2 }, 'x.y': 3, raw: 'text' },
  });

describe('parseReference', () => {
  it.each([
    ['.Position', 'p'],
    ['.Operation', 'create'],
    ['.Metadata.foo', 'bar'],
    ['.Metadata["opencdc.collection"]', 'users'],
    ['.metadata.foo', 'bar'],
    ['.Key.id', 1],
    ['.Payload.After.a.b', 2],
    ['.Payload.After["x.y"]', 3],
    ['.payload.after.a["b"]', 2],
    ['.Payload.After.missing.deep', undefined],
    ['.Payload.Before.x', undefined],
    ['.Metadata.none', undefined],
  ])('%s reads %j', (ref, want) => {
    const v = parseReference(ref).get(rec());
    expect(v instanceof Uint8Array ? new TextDecoder().decode(v) : v).toEqual(want);
  });

  it.each([
    ['Payload.After'],
    ['.Payload.Middle'],
    ['.Nope'],
    ['.Position.x'],
    ['.Metadata.a.b'],
    ['.Payload.After.'],
    ['.Payload.After["x"'],
  ])('%s is invalid', (ref) => {
    expect(() => parseReference(ref)).toThrow(FieldReferenceError);
  });

  it('writes copy on write, creating structure', () => {
    const r = rec();
    const out = parseReference('.Payload.After.a.c.d').set(r, 'new');
    expect(out.payload.after).toEqual({ a: { b: 2, c: { d: 'new' } }, 'x.y': 3, raw: 'text' });
    expect(r.payload.after).toEqual({ a: { b: 2 }, 'x.y': 3, raw: 'text' });
    expect(out.key).toBe(r.key);
    const fromNull = parseReference('.Payload.Before.z').set(r, 1);
    expect(fromNull.payload.before).toEqual({ z: 1 });
  });

  it('deletes and renames in place, keeping order', () => {
    const r = rec();
    expect(Object.keys(parseReference('.Payload.After.a').rename(r, 'A').payload.after!)).toEqual([
      'A',
      'x.y',
      'raw',
    ]);
    expect(parseReference('.Payload.After.a.b').delete(r).payload.after).toEqual({
      a: {},
      'x.y': 3,
      raw: 'text',
    });
    const m = parseReference('.Metadata.foo').rename(r, 'baz').metadata;
    expect([...m.keys()]).toEqual(['opencdc.collection', 'baz']);
    expect(r.metadata.get('foo')).toBe('bar');
    expect(() => parseReference('.Payload.After.a').rename(r, 'raw')).toThrow(/exists/);
  });

  it('refuses raw data, the position and bad operations', () => {
    const raw = { ...rec(), payload: { before: null, after: enc.encode('{}') } };
    expect(() => parseReference('.Payload.After.a').set(raw, 1)).toThrow(/structured data/);
    expect(() => parseReference('.Position').set(rec(), 'x')).toThrow(/immutable/);
    expect(() => parseReference('.Operation').set(rec(), 'upsert')).toThrow(/not create/);
    expect(parseReference('.Operation').set(rec(), 'delete').operation).toBe('delete');
    expect(parseReference('.Payload').delete(rec()).payload).toEqual({ before: null, after: null });
    expect(parseReference('.Payload.After').set(rec(), 'raw').payload.after).toEqual(
      enc.encode('raw'),
    );
  });
});
