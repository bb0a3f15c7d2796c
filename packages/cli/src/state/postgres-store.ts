import { TransientError } from '@opencdc-ts/sdk';
import pg from 'pg';
import type { PipelineState, StateStore } from './store.js';

/**
 * Whether a pg error means the server or the connection is (for now) unavailable: no SQLSTATE
 * (a socket error, "Connection terminated", a pool timeout), or SQLSTATE class 08 (connection),
 * 53 (insufficient resources), 57 (shutdown, e.g. 57P01 on a restart) or 40 (serialization,
 * deadlock). Anything else (a missing privilege, a bad table name) is not retried forever.
 */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return /^(08|53|57|40)/.test(code);
  // Only pool and socket calls run inside `wrapped`: an error without a SQLSTATE is theirs.
  return err instanceof Error;
}

/** The store's boundary: pg errors of an unavailable server become `TransientError`s. */
async function wrapped<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!isUnavailable(err)) throw err;
    throw new TransientError(`state store: cannot ${what}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** State in a Postgres table (`opencdc_state` by default), one row per pipeline, upserted. */
export class PostgresStateStore implements StateStore {
  readonly description: string;
  private readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;
  private readonly table: string;

  constructor(url: string, table = 'opencdc_state') {
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
    // Never let an idle-client error crash the runtime; the next query reports it.
    this.pool.on('error', () => {});
    this.table = pg.escapeIdentifier(table);
    const u = new URL(url);
    this.description = `postgres://${u.host}${u.pathname} table ${table}`;
  }

  private init(): Promise<void> {
    this.ready ??= this.pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (pipeline_id text PRIMARY KEY, state jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
      )
      .then(() => undefined)
      .catch((err: unknown) => {
        this.ready = undefined;
        throw err;
      });
    return this.ready;
  }

  load(pipelineId: string): Promise<PipelineState | undefined> {
    return wrapped(`load the state of "${pipelineId}"`, async () => {
      await this.init();
      const res = await this.pool.query<{ state: PipelineState }>(
        `SELECT state FROM ${this.table} WHERE pipeline_id = $1`,
        [pipelineId],
      );
      return res.rows[0]?.state;
    });
  }

  save(pipelineId: string, state: PipelineState): Promise<void> {
    const json = JSON.stringify(state);
    return wrapped(`save the state of "${pipelineId}"`, async () => {
      await this.init();
      await this.pool.query(
        `INSERT INTO ${this.table} (pipeline_id, state, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (pipeline_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
        [pipelineId, json],
      );
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
