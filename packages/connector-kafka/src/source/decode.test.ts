import { createRecord, toOpenCDCJSON, updateRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '../client/types.js';
import { toRecord } from './decode.js';
import { decodePosition } from './position.js';

const msg = (value: Buffer | null, extra: Partial<ConsumedMessage> = {}): ConsumedMessage => ({
  offset: '42',
  timestamp: '1700000000123',
  key: Buffer.from('k1'),
  value,
  headers: { trace: Buffer.from('abc') },
  ...extra,
});

describe('toRecord', () => {
  it('raw: collection, createdAt in ns, headers, position', () => {
    const r = toRecord(msg(Buffer.from('hello')), 'orders', 3, 'g', 'raw');
    expect(r.operation).toBe('create');
    expect(r.metadata.getCollection()).toBe('orders');
    expect(r.metadata.get('opencdc.createdAt')).toBe('1700000000123000000');
    expect(r.metadata.get('kafka.header.trace')).toBe('abc');
    expect(Buffer.from(r.key as Uint8Array).toString()).toBe('k1');
    expect(Buffer.from(r.payload.after as Uint8Array).toString()).toBe('hello');
    expect(decodePosition(r.position)).toEqual({
      topic: 'orders',
      partition: 3,
      offset: 42,
      groupID: 'g',
    });
  });

  it('a tombstone is a delete of the key', () => {
    const r = toRecord(msg(null), 't', 0, 'g', 'json');
    expect(r.operation).toBe('delete');
    expect(r.payload.after).toBeNull();
  });

  it('json: objects become structured data, anything else stays raw', () => {
    expect(toRecord(msg(Buffer.from('{"a":1}')), 't', 0, 'g', 'json').payload.after).toEqual({
      a: 1,
    });
    expect(toRecord(msg(Buffer.from('[1]')), 't', 0, 'g', 'json').payload.after).toBeInstanceOf(
      Uint8Array,
    );
  });

  it('opencdc: unwraps operation, key, payload and metadata', () => {
    const inner = updateRecord({
      position: new Uint8Array([1]),
      metadata: { 'opencdc.collection': 'users' },
      key: { id: 7 },
      before: { id: 7, name: 'a' },
      after: { id: 7, name: 'b' },
    });
    const r = toRecord(msg(Buffer.from(toOpenCDCJSON(inner))), 'topic1', 0, 'g', 'opencdc');
    expect(r.operation).toBe('update');
    expect(r.key).toEqual({ id: 7 });
    expect(r.payload).toEqual({ before: { id: 7, name: 'a' }, after: { id: 7, name: 'b' } });
    expect(r.metadata.getCollection()).toBe('users');
    expect(r.metadata.get('kafka.topic')).toBe('topic1');
    expect(decodePosition(r.position).offset).toBe(42);
    const plain = createRecord({ position: new Uint8Array(), after: null });
    expect(
      toRecord(
        msg(Buffer.from(toOpenCDCJSON(plain))),
        't',
        0,
        'g',
        'opencdc',
      ).metadata.getCollection(),
    ).toBe('t');
    expect(toRecord(msg(Buffer.from('nope')), 't', 0, 'g', 'opencdc').operation).toBe('create');
  });
});
