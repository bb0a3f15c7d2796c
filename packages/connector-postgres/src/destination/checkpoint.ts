import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { ConfigError } from '@opencdc-ts/sdk';
import type pg from 'pg';
import { isSystemSchema, qualified, quote, type TableName } from '../sql.js';
import type { ConnectionSchema } from './planner.js';

/**
 * Checkpoint table: in the SAME transaction as the rows, the destination stores, per connector
 * id, the first and last position of the records it committed, and how many there were.
 *
 * Why first AND last: positions are opaque bytes, so they cannot be ordered. After a crash the
 * runtime reopens the source at its last persisted position R, which may lag the committed
 * transaction T = [F..P] (committed, but the crash hit before the ack was persisted). Then the
 * replay starts with F (R was the end of the transaction before T) and F..P are exactly T's
 * records again: when a record's position equals F, it and every following record up to and
 * including P are skipped (at most `records` of them, should the replay diverge). A replay that
 * starts elsewhere is written normally (at-least-once: upserts converge).
 * Limits: only the LAST committed transaction is recognised; a replay reaching further back,
 * or starting inside T, re-applies those records.
 */
export interface StoredCheckpoint {
  first: Buffer;
  last: Buffer;
  records: number;
}

export class Checkpoint {
  /** The table's quoted name; schema-qualified once `load` resolved it. */
  sql: string;
  readonly #table: TableName;
  #stored: StoredCheckpoint | undefined;
  #skipping = 0;

  constructor(
    table: TableName,
    readonly connectorId: string,
  ) {
    this.sql = qualified(table);
    this.#table = table;
  }

  get stored(): StoredCheckpoint | undefined {
    return this.#stored;
  }

  /**
   * Creates the table when missing and (re)loads this connector's row. An unqualified name
   * lives in the connection's current schema, like an unqualified route (never found through
   * the search_path).
   */
  async load(client: pg.ClientBase, connection: ConnectionSchema): Promise<void> {
    const schema = this.#table.schema ?? connection.current;
    if (this.#table.schema === undefined && connection.catalog.has(this.#table.table)) {
      throw new ConfigError({
        parameter: 'checkpoint.table',
        value: this.#table.table,
        rule: `an unqualified name of a system catalog relation (pg_catalog.${this.#table.table})`,
        fix: 'qualify it (schema.table) or pick another name',
      });
    }
    if (schema === null || isSystemSchema(schema)) {
      // Refused before any SQL: not an error of one batch, and retrying does not help.
      throw new ConfigError({
        parameter: 'checkpoint.table',
        value: this.#table.table,
        rule:
          schema === null
            ? `an unqualified name lands in the session's current_schema(), and there is none (search_path = ${connection.searchPath})`
            : `an unqualified name lands in the session's current_schema(), here the system schema "${schema}" (search_path = ${connection.searchPath})`,
        fix: 'qualify it (schema.table) or fix the search_path',
      });
    }
    this.sql = qualified({ schema, table: this.#table.table });
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);
    }
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${this.sql} (connector_id text PRIMARY KEY, first_position bytea NOT NULL, last_position bytea NOT NULL, records integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    );
    const r = await client.query<{
      first_position: Buffer;
      last_position: Buffer;
      records: number;
    }>(`SELECT first_position, last_position, records FROM ${this.sql} WHERE connector_id = $1`, [
      this.connectorId,
    ]);
    const row = r.rows[0];
    this.#stored = row
      ? { first: row.first_position, last: row.last_position, records: row.records }
      : undefined;
    this.#skipping = 0;
  }

  /** The replay-skipping progress, to rewind when a write fails and the batch comes again. */
  get progress(): number {
    return this.#skipping;
  }

  set progress(value: number) {
    this.#skipping = value;
  }

  /** Indexes of the records still to write (already committed ones are skipped). */
  filter(records: readonly OpenCDCRecord[]): { write: number[]; skipped: number } {
    const write: number[] = [];
    const s = this.#stored;
    let skipped = 0;
    for (let i = 0; i < records.length; i++) {
      const pos = records[i]!.position;
      if (s && this.#skipping === 0 && equal(pos, s.first)) this.#skipping = 1;
      else if (this.#skipping > 0) this.#skipping++;
      if (s && this.#skipping > 0) {
        if (equal(pos, s.last) || this.#skipping >= s.records) this.#skipping = 0;
        skipped++;
        continue;
      }
      write.push(i);
    }
    return { write, skipped };
  }

  /** Stores the span of `committed` (batch indexes, in order) inside the open transaction. */
  async save(
    client: pg.ClientBase,
    records: readonly OpenCDCRecord[],
    committed: readonly number[],
  ): Promise<StoredCheckpoint | undefined> {
    if (committed.length === 0) return undefined;
    const next: StoredCheckpoint = {
      first: Buffer.from(records[committed[0]!]!.position),
      last: Buffer.from(records[committed.at(-1)!]!.position),
      records: committed.length,
    };
    await client.query(
      `INSERT INTO ${this.sql} (connector_id, first_position, last_position, records, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (connector_id) DO UPDATE SET first_position = EXCLUDED.first_position, last_position = EXCLUDED.last_position, records = EXCLUDED.records, updated_at = now()`,
      [this.connectorId, next.first, next.last, next.records],
    );
    return next;
  }

  /** After COMMIT succeeded. */
  committed(next: StoredCheckpoint | undefined): void {
    if (next) this.#stored = next;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
