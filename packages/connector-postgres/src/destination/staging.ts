import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isStatementError } from '../errors.js';
import { quote } from '../sql.js';
import { columnTypes, type Row, type Statement } from './statements.js';

/**
 * Bulk strategies for runs of at least STAGING_THRESHOLD rows (smaller runs use `unnest`: one
 * round trip). Measured on the benchmark's rows (1000-row runs), against plain COPY:
 *
 * - mostly creates/snapshots: an optimistic `COPY` straight into the table, under a savepoint.
 *   If it fails (a key exists already: a replay; or any other record problem) the savepoint is
 *   rolled back and the run takes the upsert path below; further optimistic attempts on that
 *   table back off. Without conflicts the result is exactly the upsert's, at COPY speed (~1x).
 * - mostly updates (and creates whose optimistic COPY failed): COPY into a TEMP staging table
 *   with the target columns' types, then one `INSERT ... SELECT ... ON CONFLICT DO UPDATE`.
 *   (`UPDATE ... FROM stage` was tried: without statistics on the staging table the planner
 *   hash-joins against a full scan of the target, which gets slower as the table grows; it
 *   measured 2x slower.)
 * Sending a run as `text[]` parameters through `unnest` measured about half as fast: parsing
 * the big array literals dominates.
 */
export const STAGING_THRESHOLD = 64;

interface Backoff {
  /** Runs to skip before the next optimistic COPY into this table. */
  skip: number;
  /** Skip length after the next failure (doubles, capped). */
  penalty: number;
}

/**
 * Staging tables of one connection, by column types (columns are positional: c1..cN). Typed
 * columns: COPY parses each value once, straight into its type (text columns plus casts measured
 * slower).
 */
export class Staging {
  readonly #tables = new Map<string, string>();
  readonly #backoff = new Map<number, Backoff>();

  /** Forget them: called when a transaction that may have created one rolls back. */
  clear(): void {
    this.#tables.clear();
  }

  /**
   * `careful`: the optimistic COPY runs under a savepoint so a conflict falls back in place.
   * Otherwise (the fast path) it runs bare: a conflict aborts the transaction and the writer
   * replays the batch carefully, by then with this table backing off.
   */
  async run(
    client: pg.ClientBase,
    s: Statement,
    rows: readonly Row[],
    careful: boolean,
  ): Promise<void> {
    const updates = rows.reduce((n, r) => n + (r.update ? 1 : 0), 0);
    if (s.kind === 'insert' || (updates * 2 < rows.length && this.#tryCopy(s))) {
      if (await this.#optimisticCopy(client, s, rows, careful && s.kind !== 'insert')) return;
    }
    const stage = await this.#stage(client, columnTypes(s));
    await copy(client, `${stage} (${s.columns.map((_, j) => `c${j + 1}`).join(', ')})`, rows);
    const cols = s.columns.map(quote).join(', ');
    const select = s.columns.map((_, j) => `s.c${j + 1}`).join(', ');
    let insert = `INSERT INTO ${s.table.sql} (${cols}) SELECT ${select} FROM ${stage} s`;
    if (s.kind === 'upsert') insert += onConflict(s);
    // Emptied now, not at commit: the next run of this width in the same transaction reuses it.
    // One round trip for both (simple query protocol: no parameters in either).
    await client.query(`${insert};\nTRUNCATE ${stage}`);
  }

  /** Whether to attempt an optimistic COPY into this table now (see the backoff). */
  #tryCopy(s: Statement): boolean {
    const b = this.#backoff.get(s.table.oid);
    if (!b || b.skip <= 0) return true;
    b.skip--;
    return false;
  }

  async #optimisticCopy(
    client: pg.ClientBase,
    s: Statement,
    rows: readonly Row[],
    savepoint: boolean,
  ): Promise<boolean> {
    if (savepoint) await client.query('SAVEPOINT opencdc_copy');
    try {
      await copy(client, `${s.table.sql} (${s.columns.map(quote).join(', ')})`, rows);
    } catch (err) {
      if (!isStatementError(err)) throw err;
      const b = this.#backoff.get(s.table.oid) ?? { skip: 0, penalty: 1 };
      b.skip = b.penalty;
      b.penalty = Math.min(b.penalty * 2, 1024);
      this.#backoff.set(s.table.oid, b);
      if (!savepoint) throw err;
      await client.query('ROLLBACK TO SAVEPOINT opencdc_copy');
      return false;
    }
    if (savepoint) await client.query('RELEASE SAVEPOINT opencdc_copy');
    this.#backoff.delete(s.table.oid);
    return true;
  }

  async #stage(client: pg.ClientBase, types: readonly string[]): Promise<string> {
    const key = types.join('\u0000');
    let stage = this.#tables.get(key);
    if (!stage) {
      // Qualified: a regular table of the same name must never be picked up instead. Named
      // after the types, so a table made before a rollback cleared this map is reused, not
      // duplicated.
      stage = `pg_temp.${stagingName(types)}`;
      const cols = types.map((t, j) => `c${j + 1} ${t}`).join(', ');
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS ${stage} (${cols}) ON COMMIT DELETE ROWS`,
      );
      this.#tables.set(key, stage);
    }
    return stage;
  }
}

/** The (unqualified) name of the staging table for these column types. */
export function stagingName(types: readonly string[]): string {
  const hash = createHash('sha256').update(types.join('\u0000')).digest('hex').slice(0, 16);
  return `opencdc_stage_${types.length}_${hash}`;
}

async function copy(client: pg.ClientBase, target: string, rows: readonly Row[]): Promise<void> {
  // Written straight into the COPY stream (no Readable in between: per-COPY overhead matters
  // for runs of a few hundred rows). `finished` listens from the start, so a server error
  // mid-COPY rejects it instead of surfacing as an unhandled 'error' event.
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN`));
  const done = finished(stream);
  try {
    for (const chunk of copyChunks(rows)) {
      if (!stream.write(chunk)) await once(stream, 'drain');
    }
    stream.end();
  } catch (err) {
    await done.catch(() => {});
    throw err;
  }
  await done;
}

export function onConflict(s: Statement): string {
  const target = s.conflict.map(quote).join(', ');
  return s.update.length === 0
    ? ` ON CONFLICT (${target}) DO NOTHING`
    : ` ON CONFLICT (${target}) DO UPDATE SET ${s.update.map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`).join(', ')}`;
}

// COPY text format: `\N` is NULL; backslash, newline, carriage return and tab are escaped.
function escapeCopy(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\n\r\t]/.test(v)
    ? v.replace(/[\\\n\r\t]/g, (ch) =>
        ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\t',
      )
    : v;
}

/** The rows as COPY text, in chunks of about 256 KiB. */
function* copyChunks(rows: readonly Row[]): Generator<string> {
  let chunk = '';
  for (const r of rows) {
    chunk += `${r.values.map(escapeCopy).join('\t')}\n`;
    if (chunk.length >= 262144) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
