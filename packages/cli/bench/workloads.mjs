// The four workloads of the comparison with Conduit (issue 19), each an `opencdc run` process with
// this project's defaults, and the physical limit of the same path measured in the same run:
//
//   W1 Postgres → Kafka, CDC: 4 tables, inserts after the slot is active; clock from the first
//      insert until the last record is in Kafka (acked). Limit: pg_recvlogical draining a second
//      slot of the same publication (the server decoding pgoutput and nothing else).
//   W2 Postgres → Kafka, snapshot of 4 × N/4 rows; clock from the process start. Limit: COPY TO of
//      the same tables (psql, to /dev/null).
//   W3 Kafka (OpenCDC JSON, W2's 4 topics) → Postgres; clock from the process start until the last
//      row is in Postgres (acked). Limit: Kafka's ConsumerPerformance over the same topics.
//   W4 generator (4 collections) → Kafka; clock from the process start. Limit: Kafka's
//      ProducerPerformance with as many records of the same average size, measured after as
//      many again for its warm-up (its steady state).
//
//   pnpm --filter @opencdc-ts/cli bench:workloads
// Env: BENCH_RECORDS (default 200000), BENCH_RUNS (default 1; the figures are 3),
// BENCH_ONLY (e.g. "W1,W3"), BENCH_ARGS (extra `opencdc run` arguments, e.g. "--batch-size 4096"),
// PG_URL / KAFKA_BROKERS (running services instead of new ones).
// Prints, per workload and run: records/s, MB/s (Kafka message bytes), peak RSS, CPU seconds of the
// pipeline process (user + system; above the wall time means both cores worked), how many cores
// the whole machine kept busy meanwhile (the services too: what is left of 2 is idle), and the
// ratio to the limit.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createTestDatabase,
  fetchKafka,
  KAFKA_VERSIONS,
  useKafka,
  usePostgres,
} from '@opencdc-ts/testing';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { runUntil } from './pipeline-process.mjs';

const exec = promisify(execFile);
// The destination writes snappy by default (as Conduit's does): reading the messages back (for
// their size) needs the codec the connector registers in its own copy of kafkajs.
const kafkaRequire = createRequire(
  createRequire(import.meta.url).resolve('@opencdc-ts/connector-kafka/package.json'),
);
const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;
CompressionCodecs[CompressionTypes.Snappy] = kafkaRequire('kafkajs-snappy');
const N = Number(process.env.BENCH_RECORDS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'W1,W2,W3,W4').split(',').map((s) => s.trim()));
const ARGS = (process.env.BENCH_ARGS ?? '').split(' ').filter(Boolean);
const TABLES = 4;
const PER = Math.ceil(N / TABLES);
const ROWS = `SELECT g, 'name ' || g, g % 1000 + 0.5, now() FROM generate_series($1::bigint, $2::bigint) g`;

const pgSvc = await usePostgres();
const kafkaSvc = await useKafka();
const servers = kafkaSvc.brokers.join(',');
const kafka = new Kafka({ brokers: kafkaSvc.brokers, logLevel: logLevel.NOTHING });
const dir = await mkdtemp(join(tmpdir(), 'opencdc-workloads-'));
const srcUrl = await createTestDatabase(pgSvc.url, 'wl_src');
const dstUrl = await createTestDatabase(pgSvc.url, 'wl_dst');
const admin = new pg.Client({ connectionString: srcUrl });
await admin.connect();
const env = { SRC: srcUrl, DST: dstUrl, KAFKA: servers };
const results = new Map();

function record(name, r) {
  const list = results.get(name) ?? [];
  list.push(r);
  results.set(name, list);
  const rps = N / r.seconds;
  console.log(
    `${name} run ${list.length}: ${Math.round(rps).toLocaleString('en-US').padStart(7)} records/s ${((rps * r.bytesPerRecord) / 1048576).toFixed(1).padStart(6)} MB/s  ${r.seconds.toFixed(2)} s  peak RSS ${Math.round(r.peakRssMb)} MB  CPU ${r.cpuSeconds.toFixed(2)} s  machine ${r.machineCores.toFixed(2)} cores busy  ready ${r.startup.toFixed(2)} s  limit ${Math.round(r.limit).toLocaleString('en-US')}/s (${r.limitName})  ratio ${(rps / r.limit).toFixed(2)}x`,
  );
}

async function createTables(prefix) {
  for (let t = 0; t < TABLES; t++)
    await admin.query(
      `CREATE TABLE ${prefix}${t} (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL)`,
    );
}

/** Rows into the 4 tables, 1000 per statement, round robin (each statement one transaction). */
async function insertRows(prefix) {
  for (let start = 1; start <= PER; start += 1000)
    for (let t = 0; t < TABLES; t++)
      await admin.query(`INSERT INTO ${prefix}${t} ${ROWS}`, [start, Math.min(PER, start + 999)]);
}

/** Average key + value bytes of the first messages of `topics` (for MB/s). */
async function averageMessageBytes(topics) {
  const consumer = kafka.consumer({ groupId: `wl-size-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let n = 0;
  let bytes = 0;
  await new Promise((resolve) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        if (n >= 200) return;
        n++;
        bytes += (message.key?.length ?? 0) + (message.value?.length ?? 0);
        if (n === 200) resolve();
      },
    });
    setTimeout(resolve, 20_000);
  });
  await consumer.disconnect();
  return n ? bytes / n : 0;
}

const pipelineFile = (name, body) => {
  const file = `${name}.yaml`;
  return writeFile(join(dir, file), `version: "2.2"\npipelines:\n${body}`).then(() => file);
};

async function javaTool(cls, args) {
  const cp = `${await fetchKafka(KAFKA_VERSIONS.v4)}/*`;
  return exec('java', ['-Xmx512m', '-cp', cp, `org.apache.kafka.tools.${cls}`, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function consumerLimit(topics) {
  let total = 0;
  let ms = 0;
  for (const topic of topics) {
    const out = await javaTool('ConsumerPerformance', [
      '--bootstrap-server',
      servers,
      '--topic',
      topic,
      '--messages',
      String(PER),
      '--timeout',
      '60000',
    ]);
    // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
    // rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    const row = out.stdout.trim().split('\n').pop().split(',');
    total += Number(row[4]);
    ms += Number(row[7]);
  }
  return (total / ms) * 1000;
}

async function producerLimit(size) {
  const topic = `wl-limit-${Date.now().toString(36)}`;
  const out = await javaTool('ProducerPerformance', [
    '--topic',
    topic,
    // Java's producer measured after as many records again for warm-up (JIT, connections,
    // buffer pool): over N records from a cold start, it measured about half its steady rate
    // (e.g. 38k against 56-73k records/s), and the ratio printed flattered the pipeline.
    '--num-records',
    String(2 * N),
    '--warmup-records',
    String(N),
    '--record-size',
    String(Math.max(1, Math.round(size))),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${servers}`,
    'acks=all',
    'compression.type=snappy', // as the destination writes by default
  ]);
  // The last summary line is the steady state's (after the warm-up records).
  const steady = out.stdout
    .split('\n')
    .filter((l) => /steady state records sent/.test(l))
    .pop();
  return Number(/([\d.]+) records\/sec/.exec(steady ?? '')?.[1]);
}

async function copyLimit(prefix) {
  const t0 = performance.now();
  for (let t = 0; t < TABLES; t++)
    await exec('psql', ['-X', '-q', '-d', srcUrl, '-c', `\\copy ${prefix}${t} TO '/dev/null'`]);
  return (N / (performance.now() - t0)) * 1000;
}

function recvLimit(slot, publication, endLsn) {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(
      'pg_recvlogical',
      ['-d', srcUrl, '-S', slot, '--start', '-E', endLsn, '--no-loop', '-f', '/dev/null'].concat([
        '-o',
        'proto_version=1',
        '-o',
        `publication_names=${publication}`,
      ]),
      { stdio: 'inherit' },
    );
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0
        ? resolve((N / (performance.now() - t0)) * 1000)
        : reject(new Error(`pg_recvlogical exited ${code}`)),
    );
  });
}

const topicsOf = (prefix) => Array.from({ length: TABLES }, (_, t) => `${prefix}${t}`);

try {
  console.log(
    `workloads: ${N.toLocaleString('en-US')} records over ${TABLES} collections, ${RUNS} run(s), node ${process.version}, Kafka at ${servers}`,
  );
  for (let run = 1; run <= RUNS; run++) {
    const tag = `wl${run}_${process.pid}`;
    // W2 first: its topics are W3's input.
    if (ONLY.has('W2') || ONLY.has('W3')) {
      const prefix = `${tag}_snap_`;
      await createTables(prefix);
      await insertRows(prefix);
      const file = await pipelineFile(
        `w2-${run}`,
        `  - id: w2-${tag}
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: "${topicsOf(prefix).join(',')}", logrepl.slotName: ${tag}_w2, logrepl.publicationName: ${tag}_w2 } }
      - { id: kafka, type: destination, plugin: builtin:kafka, settings: { servers: "\${KAFKA}" } }
`,
      );
      const r = await runUntil(dir, file, env, N, { args: ARGS });
      if (ONLY.has('W2')) {
        const bytes = await averageMessageBytes(topicsOf(prefix));
        record('W2 Postgres → Kafka, snapshot', {
          ...r,
          bytesPerRecord: bytes,
          limit: await copyLimit(prefix),
          limitName: 'COPY TO',
        });
      }
      if (ONLY.has('W3')) {
        const topics = topicsOf(prefix);
        const w3 = await pipelineFile(
          `w3-${run}`,
          `  - id: w3-${tag}
    connectors:
      - { id: kafka, type: source, plugin: builtin:kafka, settings: { servers: "\${KAFKA}", topics: "${topics.join(',')}", readFromBeginning: true } }
      - { id: pg, type: destination, plugin: builtin:postgres, settings: { url: "\${DST}", autoCreate: true } }
`,
        );
        const r3 = await runUntil(dir, w3, env, N, { args: ARGS });
        record('W3 Kafka → Postgres', {
          ...r3,
          bytesPerRecord: await averageMessageBytes(topics),
          limit: await consumerLimit(topics),
          limitName: 'ConsumerPerformance',
        });
      }
    }
    if (ONLY.has('W1')) {
      const prefix = `${tag}_cdc_`;
      await createTables(prefix);
      const file = await pipelineFile(
        `w1-${run}`,
        `  - id: w1-${tag}
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: "${topicsOf(prefix).join(',')}", logrepl.slotName: ${tag}_w1, logrepl.publicationName: ${tag}_w1 } }
      - { id: kafka, type: destination, plugin: builtin:kafka, settings: { servers: "\${KAFKA}" } }
`,
      );
      // The slot and publication exist once the pipeline started; the limit's slot is made then.
      let clock;
      let inserted;
      let insertSeconds;
      const r = await runUntil(dir, file, env, N, {
        args: ARGS,
        clock: () => clock,
        onReady: () => {
          inserted = (async () => {
            await admin.query(
              `SELECT pg_create_logical_replication_slot('${tag}_recv', 'pgoutput')`,
            );
            clock = performance.now();
            await insertRows(prefix);
            insertSeconds = (performance.now() - clock) / 1000;
            return (await admin.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l;
          })();
        },
      });
      const endLsn = await inserted;
      const limit = await recvLimit(`${tag}_recv`, `${tag}_w1`, endLsn);
      await admin.query(`SELECT pg_drop_replication_slot('${tag}_recv')`);
      // The clock includes the inserts: a pipeline cannot finish before they do.
      console.log(
        `W1 inserts took ${insertSeconds.toFixed(2)} s (${Math.round(N / insertSeconds).toLocaleString('en-US')} rows/s)`,
      );
      record('W1 Postgres → Kafka, CDC', {
        ...r,
        bytesPerRecord: await averageMessageBytes(topicsOf(prefix)),
        limit,
        limitName: 'pg_recvlogical',
      });
    }
    if (ONLY.has('W4')) {
      const prefix = `${tag}_gen_`;
      const collections = topicsOf(prefix)
        .map(
          (c) =>
            `collections.${c}.format.type: structured, collections.${c}.format.options.id: int, collections.${c}.format.options.name: string, collections.${c}.format.options.active: bool, collections.${c}.format.options.createdAt: time`,
        )
        .join(', ');
      const file = await pipelineFile(
        `w4-${run}`,
        `  - id: w4-${tag}
    connectors:
      - { id: gen, type: source, plugin: builtin:generator, settings: { recordCount: ${N}, ${collections} } }
      - { id: kafka, type: destination, plugin: builtin:kafka, settings: { servers: "\${KAFKA}" } }
`,
      );
      const r = await runUntil(dir, file, env, N, { args: ARGS });
      const bytes = await averageMessageBytes(topicsOf(prefix));
      record('W4 generator → Kafka', {
        ...r,
        bytesPerRecord: bytes,
        limit: await producerLimit(bytes),
        limitName: 'ProducerPerformance',
      });
    }
  }
  console.log('\nbest / median records/s per workload:');
  for (const [name, list] of results) {
    const rates = list.map((r) => N / r.seconds).sort((a, b) => a - b);
    const rss = Math.max(...list.map((r) => r.peakRssMb));
    console.log(
      `${name.padEnd(32)} ${Math.round(rates[rates.length - 1]).toLocaleString('en-US')} / ${Math.round(rates[Math.floor(rates.length / 2)]).toLocaleString('en-US')}  max peak RSS ${Math.round(rss)} MB`,
    );
  }
} finally {
  await admin.end();
  await rm(dir, { recursive: true, force: true });
  await kafkaSvc.stop();
  await pgSvc.stop();
}
