/**
 * Destination benchmark: upserts N records spread over 10 tables through the destination, then
 * (same run, same rows, same tables, emptied) a plain COPY: the physical limit of the server.
 *
 *   pnpm --filter @opencdc-ts/connector-postgres bench            (N = 200000)
 *   BENCH_RECORDS=500000 BENCH_RUN=100 PG_URL=postgres://... pnpm ... bench
 *
 * Workload: rows of ~150 bytes (7 columns: bigint key, text, text, numeric, timestamptz, bool,
 * jsonb) arrive in runs of BENCH_RUN consecutive records per table (like a source emitting
 * transactions), `write()` batches of BENCH_BATCH records. MB/s counts the records' payload as
 * JSON. Phases: insert (empty tables), update (same keys again), COPY (TRUNCATE, then one COPY
 * per table), then the update limit: per table, one COPY of the same updates into a typed temp
 * table and one `INSERT … SELECT … ON CONFLICT DO UPDATE` from it: the least work that updates
 * these rows with upsert semantics. Each phase runs BENCH_ROUNDS times (default 3) and the best time counts: the
 * machine is shared, and the best run is the one least disturbed by others.
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import type { Destination } from '@opencdc-ts/sdk';
import { createTestDatabase, startPostgres } from '@opencdc-ts/testing';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { connector } from '../src/index.js';

const N = Number(process.env.BENCH_RECORDS ?? 200_000);
const RUN = Number(process.env.BENCH_RUN ?? 500);
const BATCH = Number(process.env.BENCH_BATCH ?? 10_000);
const TABLES = 10;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Row {
  id: number;
  name: string;
  email: string;
  amount: string;
  created_at: string;
  active: boolean;
  attrs: { tier: string; n: number };
}

/** Record `i` of the workload (deterministic), with its table. */
function makeRecord(
  i: number,
  version: number,
): { table: number; row: Row; record: OpenCDCRecord } {
  const t = Math.floor(i / RUN) % TABLES;
  // Records of table t so far: full rounds of TABLES runs, plus this round's run.
  const round = Math.floor(i / (RUN * TABLES));
  const id = round * RUN + (i % RUN);
  const row: Row = {
    id,
    name: `user ${id} v${version}`,
    email: `user${id}@example.com`,
    amount: (((id * 7919) % 100000) / 100).toFixed(2),
    created_at: new Date(1_700_000_000_000 + id * 1000).toISOString(),
    active: id % 3 !== 0,
    attrs: { tier: ['gold', 'silver', 'bronze'][id % 3]!, n: version },
  };
  const record: OpenCDCRecord = {
    position: new TextEncoder().encode(`${version}:${i}`),
    operation: version === 1 ? 'create' : 'update',
    metadata: new Metadata([['opencdc.collection', `bench_t${t}`]]),
    key: { id },
    payload: { before: null, after: row as unknown as OpenCDCRecord['payload']['after'] },
  };
  return { table: t, row, record };
}

/**
 * Writes the workload in batches; only `write()` is timed. Batches are generated one at a time
 * (as a runtime would hand them over), so the heap holds one batch, not the whole workload.
 */
async function writeAll(
  dest: Destination,
  version: number,
): Promise<{ ms: number; bytes: number }> {
  let ms = 0;
  let bytes = 0;
  for (let from = 0; from < N; from += BATCH) {
    const batch: OpenCDCRecord[] = [];
    for (let i = from; i < Math.min(N, from + BATCH); i++) {
      const { row, record } = makeRecord(i, version);
      bytes += JSON.stringify(row).length;
      batch.push(record);
    }
    const start = performance.now();
    await dest.write(batch);
    ms += performance.now() - start;
  }
  return { ms, bytes };
}

function copyText(rows: readonly Row[]): string {
  // Values are plain (no tabs, backslashes or newlines), so text format needs no escaping.
  return rows
    .map(
      (r) =>
        `${r.id}\t${r.name}\t${r.email}\t${r.amount}\t${r.created_at}\t${r.active ? 't' : 'f'}\t${JSON.stringify(r.attrs)}\n`,
    )
    .join('');
}

function report(label: string, records: number, bytes: number, ms: number): number {
  const rps = records / (ms / 1000);
  console.log(
    `${label.padEnd(28)} ${records} rows in ${(ms / 1000).toFixed(2)} s: ${Math.round(rps).toLocaleString('en-US')} rows/s, ${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`,
  );
  return rps;
}

async function main(): Promise<void> {
  const service = process.env.PG_URL ? undefined : await startPostgres();
  const server = process.env.PG_URL ?? service!.url;
  const url = await createTestDatabase(server, 'bench_dest');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    for (let t = 0; t < TABLES; t++) {
      await admin.query(
        `CREATE TABLE bench_t${t} (id bigint PRIMARY KEY, name text, email text, amount numeric(12,2), created_at timestamptz, active boolean, attrs jsonb)`,
      );
    }
    console.log(
      `workload: ${N} records over ${TABLES} tables, runs of ${RUN}, batches of ${BATCH}, best of ${ROUNDS} rounds`,
    );
    const side = connector.destination!;
    // The same rows as objects, for COPY: serializing them to COPY text is part of its time.
    const copyRows: Row[][] = Array.from({ length: TABLES }, () => []);
    const updateRows: Row[][] = Array.from({ length: TABLES }, () => []);
    for (let i = 0; i < N; i++) {
      const created = makeRecord(i, 1);
      copyRows[created.table]!.push(created.row);
      updateRows[created.table]!.push(makeRecord(i, 2).row);
    }
    const cols = 'id, name, email, amount, created_at, active, attrs';
    const copyInto = async (target: string, rows: readonly Row[]) => {
      const stream = admin.query(copyFrom(`COPY ${target} (${cols}) FROM STDIN`));
      await pipeline(Readable.from([copyText(rows)]), stream);
    };
    const truncate = async () => {
      for (let t = 0; t < TABLES; t++) await admin.query(`TRUNCATE bench_t${t}`);
    };
    const best = { insert: Infinity, update: Infinity, copy: Infinity, limit: Infinity };
    let bytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await truncate();
      const dest = side.create(side.config.parse({ url }), {
        connectorId: 'bench',
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
      await dest.open();
      const ins = await writeAll(dest, 1);
      best.insert = Math.min(best.insert, ins.ms);
      bytes = ins.bytes;
      best.update = Math.min(best.update, (await writeAll(dest, 2)).ms);
      await dest.teardown();

      await truncate();
      const start = performance.now();
      for (let t = 0; t < TABLES; t++) await copyInto(`bench_t${t}`, copyRows[t]!);
      best.copy = Math.min(best.copy, performance.now() - start);

      // The update limit: the same updates COPYed into a typed temp table, then one upsert
      // per table from it (the least work that updates these rows with upsert semantics).
      for (let t = 0; t < TABLES; t++) {
        await admin.query(`CREATE TEMP TABLE up_t${t} (LIKE bench_t${t})`);
      }
      const upStart = performance.now();
      for (let t = 0; t < TABLES; t++) {
        await copyInto(`up_t${t}`, updateRows[t]!);
        await admin.query(
          `INSERT INTO bench_t${t} SELECT * FROM up_t${t} ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, amount = EXCLUDED.amount, created_at = EXCLUDED.created_at, active = EXCLUDED.active, attrs = EXCLUDED.attrs`,
        );
      }
      best.limit = Math.min(best.limit, performance.now() - upStart);
      for (let t = 0; t < TABLES; t++) await admin.query(`DROP TABLE up_t${t}`);
    }
    const insertRps = report('destination upsert (insert)', N, bytes, best.insert);
    const updateRps = report('destination upsert (update)', N, bytes, best.update);
    const copyRps = report('plain COPY (physical limit)', N, bytes, best.copy);
    const limitRps = report('server-side upsert (updates)', N, bytes, best.limit);
    console.log(
      `ratio to COPY: insert ${(insertRps / copyRps).toFixed(2)}x, update ${(updateRps / copyRps).toFixed(2)}x; the server's own update limit is ${(limitRps / copyRps).toFixed(2)}x COPY, the destination's updates reach ${(updateRps / limitRps).toFixed(2)}x of it`,
    );
  } finally {
    await admin.end();
    await service?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
