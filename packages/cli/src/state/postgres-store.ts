import pg from 'pg';
import type { PipelineState, StateStore } from './store.js';

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

  async load(pipelineId: string): Promise<PipelineState | undefined> {
    await this.init();
    const res = await this.pool.query<{ state: PipelineState }>(
      `SELECT state FROM ${this.table} WHERE pipeline_id = $1`,
      [pipelineId],
    );
    return res.rows[0]?.state;
  }

  async save(pipelineId: string, state: PipelineState): Promise<void> {
    await this.init();
    await this.pool.query(
      `INSERT INTO ${this.table} (pipeline_id, state, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (pipeline_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
      [pipelineId, JSON.stringify(state)],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
