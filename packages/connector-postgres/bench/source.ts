/**
 * Source benchmark: snapshot rows/s and CDC events/s through the Postgres source, and in the same
 * run `pg_recvlogical` draining the same change data from a second slot (the physical limit:
 * the server decoding pgoutput and nothing else).
 *
 *   pnpm --filter @opencdc-ts/connector-postgres exec tsx bench/source.ts      (N = 500000)
 *   BENCH_ROWS=1000000 BENCH_TXN=1000 PG_URL=postgres://... tsx bench/source.ts
 *
 * Workload: 10 tables, BENCH_ROWS rows in total (~200 bytes each: bigint key, two texts,
 * numeric, timestamptz, bool, jsonb). Snapshot: all rows, fetchSize 10000, concurrency 4.
 * CDC: the same number of rows inserted in transactions of BENCH_TXN rows while the source is
 * stopped, then drained (read + ack). Peak RSS is sampled every 50 ms per phase.
 */
import { spawn } from 'node:child_process';
import { createTestDatabase, startPostgres } from '@opencdc-ts/testing';
import pg from 'pg';
import { sourceSide } from '../src/source/index.js';

const N = Number(process.env.BENCH_ROWS ?? 500_000);
const TXN = Number(process.env.BENCH_TXN ?? 1000);
const TABLES = 10;
const BIG_TXN = Number(process.env.BENCH_BIG_TXN ?? 0);

const logger = {
  debug() {},
  info() {},
  warn() {},
  error: (m: string, f?: object) => console.error(m, f),
};

function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return {
    stop() {
      clearInterval(t);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024);
    },
  };
}

async function drain(
  settings: { [k: string]: string },
  position: Uint8Array | undefined,
  count: number,
) {
  const src = sourceSide.create(sourceSide.config.parse(settings), {
    connectorId: 'bench',
    logger,
  });
  const rss = rssSampler();
  const t0 = performance.now();
  await src.open(position);
  let n = 0;
  let bytes = 0;
  let last: Uint8Array | undefined;
  const ctl = new AbortController();
  while (n < count) {
    const batch = await src.read(10_000, ctl.signal);
    n += batch.length;
    for (const r of batch) bytes += r.position.length;
    last = batch[batch.length - 1]!.position;
    await src.ack([last]);
  }
  const secs = (performance.now() - t0) / 1000;
  const peak = rss.stop();
  await src.teardown();
  return { n, secs, peak, last, positionBytes: bytes / n };
}

async function main(): Promise<void> {
  let stopPg: (() => Promise<void>) | undefined;
  let base = process.env.PG_URL;
  if (!base) {
    const svc = await startPostgres();
    base = svc.url;
    stopPg = () => svc.stop();
  }
  const url = await createTestDatabase(base, 'bench_source');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const per = Math.ceil(N / TABLES);
  for (let t = 0; t < TABLES; t++) {
    await admin.query(`CREATE TABLE t${t} (id bigint PRIMARY KEY, name text, descr text, amount numeric(12,2),
      at timestamptz, active bool, doc jsonb)`);
    await admin.query(
      `INSERT INTO t${t} SELECT g, 'name-' || g, repeat('d', 80), g * 1.25, now(), g % 2 = 0,
         jsonb_build_object('k', g, 'tag', 'x') FROM generate_series(1, $1::int) g`,
      [per],
    );
  }
  await admin.query('VACUUM ANALYZE');
  const total = per * TABLES;
  const settings = {
    url,
    tables: '*',
    'logrepl.slotName': 'bench_src',
    'logrepl.publicationName': 'bench_pub',
    'snapshot.fetchSize': '10000',
    'logrepl.tableDiscoveryInterval': '0',
  };

  // 1. Snapshot.
  const snap = await drain(settings, undefined, total);
  console.log(
    `snapshot: ${total} rows in ${snap.secs.toFixed(2)} s = ${Math.round(total / snap.secs)} rows/s, peak RSS ${snap.peak} MB`,
  );

  // 2. CDC load, captured by our slot and by a second slot for pg_recvlogical.
  await admin.query("SELECT pg_create_logical_replication_slot('bench_recv', 'pgoutput')");
  for (let start = 1; start <= per; start += TXN / TABLES) {
    const end = Math.min(per, start + TXN / TABLES - 1);
    await admin.query('BEGIN');
    for (let t = 0; t < TABLES; t++)
      await admin.query(
        `INSERT INTO t${t} SELECT g, 'name-' || g, repeat('d', 80), g * 1.25, now(), g % 2 = 0,
           jsonb_build_object('k', g, 'tag', 'x') FROM generate_series($1::int, $2::int) g`,
        [per + start, per + end],
      );
    await admin.query('COMMIT');
  }
  if (BIG_TXN > 0)
    await admin.query(
      `INSERT INTO t0 SELECT g, 'name-' || g, repeat('d', 80), g * 1.25, now(), g % 2 = 0,
         jsonb_build_object('k', g, 'tag', 'x') FROM generate_series($1::int, $2::int) g`,
      [10 * per + 1, 10 * per + BIG_TXN],
    );
  const endLsn = (await admin.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l'))
    .rows[0]!.l;
  const events = total + BIG_TXN;

  const cdc = await drain(settings, snap.last, events);
  console.log(
    `cdc: ${events} inserts (${TXN}-row transactions${BIG_TXN ? ` + one ${BIG_TXN}-row transaction` : ''}) in ${cdc.secs.toFixed(2)} s = ${Math.round(events / cdc.secs)} events/s, peak RSS ${cdc.peak} MB`,
  );

  // 3. pg_recvlogical on the same data: the server-side decoding limit.
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const p = spawn(
      'pg_recvlogical',
      [
        '-d',
        url,
        '-S',
        'bench_recv',
        '--start',
        '-E',
        endLsn,
        '--no-loop',
        '-f',
        '/dev/null',
        '-o',
        'proto_version=1',
        '-o',
        'publication_names=bench_pub',
      ],
      { stdio: 'inherit' },
    );
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`pg_recvlogical exited ${code}`)),
    );
  });
  const recvSecs = (performance.now() - t0) / 1000;
  console.log(
    `pg_recvlogical: ${events} inserts in ${recvSecs.toFixed(2)} s = ${Math.round(events / recvSecs)} events/s (physical limit); source/limit = ${(recvSecs / cdc.secs).toFixed(2)}`,
  );

  await admin.query("SELECT pg_drop_replication_slot('bench_recv')");
  await sourceSide.onDeleted?.(sourceSide.config.parse(settings), { connectorId: 'bench', logger });
  await admin.end();
  await stopPg?.();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
