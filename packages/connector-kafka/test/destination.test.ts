import { createRecord, deleteRecord, type OpenCDCRecord, updateRecord } from '@opencdc-ts/commons';
import { type Destination, RecordError, type Source } from '@opencdc-ts/sdk';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { consumeAll, createTopics, destination, kafka, readN, source, unique } from './helpers.js';

const versions = [
  ['4.x', () => inject('kafkaBrokers')],
  ['3.9', () => inject('kafka39Brokers')],
] as const;

const rec = (collection: string, id: number, after: { [k: string]: string | number }) =>
  createRecord({
    position: new TextEncoder().encode(String(id)),
    metadata: { 'opencdc.collection': collection },
    key: { id },
    after,
  });

describe.each(versions)('kafka destination (Kafka %s)', (_name, brokersOf) => {
  const open: (Destination | Source)[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.teardown().catch(() => undefined);
  });
  const startDest = async (settings: { [k: string]: string }) => {
    const d = destination(settings);
    open.push(d);
    await d.open();
    return d;
  };

  it('routes records of five collections to five topics (default template)', async () => {
    const brokers = brokersOf();
    const p = unique('dst');
    const cols = [1, 2, 3, 4, 5].map((i) => `${p}.c${i}`);
    await createTopics(brokers, cols);
    const d = await startDest({ servers: brokers.join(',') });
    const records = Array.from({ length: 50 }, (_, i) => rec(cols[i % 5]!, i, { id: i }));
    await d.write(records);
    const got = await consumeAll(brokers, cols, 50);
    for (const [i, c] of cols.entries()) {
      const mine = got.filter((m) => m.topic === c);
      expect(mine.map((m) => m.key)).toEqual(
        Array.from({ length: 10 }, (_, j) => `{"id":${j * 5 + i}}`),
      );
      expect(JSON.parse(mine[0]!.value!).metadata['opencdc.collection']).toBe(c);
    }
  });

  it('routes by a field of the payload, creating topics explicitly', async () => {
    const brokers = brokersOf();
    const p = unique('fld');
    const d = await startDest({
      servers: brokers.join(','),
      topic: `${p}.{{ .Payload.After.region }}`,
      topicCreation: 'explicit',
      'topic.partitions': '3',
      valueFormat: 'payload',
      compression: 'gzip',
    });
    const regions = ['eu', 'us', 'ap'];
    await d.write(
      Array.from({ length: 30 }, (_, i) => rec('orders', i, { id: i, region: regions[i % 3]! })),
    );
    const admin = kafka(brokers).admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: regions.map((r) => `${p}.${r}`) });
    await admin.disconnect();
    expect(meta.topics.map((t) => t.partitions.length)).toEqual([3, 3, 3]);
    const got = await consumeAll(
      brokers,
      regions.map((r) => `${p}.${r}`),
      30,
    );
    for (const m of got) expect(m.topic).toBe(`${p}.${JSON.parse(m.value!).region}`);
  });

  it('rejects a record with an illegal topic name with its index; earlier records are written', async () => {
    const brokers = brokersOf();
    const p = unique('bad');
    await createTopics(brokers, [`${p}.ok`]);
    const d = await startDest({ servers: brokers.join(',') });
    const batch = [
      rec(`${p}.ok`, 0, { a: 1 }),
      rec(`${p}.ok`, 1, { a: 2 }),
      rec('bad topic!', 2, {}),
    ];
    const err = await d.write(batch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).index).toBe(2);
    expect((err as RecordError).message).toMatch(/bad topic!/);
    const tooLong = rec('x'.repeat(250), 0, {});
    await expect(d.write([tooLong])).rejects.toMatchObject({ name: 'RecordError', index: 0 });
    const empty = rec('', 0, {});
    await expect(d.write([empty])).rejects.toMatchObject({ name: 'RecordError', index: 0 });
    expect((await consumeAll(brokers, [`${p}.ok`], 2)).map((m) => m.key)).toEqual([
      '{"id":0}',
      '{"id":1}',
    ]);
  });

  it('fails a record larger than the broker accepts alone, with its index', async () => {
    const brokers = brokersOf();
    const t = unique('big');
    await createTopics(brokers, [t]);
    // Uncompressed: snappy (the default) would shrink the big record below the limit.
    const d = await startDest({
      servers: brokers.join(','),
      topic: t,
      valueFormat: 'payload',
      compression: 'none',
    });
    const small = (i: number) =>
      createRecord({ position: new Uint8Array(0), key: { id: i }, after: new Uint8Array(10) });
    const big = createRecord({
      position: new Uint8Array(0),
      key: { id: 2 },
      after: new Uint8Array(2 * 1024 * 1024).fill(7),
    });
    const err = await d.write([small(0), small(1), big, small(3)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).index).toBe(2);
    expect((err as RecordError).message).toMatch(/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/);
    const got = await consumeAll(brokers, [t], 2);
    expect(got.map((m) => m.key)).toEqual(['{"id":0}', '{"id":1}']);
  });

  it('replays updates and deletes through Kafka as OpenCDC records (valueFormat=opencdc)', async () => {
    const brokers = brokersOf();
    const t = unique('rt');
    await createTopics(brokers, [t]);
    const d = await startDest({ servers: brokers.join(','), topic: t });
    const original: OpenCDCRecord[] = [
      rec('users', 1, { id: 1, name: 'a' }),
      updateRecord({
        position: new Uint8Array([2]),
        metadata: { 'opencdc.collection': 'users' },
        key: { id: 1 },
        before: { id: 1, name: 'a' },
        after: { id: 1, name: 'b' },
      }),
      deleteRecord({
        position: new Uint8Array([3]),
        metadata: { 'opencdc.collection': 'users' },
        key: { id: 1 },
      }),
    ];
    await d.write(original);
    const s = source({
      servers: brokers.join(','),
      topics: t,
      readFromBeginning: 'true',
      valueFormat: 'opencdc',
    });
    open.push(s);
    await s.open(undefined);
    const back = await readN(s, 3);
    expect(back.map((r) => r.operation)).toEqual(['create', 'update', 'delete']);
    expect(back.map((r) => r.key)).toEqual([{ id: 1 }, { id: 1 }, { id: 1 }]);
    expect(back.map((r) => r.payload)).toEqual(original.map((r) => r.payload));
    expect(back.map((r) => r.metadata.getCollection())).toEqual(['users', 'users', 'users']);
  });

  it('rejects bad settings with configuration errors', () => {
    const brokers = brokersOf().join(',');
    expect(() => destination({ servers: brokers, compression: 'brotli' })).toThrow(/compression/);
    expect(() => destination({ servers: brokers, topic: 'has space' })).toThrow(/topic/);
    expect(() => destination({ servers: brokers, acks: 'two' })).toThrow(/acks/);
  });
});
