import { createRecord, deleteRecord, fromOpenCDCJSON } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { structuredJSON, toMessage } from './encode.js';

describe('toMessage', () => {
  it('structured keys are JSON with sorted keys, bigints exact', () => {
    expect(structuredJSON({ b: 1, a: 2n ** 64n, c: new Uint8Array([1]) })).toBe(
      '{"a":18446744073709551616,"b":1,"c":"AQ=="}',
    );
  });

  it('opencdc: the value is the whole record', () => {
    const r = createRecord({
      position: new Uint8Array([1]),
      metadata: { 'opencdc.collection': 'users' },
      key: { id: 1 },
      after: { id: 1, name: 'x' },
    });
    const m = toMessage(r, 'opencdc');
    expect(m.key?.toString()).toBe('{"id":1}');
    expect(fromOpenCDCJSON(m.value!)).toEqual(r);
  });

  it('payload: the value is payload.after, a delete is a tombstone, metadata in headers', () => {
    const r = createRecord({
      position: new Uint8Array([1]),
      metadata: { 'opencdc.collection': 'users' },
      key: new Uint8Array([7]),
      after: new Uint8Array([1, 2]),
    });
    const m = toMessage(r, 'payload');
    expect([...m.key!]).toEqual([7]);
    expect([...m.value!]).toEqual([1, 2]);
    expect(m.headers?.['opencdc.collection']?.toString()).toBe('users');
    const d = toMessage(deleteRecord({ position: new Uint8Array(), key: { id: 1 } }), 'payload');
    expect(d.value).toBeNull();
  });
});
