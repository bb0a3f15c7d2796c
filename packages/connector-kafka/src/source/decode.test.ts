import { createRecord, toOpenCDCJSON, updateRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '../client/types.js';
import { PartitionDecoder, Slab, toRecord } from './decode.js';
import { decodePosition, encodePosition } from './position.js';

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

  it('a value nested 20,000 levels deep is read as raw bytes, never a stack overflow', () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const json = toRecord(msg(Buffer.from(deep)), 't', 0, 'g', 'json');
    expect(Buffer.from(json.payload.after as Uint8Array).toString()).toBe(deep);
    const record = `{"operation":"create","metadata":{},"payload":{"after":${deep}}}`;
    const r = toRecord(msg(Buffer.from(record)), 't', 0, 'g', 'opencdc');
    expect(r.operation).toBe('create');
    expect(r.metadata.getCollection()).toBe('t');
    expect(Buffer.from(r.payload.after as Uint8Array).toString()).toBe(record);
    // One level within the limit is still structured data.
    const ok = `${'{"a":'.repeat(999)}1${'}'.repeat(999)}`;
    expect(toRecord(msg(Buffer.from(ok)), 't', 0, 'g', 'json').payload.after).toBeTypeOf('object');
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

  it('decodes a partition into the same position bytes as encodePosition, with copied data', () => {
    const d = new PartitionDecoder('tö"pic', 7, 'grüp', 'raw', new Slab());
    const value = Buffer.from('abc');
    const records = [0, 9, 10, 99, 1234567, 2 ** 53 - 1].map((offset) =>
      d.decode(msg(value, { offset: String(offset), headers: undefined }), offset),
    );
    for (const [i, offset] of [0, 9, 10, 99, 1234567, 2 ** 53 - 1].entries()) {
      const r = records[i]!;
      expect(r.position).toEqual(
        encodePosition({ topic: 'tö"pic', partition: 7, offset, groupID: 'grüp' }),
      );
      expect(r.metadata.get('kafka.offset')).toBe(String(offset));
      expect(r.metadata.get('kafka.partition')).toBe('7');
    }
    value.write('xyz'); // the records hold copies, not views into the fetch response
    expect(records.map((r) => Buffer.from(r.payload.after as Uint8Array).toString())).toEqual(
      Array(6).fill('abc'),
    );
    expect([...records[0]!.metadata.keys()].some((k) => k.startsWith('kafka.header.'))).toBe(false);
  });

  it('a message without a timestamp gets no createdAt', () => {
    expect(
      toRecord(msg(null, { timestamp: '-1' }), 't', 0, 'g', 'raw').metadata.has(
        'opencdc.createdAt',
      ),
    ).toBe(false);
  });

  it('the slab gives large values their own copy', () => {
    const slab = new Slab();
    const a = slab.copy(new Uint8Array(10));
    const b = slab.copy(new Uint8Array(10));
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset).toBe(10);
    const big = slab.copy(new Uint8Array(100_000));
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(100_000);
  });
});
