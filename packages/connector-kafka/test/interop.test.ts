import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRecord } from '@opencdc-ts/commons';
import { KAFKA_VERSIONS, kafkaLibsDir } from '@opencdc-ts/testing';
import { describe, expect, inject, it } from 'vitest';
import { createTopics, destination, readN, source, unique } from './helpers.js';

const exec = promisify(execFile);

/** Kafka's Java tools (kafka-tools, fetched with Maven beside the broker jars, once). */
async function javaClasspath(): Promise<string> {
  const version = KAFKA_VERSIONS.v4;
  const dir = join(kafkaLibsDir(version), '..', 'tools');
  if (!existsSync(dir) || !readdirSync(dir).some((f) => f.startsWith('kafka-tools-'))) {
    mkdirSync(dir, { recursive: true });
    await exec('mvn', [
      '-q',
      'dependency:copy',
      `-Dartifact=org.apache.kafka:kafka-tools:${version}`,
      `-DoutputDirectory=${dir}`,
    ]);
  }
  return `${kafkaLibsDir(version)}/*:${dir}/*`;
}

// Java producers often compress with snappy or lz4: kafkajs alone cannot read those batches.
describe('compression interop with the Java client (Kafka 4.x)', () => {
  it.each(['snappy', 'lz4'])('reads batches a Java producer compressed with %s', async (codec) => {
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
  });

  it('writes snappy batches the Java consumer reads', async () => {
    const brokers = inject('kafkaBrokers');
    const topic = unique('snappy-out');
    await createTopics(brokers, [topic]);
    const d = destination({
      servers: brokers.join(','),
      topic,
      compression: 'snappy',
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
