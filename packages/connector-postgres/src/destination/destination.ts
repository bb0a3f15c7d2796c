import type { OpenCDCRecord } from '@opencdc-ts/commons';
import {
  ConfigError,
  type ConnectorContext,
  type Destination,
  RecordError,
  type Router,
  TransientError,
} from '@opencdc-ts/sdk';
import pg from 'pg';
import { connectConfigError, describe, isStatementError, wrapTransient } from '../errors.js';
import { parseTableName, type ResolvedName, tableKey } from '../sql.js';
import { TableCache } from './catalog.js';
import { Checkpoint } from './checkpoint.js';
import type { ConnectionSchema, PlannerOptions } from './planner.js';
import { Staging } from './staging.js';
import { writeBatch } from './writer.js';

/** The parsed destination configuration (see `config.ts` for the parameters). */
export interface PostgresDestinationConfig {
  url: string;
  /** Route template or static table name; empty means the record's collection. */
  table: string;
  /** Allowed routes: exact names or `*` globs (empty: any). */
  allow: readonly string[];
  /** Default key columns when the record key does not name them. */
  keyColumns: readonly string[];
  /** Per-table key columns (`tables.<table>.keyColumns`), keyed by route text. */
  tableKeyColumns: ReadonlyMap<string, readonly string[]>;
  autoCreate: boolean;
  autoEvolve: boolean;
  /** Most rows in one set-based statement. */
  batchSize: number;
  /** Checkpoint table (`schema.table` or `table`); empty: no checkpoint. */
  checkpointTable: string;
}

export class PostgresDestination implements Destination {
  readonly #cache = new TableCache();
  readonly #staging = new Staging();
  readonly #checkpoint: Checkpoint | undefined;
  readonly #options: PlannerOptions;
  #client: pg.Client | undefined;
  /** Where unqualified names resolve on `#client` (queried once per connection). */
  #schema: ConnectionSchema = { current: null, searchPath: '', catalog: new Set() };

  constructor(
    private readonly config: PostgresDestinationConfig,
    router: Router,
    private readonly ctx: ConnectorContext,
  ) {
    const keys = new Map<string, readonly string[]>();
    for (const [route, cols] of config.tableKeyColumns) {
      const name = parseTableName(route);
      if (typeof name !== 'string') keys.set(tableKey(name), cols);
    }
    this.#options = {
      route: (r) => router.route(r),
      autoCreate: config.autoCreate,
      autoEvolve: config.autoEvolve,
      maxRows: config.batchSize,
      keyColumns: (t: ResolvedName) =>
        keys.get(tableKey(t)) ??
        keys.get(t.table) ??
        (config.keyColumns.length > 0 ? config.keyColumns : undefined),
    };
    if (config.checkpointTable) {
      const name = parseTableName(config.checkpointTable);
      if (typeof name === 'string') throw new Error(`checkpoint.table: ${name}`);
      this.#checkpoint = new Checkpoint(name, ctx.connectorId);
    }
  }

  async open(): Promise<void> {
    await this.#connect();
  }

  async write(records: readonly OpenCDCRecord[]): Promise<void> {
    if (records.length === 0) return;
    const client = await this.#connect();
    const progress = this.#checkpoint?.progress ?? 0;
    const { write, skipped } = this.#checkpoint?.filter(records) ?? {
      write: records.map((_, i) => i),
      skipped: 0,
    };
    if (skipped > 0) {
      this.ctx.logger.info('skipped records already committed before a restart (checkpoint)', {
        skipped,
      });
    }
    if (write.length === 0) return;
    try {
      await writeBatch(
        {
          client,
          cache: this.#cache,
          staging: this.#staging,
          options: this.#options,
          checkpoint: this.#checkpoint,
          schema: this.#schema,
        },
        records,
        write,
      );
    } catch (err) {
      if (err instanceof RecordError || err instanceof ConfigError) throw err;
      if (this.#checkpoint) this.#checkpoint.progress = progress;
      // The boundary: connection loss, 57P0x, 08xxx, serialization failures and deadlocks
      // become TransientErrors (the runtime retries the batch on a new connection).
      const wrapped = wrapTransient(err, 'postgres destination: ');
      if (wrapped instanceof TransientError) this.#drop();
      throw wrapped;
    }
  }

  async teardown(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    await c?.end().catch(() => {});
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const client = new pg.Client({
      connectionString: this.config.url,
      application_name: 'opencdc-destination',
    });
    // An idle connection that dies must not crash the process; the next write reconnects.
    client.on('error', (err) => {
      this.ctx.logger.warn('postgres connection error', { error: describe(err) });
      if (this.#client === client) this.#client = undefined;
    });
    let schema: ConnectionSchema;
    try {
      await client.connect();
      // Unqualified routes resolve here and nowhere else (never through the search_path,
      // which puts pg_catalog and the temp schema first). Settings cannot change it later:
      // the destination never runs SET.
      const r = await client.query<{ current: string | null; search_path: string }>(
        "SELECT current_schema() AS current, current_setting('search_path') AS search_path",
      );
      const catalog = await client.query<{ relname: string }>(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog'",
      );
      schema = {
        current: r.rows[0]?.current ?? null,
        searchPath: r.rows[0]?.search_path ?? '',
        catalog: new Set(catalog.rows.map((c) => c.relname)),
      };
      // The checkpoint may have moved while we were away (a commit whose reply was lost).
      await this.#checkpoint?.load(client, schema);
    } catch (err) {
      await client.end().catch(() => {});
      if (err instanceof ConfigError) throw err; // see Checkpoint.load
      // A wrong user or password, or an unknown database: retrying cannot fix it.
      const config = connectConfigError(err, this.config.url);
      if (config) throw config;
      if (isStatementError(err)) {
        // e.g. no privilege to create the checkpoint table: retrying will not help.
        throw new Error(
          `postgres destination: cannot prepare the checkpoint table ${this.#checkpoint?.sql}: ${describe(err)}`,
          { cause: err },
        );
      }
      throw new TransientError(`postgres destination: cannot connect: ${describe(err)}`, {
        cause: err,
      });
    }
    this.#client = client;
    this.#schema = schema;
    return client;
  }

  #drop(): void {
    const c = this.#client;
    this.#client = undefined;
    this.#cache.clear();
    this.#staging.clear();
    c?.end().catch(() => {});
  }
}
