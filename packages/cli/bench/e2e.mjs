// End-to-end benchmark of the `opencdc` bin: Postgres → Kafka (CDC backlog) and Kafka → Postgres.
// Workload: BENCH_RECORDS rows (default 200,000) of (id bigint PK, name text, amount numeric,
// created_at timestamptz), about 60 bytes of row data, OpenCDC JSON on Kafka (~600 B/message).
// Each pipeline runs as its own `opencdc run` process; records/s counts from the process start
// until the last record is acked (progress events), peak RSS is the process's VmHWM.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, useKafka, usePostgres } from '@opencdc-ts/testing';
import pg from 'pg';
import { runUntil } from './pipeline-process.mjs';

const N = Number(process.env.BENCH_RECORDS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 4096);
// BENCH_PG_SOURCE / BENCH_KAFKA_DEST: extra settings (`k: v, k: v`) for experiments.
const extra = (name) => (process.env[name] ? `, ${process.env[name]}` : '');

const pgSvc = await usePostgres();
const kafka = await useKafka();
const dir = await mkdtemp(join(tmpdir(), 'opencdc-bench-'));
const tag = `bench_${process.pid}`;
try {
  const srcUrl = await createTestDatabase(pgSvc.url, 'bench_src');
  const dstUrl = await createTestDatabase(pgSvc.url, 'bench_dst');
  const src = new pg.Client({ connectionString: srcUrl });
  await src.connect();
  await src.query(
    `CREATE TABLE ${tag} (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const env = { SRC: srcUrl, DST: dstUrl, KAFKA: kafka.brokers.join(',') };
  await writeFile(
    join(dir, 'pg-kafka.yaml'),
    `version: "2.2"
pipelines:
  - id: pg-to-kafka
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: "${tag}", logrepl.slotName: ${tag}, logrepl.publicationName: ${tag}, snapshotMode: never${extra('BENCH_PG_SOURCE')} } }
      - { id: kafka, type: destination, plugin: builtin:kafka, settings: { servers: "\${KAFKA}"${extra('BENCH_KAFKA_DEST')} } }
`,
  );
  await writeFile(
    join(dir, 'kafka-pg.yaml'),
    `version: "2.2"
pipelines:
  - id: kafka-to-pg
    connectors:
      - { id: kafka, type: source, plugin: builtin:kafka, settings: { servers: "\${KAFKA}", topics: "${tag}", readFromBeginning: true, valueFormat: opencdc } }
      - { id: pg, type: destination, plugin: builtin:postgres, settings: { url: "\${DST}", autoCreate: true } }
`,
  );
  // 1. Create the slot, stop; 2. write the backlog; 3. time CDC of the backlog. `snapshotMode:
  // never`: with no saved position, `initial` would drop the slot and snapshot the rows instead.
  await runUntil(dir, 'pg-kafka.yaml', env, 0, { args: ['--batch-size', String(BATCH)] });
  for (let i = 0; i < N; i += 50_000) {
    await src.query(
      `INSERT INTO ${tag} (id, name, amount) SELECT g, 'name ' || g, g % 1000 + 0.5 FROM generate_series($1::bigint, $2::bigint) g`,
      [i + 1, Math.min(N, i + 50_000)],
    );
  }
  await src.end();
  const args = { args: ['--batch-size', String(BATCH)] };
  const a = await runUntil(dir, 'pg-kafka.yaml', env, N, args);
  // BENCH_SKIP_KAFKA_PG=1: only the first direction (quicker experiments).
  const b = process.env.BENCH_SKIP_KAFKA_PG
    ? undefined
    : await runUntil(dir, 'kafka-pg.yaml', env, N, args);
  const fmt = (r) =>
    `${Math.round(N / r.seconds).toLocaleString('en-US')} records/s (${r.seconds.toFixed(2)} s, started at ${r.startup.toFixed(2)} s, first ack at ${r.first.toFixed(2)} s), peak RSS ${Math.round(r.peakRssMb)} MB, ${r.batches} batches`;
  console.log(
    `workload: ${N.toLocaleString('en-US')} rows (bigint, text, numeric, timestamptz), batch ${BATCH}, node ${process.version}`,
  );
  console.log(`Postgres → Kafka (CDC backlog): ${fmt(a)}`);
  if (b) console.log(`Kafka → Postgres:               ${fmt(b)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
  await kafka.stop();
  await pgSvc.stop();
}
