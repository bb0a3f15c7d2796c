// Produces and consumes N records of 1 KB through the connector, then runs Kafka's own
// ProducerPerformance / ConsumerPerformance with the same size, acks and compression against the
// same broker: the physical limit on this machine.
//   pnpm --filter @opencdc-ts/connector-kafka bench
// Env: BENCH_RECORDS (default 100000), BENCH_BROKERS (use running brokers instead of starting a
// dedicated Kafka 4.x), BENCH_COMPRESSION (none|gzip, default none). acks=all everywhere.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRecord } from '@opencdc-ts/commons';
import { fetchKafka, KAFKA_VERSIONS, startKafka } from '@opencdc-ts/testing';
import { Kafka, logLevel } from 'kafkajs';
import { connector } from '../dist/index.js';

const exec = promisify(execFile);
const N = Number(process.env.BENCH_RECORDS ?? 100_000);
const SIZE = 1024;
const BATCH = 10_000;
const COMPRESSION = process.env.BENCH_COMPRESSION ?? 'none';
const logger = {
  debug() {},
  info() {},
  warn: (m) => console.error('warn:', m),
  error: console.error,
};
const ctx = (id) => ({ connectorId: id, logger });
const mb = (records) => (records * SIZE) / 1024 / 1024;
const line = (what, records, ms) =>
  console.log(
    `${what.padEnd(44)} ${String(Math.round((records / ms) * 1000)).padStart(8)} records/s ${(mb(records) / (ms / 1000)).toFixed(1).padStart(7)} MB/s`,
  );

/** ProducerPerformance / ConsumerPerformance: kafka-tools is fetched with the broker jars. */
async function toolsClasspath(version) {
  return `${await fetchKafka(version)}/*`;
}

async function main() {
  const version = KAFKA_VERSIONS.v4;
  const service = process.env.BENCH_BROKERS ? undefined : await startKafka({ version, heap: '1g' });
  const brokers = process.env.BENCH_BROKERS?.split(',') ?? service.brokers;
  const servers = brokers.join(',');
  const cp = await toolsClasspath(version);
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const run = `bench-${Date.now().toString(36)}`;
  const topics = { ours: `${run}-ours`, theirs: `${run}-theirs` };
  await admin.createTopics({
    waitForLeaders: true,
    topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })),
  });
  console.log(
    `Kafka ${version} at ${servers}; ${N} records of ${SIZE} B, acks=all, compression=${COMPRESSION}, 3 partitions`,
  );

  // Destination: raw 1 KB payloads, value = payload only (so the message is exactly 1 KB).
  const value = new Uint8Array(SIZE).fill(120);
  const records = Array.from({ length: N }, (_, i) =>
    createRecord({
      position: new Uint8Array(0),
      metadata: { 'opencdc.collection': topics.ours },
      key: new TextEncoder().encode(`key-${i}`),
      after: value,
    }),
  );
  const dSide = connector.destination;
  const dest = dSide.create(
    dSide.config.parse({ servers, valueFormat: 'payload', compression: COMPRESSION }),
    ctx('bench-dest'),
  );
  await dest.open();
  let t0 = performance.now();
  for (let i = 0; i < N; i += BATCH) await dest.write(records.slice(i, i + BATCH));
  const destMs = performance.now() - t0;
  await dest.teardown();

  const jopts = ['-Xmx512m', '-cp', cp];
  const prod = await exec('java', [
    ...jopts,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topics.theirs,
    '--num-records',
    String(N),
    '--record-size',
    String(SIZE),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${servers}`,
    'acks=all',
    `compression.type=${COMPRESSION}`,
  ]);
  const pLast = prod.stdout.trim().split('\n').pop() ?? '';
  const pRate = Number(/([\d.]+) records\/sec/.exec(pLast)?.[1]);

  // Source: read everything back (raw), acking each batch as the runtime would.
  const sSide = connector.source;
  const src = sSide.create(
    sSide.config.parse({ servers, topics: topics.ours, readFromBeginning: 'true' }),
    ctx(`bench-src-${run}`),
  );
  await src.open(undefined);
  let got = 0;
  t0 = performance.now();
  while (got < N) {
    const batch = await src.read(BATCH, AbortSignal.timeout(60_000));
    got += batch.length;
    await src.ack([batch[batch.length - 1].position]);
  }
  const srcMs = performance.now() - t0;
  await src.teardown();

  const cons = await exec('java', [
    ...jopts,
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server',
    servers,
    '--topic',
    topics.ours,
    '--messages',
    String(N),
    '--timeout',
    '60000',
  ]);
  // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
  const cRow =
    cons.stdout
      .trim()
      .split('\n')
      .pop()
      ?.split(',')
      .map((s) => s.trim()) ?? [];
  const cRate = Number(cRow[5]);

  console.log('');
  line('connector destination (kafkajs, idempotent)', N, destMs);
  console.log(
    `${'Kafka ProducerPerformance'.padEnd(44)} ${String(Math.round(pRate)).padStart(8)} records/s ${((pRate * SIZE) / 1024 / 1024).toFixed(1).padStart(7)} MB/s   ratio ${(((N / destMs) * 1000) / pRate).toFixed(2)}x`,
  );
  line('connector source (read + ack)', N, srcMs);
  console.log(
    `${'Kafka ConsumerPerformance'.padEnd(44)} ${String(Math.round(cRate)).padStart(8)} records/s ${((cRate * SIZE) / 1024 / 1024).toFixed(1).padStart(7)} MB/s   ratio ${(((N / srcMs) * 1000) / cRate).toFixed(2)}x`,
  );
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  await service?.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
