import { createRecord } from '@opencdc-ts/commons';
import { decompress as zstdDecompress } from 'fzstd';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import lz4 from 'lz4js';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { consumeAll, createTopics, destination, readN, source, unique } from './helpers.js';

// The test's own kafkajs (not the connector's private copy) reads what the destination wrote,
// with decoders registered here; each counts its calls, which proves the batches on the broker
// carry that codec (the broker keeps the producer's compression).
const decoded = { snappy: 0, lz4: 0, zstd: 0 };
beforeAll(() => {
  const codecs = CompressionCodecs as unknown as { [type: number]: () => unknown };
  const snappy = SnappyCodec() as { decompress(b: Buffer): Promise<Buffer> };
  const counting =
    (name: keyof typeof decoded, f: (b: Buffer) => Promise<Buffer> | Buffer) => () => ({
      compress: async () => {
        throw new Error('the test only reads');
      },
      decompress: async (b: Buffer) => {
        decoded[name]++;
        return f(b);
      },
    });
  codecs[CompressionTypes.Snappy] = counting('snappy', (b) => snappy.decompress(b));
  codecs[CompressionTypes.LZ4] = counting('lz4', (b) => Buffer.from(lz4.decompress(b)));
  codecs[CompressionTypes.ZSTD] = counting('zstd', (b) => Buffer.from(zstdDecompress(b)));
});

describe('kafka destination compression (Kafka 4.x)', () => {
  it('writes snappy by default, as Conduit does', () => {
    const d = destination({ servers: inject('kafkaBrokers').join(',') });
    expect(d).toBeDefined();
  });

  it.each(['snappy', 'lz4', 'zstd'] as const)(
    'writes %s batches that kafkajs and the source read back',
    async (codec) => {
      const brokers = inject('kafkaBrokers');
      const topic = unique(`cmp-${codec}`);
      await createTopics(brokers, [topic]);
      const d = destination({ servers: brokers.join(','), topic, compression: codec });
      await d.open();
      const records = Array.from({ length: 200 }, (_, i) =>
        createRecord({
          position: new TextEncoder().encode(String(i)),
          key: { id: i },
          after: { id: i, text: 'compressible '.repeat(20) },
        }),
      );
      try {
        await d.write(records);
      } finally {
        await d.teardown();
      }
      const before = decoded[codec];
      const got = await consumeAll(brokers, [topic], 200);
      expect(decoded[codec]).toBeGreaterThan(before);
      expect(got.map((m) => JSON.parse(m.value!).payload.after.id).sort((a, b) => a - b)).toEqual(
        records.map((_, i) => i),
      );
      const s = source({
        servers: brokers.join(','),
        topics: topic,
        readFromBeginning: 'true',
        valueFormat: 'opencdc',
      });
      await s.open(undefined);
      try {
        const back = await readN(s, 200);
        expect(back.map((r) => r.payload.after)).toEqual(records.map((r) => r.payload.after));
      } finally {
        await s.teardown();
      }
    },
  );

  it('writes values in the format sdk.record.format names (debezium/json)', async () => {
    const brokers = inject('kafkaBrokers');
    const topic = unique('dbz');
    await createTopics(brokers, [topic]);
    const d = destination({
      servers: brokers.join(','),
      topic,
      'sdk.record.format': 'debezium/json',
      'sdk.record.format.options': 'debezium.schema.name=employee',
    });
    await d.open();
    try {
      await d.write([createRecord({ position: new Uint8Array(), after: { name: 'Ada' } })]);
    } finally {
      await d.teardown();
    }
    const [m] = await consumeAll(brokers, [topic], 1);
    const v = JSON.parse(m!.value!);
    expect(v.schema.name).toBe('employee');
    expect(v.payload).toMatchObject({ before: null, after: { name: 'Ada' }, op: 'c' });
  });
});
