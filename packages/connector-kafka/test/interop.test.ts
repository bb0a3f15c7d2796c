import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRecord } from '@opencdc-ts/commons';
import { fetchKafka, KAFKA_VERSIONS } from '@opencdc-ts/testing';
import { describe, expect, inject, it } from 'vitest';
import { createTopics, destination, readN, source, unique } from './helpers.js';

const exec = promisify(execFile);

/** Kafka's Java tools (kafka-tools is fetched with the broker jars by the testing package). */
async function javaClasspath(): Promise<string> {
  const version = KAFKA_VERSIONS.v4;
  return `${await fetchKafka(version)}/*`;
}

// Java producers often compress with snappy, lz4 or zstd: kafkajs alone cannot read those batches.
describe('compression interop with the Java client (Kafka 4.x)', () => {
  it.each(['snappy', 'lz4', 'zstd'])(
    'reads batches a Java producer compressed with %s',
    async (codec) => {
      const brokers = inject('kafkaBrokers');
      const topic = unique(`java-${codec}`);
      await createTopics(brokers, [topic]);
      await exec('java', [
        '-Xmx256m',
        '-cp',
        await javaClasspath(),
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic',
        topic,
        '--num-records',
        '500',
        '--record-size',
        '200',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${brokers.join(',')}`,
        `compression.type=${codec}`,
      ]);
      const s = source({ servers: brokers.join(','), topics: topic, readFromBeginning: 'true' });
      await s.open(undefined);
      try {
        const got = await readN(s, 500);
        expect((got[0]!.payload.after as Uint8Array).length).toBe(200);
      } finally {
        await s.teardown();
      }
    },
  );

  it.each(['snappy', 'lz4', 'zstd'])('writes %s batches the Java consumer reads', async (codec) => {
    const brokers = inject('kafkaBrokers');
    const topic = unique(`${codec}-out`);
    await createTopics(brokers, [topic]);
    const d = destination({
      servers: brokers.join(','),
      topic,
      compression: codec,
      valueFormat: 'payload',
    });
    await d.open();
    await d.write(
      Array.from({ length: 300 }, (_, i) =>
        createRecord({ position: new Uint8Array(0), after: new Uint8Array(500).fill(i % 250) }),
      ),
    );
    await d.teardown();
    const { stdout } = await exec('java', [
      '-Xmx256m',
      '-cp',
      await javaClasspath(),
      'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server',
      brokers.join(','),
      '--topic',
      topic,
      '--messages',
      '300',
      '--timeout',
      '30000',
    ]);
    // CSV: start, end, MB, MB/s, messages, ...
    const row = stdout.trim().split('\n').pop()!.split(',');
    expect(Number(row[4])).toBe(300);
  });
});
