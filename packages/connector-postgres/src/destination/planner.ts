/**
 * Turning records into ops: one row of a shared statement shape per record, or the statements
 * of a key change, a keyless update/delete or a truncate. Routes are resolved in `routes.ts`,
 * tables looked up/created/evolved in `schema.ts`, values rendered in `render.ts`, and the ops
 * grouped into units in `units.ts`.
 */
import type { OpenCDCRecord, StructuredData } from '@opencdc-ts/commons';
import type pg from 'pg';
import { RecordProblem } from '../errors.js';
import type { ColumnInfo, TableCache, TableInfo } from './catalog.js';
import { render, renderRow } from './render.js';
import { type ConnectionSchema, Routes } from './routes.js';
import { type SchemaOptions, Tables } from './schema.js';
import type { Row, Statement } from './statements.js';
import { buildUnits, type Op, type Unit } from './units.js';
import { asObject } from './values.js';

export type { ConnectionSchema, Unit };
export { RecordProblem };

/**
 * Metadata key a source sets on an update whose unchanged TOASTed columns it could not read:
 * a JSON array of column names. Those columns are left untouched (never overwritten with
 * null or a placeholder).
 */
export const TOAST_UNCHANGED_KEY = 'postgres.toast.unchanged';

/**
 * Metadata key a source sets (to `true`) on a key-less `delete` record that stands for a
 * `TRUNCATE` of its collection: the routed table is truncated, in order, in the batch transaction.
 */
export const TRUNCATE_KEY = 'postgres.truncate';

export interface PlannerOptions extends SchemaOptions {
  route(record: OpenCDCRecord): string;
  /** Most rows per set-based statement. */
  maxRows: number;
}

/**
 * Turns records into ops, then (`build`) the ops into units of set-based statements (see
 * `buildUnits`: same-shape runs, grouped per table when no foreign key links the batch's tables).
 */
export class Planner {
  readonly #ops: Op[] = [];
  readonly #routes: Routes;
  readonly #tables: Tables;
  /** Tables created or altered in the current transaction (their cache entries die on rollback). */
  readonly touched: Set<string>;

  constructor(
    client: pg.ClientBase,
    cache: TableCache,
    private readonly opts: PlannerOptions,
    /** What the connection resolves unqualified routes in. */
    schema: ConnectionSchema,
  ) {
    this.#routes = new Routes(schema);
    this.#tables = new Tables(client, cache, opts);
    this.touched = this.#tables.touched;
  }

  #memo:
    | {
        table: TableInfo;
        evolved: TableInfo;
        columns: string[];
        keyFields: string[] | null;
        keyCols: string[] | undefined;
        /** The catalog entry of each of `columns` (how to render it). */
        infos: (ColumnInfo | undefined)[];
        /** The statement the rows go to: an upsert on keyCols, else an insert. */
        shape: Statement;
      }
    | undefined;
  #lastColumns: string[] = [];
  #lastKeyFields: string[] = [];

  /** `Object.keys(row)`, or the previous record's array when the fields are the same. */
  #columnsOf(row: StructuredData): string[] {
    const same = sameFields(row, this.#lastColumns);
    if (!same) this.#lastColumns = Object.keys(row);
    return this.#lastColumns;
  }

  #keyFieldsOf(key: StructuredData): string[] {
    if (!sameFields(key, this.#lastKeyFields)) this.#lastKeyFields = Object.keys(key);
    return this.#lastKeyFields;
  }

  async add(record: OpenCDCRecord, index: number): Promise<void> {
    let route: string;
    try {
      route = this.opts.route(record);
    } catch (err) {
      throw new RecordProblem((err as Error).message, { cause: err });
    }
    const name = this.#routes.resolve(route);
    if (typeof name === 'string') throw new RecordProblem(name);

    // A key that is not an object (e.g. a Kafka string key) names no columns: the configured
    // key columns or the table's primary key apply instead.
    const key = asObject(record.key);
    const recordKey = key && typeof key !== 'string' && hasFields(key) ? key : null;

    if (record.operation === 'delete' && record.metadata.get(TRUNCATE_KEY) === 'true') {
      const info = await this.#tables.find(name);
      if (!info) return; // nothing to truncate
      this.#ops.push({
        statements: [this.statement('truncate', info, [], [], [], [{ index, values: [] }])],
      });
      return;
    }

    if (record.operation === 'delete') {
      const before = asObject(record.payload.before);
      if (typeof before === 'string') throw new RecordProblem(`payload.before: ${before}`);
      const table = await this.#tables.get(name, recordKey ?? before ?? {}, recordKey, false);
      const keyCols = this.keyColumns(table, recordKey, before);
      if (!keyCols && table.primaryKey.length === 0) {
        // Keyless: the before image (REPLICA IDENTITY FULL) identifies the row.
        const match = this.#matchBefore(table, 'delete', before, index);
        this.#ops.push({
          statements: [
            this.statement('match-delete', table, [], [], [], [match.row], match.columns),
          ],
        });
        return;
      }
      if (!keyCols) {
        throw new RecordProblem(
          `cannot delete from ${table.sql}: the record has no key and payload.before lacks the primary key (${table.primaryKey.join(', ')}); set "keyColumns" or "tables.<table>.keyColumns"`,
        );
      }
      const source = { ...(before ?? {}), ...(recordKey ?? {}) };
      const del = this.delete(table, keyCols, source, index);
      this.#ops.push({ shape: del, row: del.rows[0]! });
      return;
    }

    const after = asObject(record.payload.after);
    if (typeof after === 'string') throw new RecordProblem(`payload.after: ${after}`);
    if (after === null) throw new RecordProblem(`${record.operation} record without payload.after`);
    // The key's fields win over the payload's (they identify the row).
    const unchanged = record.operation === 'update' ? toastUnchanged(record) : undefined;
    let row: StructuredData = after;
    if ((recordKey && !containsKey(after, recordKey)) || unchanged) {
      row = recordKey ? { ...after, ...recordKey } : { ...after };
      if (unchanged) for (const c of unchanged) delete row[c];
    }

    let table = await this.#tables.get(name, row, recordKey, true);
    const columns = this.#columnsOf(row);
    const keyFields = recordKey ? this.#keyFieldsOf(recordKey) : null;
    // Consecutive records usually share table and columns: reuse the checks made for the
    // previous one (the arrays are the same objects when the fields are the same).
    const memo = this.#memo;
    let keyCols: string[] | undefined;
    let infos: (ColumnInfo | undefined)[];
    let shape: Statement;
    if (memo && memo.table === table && memo.columns === columns && memo.keyFields === keyFields) {
      table = memo.evolved;
      keyCols = memo.keyCols;
      infos = memo.infos;
      shape = memo.shape;
    } else {
      const evolved = await this.#tables.evolve(table, row);
      keyCols = this.keyColumns(evolved, recordKey, row);
      if (columns.length === 0) throw new RecordProblem('the record has no columns to write');
      if (keyCols && !evolved.uniqueKeys.some((u) => sameSet(u, keyCols!))) {
        throw new RecordProblem(
          `table ${evolved.sql} has no primary key or unique index on (${keyCols.join(', ')}), needed to upsert; add one or configure the table's key columns ("tables.<table>.keyColumns")`,
        );
      }
      const update = keyCols ? columns.filter((c) => !keyCols!.includes(c)) : [];
      infos = columns.map((c) => evolved.columns.get(c));
      shape = keyCols
        ? this.statement('upsert', evolved, columns, keyCols, update, [])
        : this.statement('insert', evolved, columns, [], [], []);
      this.#memo = { table, evolved, columns, keyFields, keyCols, infos, shape };
      table = evolved;
    }

    const rendered = render(infos, columns, row, index, 'payload.after');
    if (!keyCols) {
      if (record.operation === 'update' && table.primaryKey.length === 0) {
        // Keyless: update the one row the before image matches (see toQuery 'match-update').
        const match = this.#matchBefore(table, 'update', asObject(record.payload.before), index);
        rendered.values.push(...match.row.values);
        const s = this.statement('match-update', table, columns, [], [], [rendered], match.columns);
        this.#ops.push({ statements: [s] });
        return;
      }
      // create/snapshot without a key: appended.
      this.#ops.push({ shape, row: rendered });
      return;
    }
    if (record.operation === 'update') rendered.update = true;

    // A primary-key change, replay-safe (see toQuery): when a row already holds the new key
    // (a replay, or a resumed snapshot that copied the row under its new key), the old-key
    // row is deleted; otherwise the old row moves to the new key (UPDATE: ON UPDATE CASCADE
    // foreign keys follow, columns the record lacks such as unchanged TOAST values stay).
    // Then the upsert writes the record's values (and inserts the row when neither existed).
    // One unit: the three succeed or fail together.
    if (record.operation === 'update') {
      const before = asObject(record.payload.before);
      if (before && typeof before !== 'string' && keyCols.every((c) => before[c] != null)) {
        const oldKey = renderRow(table, keyCols, before, index, 'payload.before').values;
        const newKey = renderRow(table, keyCols, row, index, 'payload.after').values;
        if (oldKey.some((v, j) => v !== newKey[j])) {
          const keys = [{ index, values: [...newKey, ...oldKey] }];
          const displace = this.statement('displace', table, keyCols, [], [], keys);
          const rekey = this.statement('rekey', table, keyCols, [], [], keys);
          const upsert = { ...shape, rows: [rendered] };
          this.#ops.push({ statements: [displace, rekey, upsert] });
          return;
        }
      }
    }
    this.#ops.push({ shape, row: rendered });
  }

  /**
   * The before image of a keyless update/delete: its columns that exist in the table and
   * their rendered values. No before image (or none of its columns in the table) cannot
   * identify a row.
   */
  #matchBefore(
    table: TableInfo,
    operation: 'update' | 'delete',
    before: StructuredData | string | null,
    index: number,
  ): { columns: string[]; row: Row } {
    if (typeof before === 'string') throw new RecordProblem(`payload.before: ${before}`);
    const columns = before ? Object.keys(before).filter((c) => table.columns.has(c)) : [];
    if (!before || columns.length === 0) {
      throw new RecordProblem(
        `cannot ${operation} a row of ${table.sql}: the table has no primary key, the record has no key and ${before ? "payload.before has none of the table's columns" : 'no payload.before'} to find the row by; set "keyColumns" (or "tables.<table>.keyColumns") or give the table a primary key`,
      );
    }
    return { columns, row: renderRow(table, columns, before, index, 'payload.before') };
  }

  private delete(
    table: TableInfo,
    keyCols: string[],
    source: StructuredData,
    index: number,
  ): Statement {
    for (const c of keyCols) {
      if (source[c] === undefined || source[c] === null) {
        throw new RecordProblem(
          `cannot delete from ${table.sql}: key column "${c}" has no value in the record`,
        );
      }
    }
    return this.statement(
      'delete',
      table,
      keyCols,
      [],
      [],
      [renderRow(table, keyCols, source, index, 'key')],
    );
  }

  private statement(
    kind: Statement['kind'],
    table: TableInfo,
    columns: string[],
    conflict: string[],
    update: string[],
    rows: Row[],
    match?: string[],
  ): Statement {
    return match
      ? { kind, table, columns, conflict, update, rows, match }
      : { kind, table, columns, conflict, update, rows };
  }

  /**
   * The units to execute. `reorder`: group per table when no foreign key links the batch's
   * tables (never in careful mode, where a failure must leave exactly the records before it).
   */
  build(reorder: boolean): Unit[] {
    return buildUnits(this.#ops, reorder, this.opts.maxRows);
  }

  /** Key columns: the record key's fields, else the configured ones, else the primary key. */
  private keyColumns(
    table: TableInfo,
    recordKey: StructuredData | null,
    data: StructuredData | null,
  ): string[] | undefined {
    if (recordKey) return Object.keys(recordKey);
    const configured = this.opts.keyColumns(table.name);
    if (configured && configured.length > 0) return [...configured];
    if (
      table.primaryKey.length > 0 &&
      data &&
      table.primaryKey.every((c) => data[c] !== undefined)
    ) {
      return table.primaryKey;
    }
    return undefined;
  }
}

/** Whether `o` has exactly these own enumerable fields, in this order. */
function sameFields(o: StructuredData, fields: readonly string[]): boolean {
  let i = 0;
  for (const k in o) {
    if (fields[i] !== k) return false;
    i++;
  }
  return i === fields.length;
}

function hasFields(o: StructuredData): boolean {
  for (const _ in o) return true;
  return false;
}

/** Whether the payload already holds the key's values (the usual case: no copy needed). */
function containsKey(after: StructuredData, key: StructuredData): boolean {
  for (const k in key) if (after[k] !== key[k]) return false;
  return true;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function toastUnchanged(record: OpenCDCRecord): string[] | undefined {
  const raw = record.metadata.get(TOAST_UNCHANGED_KEY);
  if (!raw) return undefined;
  try {
    const cols: unknown = JSON.parse(raw);
    if (Array.isArray(cols) && cols.every((c) => typeof c === 'string')) return cols;
  } catch {
    // fall through
  }
  throw new RecordProblem(
    `metadata "${TOAST_UNCHANGED_KEY}" is not a JSON array of column names: ${raw}`,
  );
}
