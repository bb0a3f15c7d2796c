import type { OpenCDCRecord, StructuredData, StructuredValue } from '@opencdc-ts/commons';
import { ConfigError } from '@opencdc-ts/sdk';
import type pg from 'pg';
import { errorKind, RecordProblem } from '../errors.js';
import {
  display,
  identifierProblem,
  isSystemSchema,
  parseTableName,
  type ResolvedName,
  resolveName,
  type TableName,
  tableKey,
} from '../sql.js';
import { type ColumnInfo, loadTable, type TableCache, type TableInfo } from './catalog.js';
import { addColumns, createTable } from './ddl.js';
import { type Row, type Statement, sameShape } from './statements.js';
import { asObject, toText } from './values.js';

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

export interface PlannerOptions {
  route(record: OpenCDCRecord): string;
  autoCreate: boolean;
  autoEvolve: boolean;
  /** Key columns configured for a table (`tables.<table>.keyColumns`, else `keyColumns`). */
  keyColumns(table: ResolvedName): readonly string[] | undefined;
  /** Most rows per set-based statement. */
  maxRows: number;
}

/** What a connection resolves unqualified names in (queried once per connection). */
export interface ConnectionSchema {
  /** `current_schema()`: null when no schema of the search_path exists. */
  current: string | null;
  /** `current_setting('search_path')`, for messages. */
  searchPath: string;
  /** Names of pg_catalog's relations (tables, views, …): see `#resolve`. */
  catalog: ReadonlySet<string>;
}

/** Statements that must succeed or fail together, and the records they carry. */
export interface Unit {
  statements: Statement[];
  /** Rows replaced by a later row with the same key (still replayed one by one on failure). */
  replaced: Row[];
  /**
   * Run units are extended with further records; a key change or a keyless update/delete is a
   * closed unit of one record.
   */
  open: boolean;
  /** Upsert dedupe: conflict-key text → row position in `statements[0].rows`. */
  seen?: Map<string, number>;
}

/**
 * What one record turned into: one row of a statement `shape` (shared by the records of the same
 * table, operation and columns, so a record costs one row and no statement object), or (key
 * change, truncate) statements that stay a unit of their own.
 */
type Op = { shape: Statement; row: Row } | { statements: Statement[] };

function tableOf(op: Op): TableInfo {
  return 'shape' in op ? op.shape.table : op.statements[0]!.table;
}

/**
 * Turns records into units of set-based statements. A record joins the previous unit only
 * when it has the same table, operation and columns; anything else starts a new unit, so the
 * order across tables is the order of the source. When no foreign key links any two tables of
 * the batch, the order across tables cannot matter inside one transaction, and records are
 * grouped per table first (keeping their order within each table) so interleaved streams still
 * get long set-based runs.
 */
export class Planner {
  readonly #ops: Op[] = [];
  #units: Unit[] = [];
  /** Tables created or altered in the current transaction (their cache entries die on rollback). */
  readonly touched = new Set<string>();

  constructor(
    private readonly client: pg.ClientBase,
    private readonly cache: TableCache,
    private readonly opts: PlannerOptions,
    /** The connection's `current_schema()` (null: no schema of the search_path exists). */
    private readonly schema: ConnectionSchema,
  ) {}

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

  /** Resolved routes: a batch usually has few distinct routes, resolve each once. */
  private readonly names = new Map<string, ResolvedName | string>();

  /**
   * The table a route names: schema-qualified as written, or (unqualified) in the connection's
   * current schema only. A message when the route is illegal or lands in a system schema.
   */
  private resolve(route: string): ResolvedName | string {
    let name = this.names.get(route);
    if (name === undefined) {
      const parsed = parseTableName(route);
      name = typeof parsed === 'string' ? `invalid table route: ${parsed}` : this.#resolve(parsed);
      this.names.set(route, name);
    }
    return name;
  }

  #resolve(parsed: TableName): ResolvedName | string {
    if (parsed.schema !== undefined) return resolveName(parsed, parsed.schema);
    const { current, searchPath, catalog } = this.schema;
    if (catalog.has(parsed.table)) {
      // Every session searches pg_catalog first (unless its search_path lists it later): a
      // user table of that name would be shadowed for everyone who reads it unqualified, and
      // such routes (`pg_authid`) are how a hostile producer aims at the catalog. Refused;
      // a qualified route (`public.pg_authid`) says what it means and is written.
      return `unqualified route "${parsed.table}" names a system catalog relation (pg_catalog.${parsed.table}); the destination never writes there: route to schema.table for a user table of that name`;
    }
    if (current === null) {
      // Not one record's fault: every unqualified route fails alike. Fail the write loudly
      // rather than dead-letter the stream.
      throw new ConfigError({
        parameter: 'table',
        value: parsed.table,
        rule: `an unqualified route lands in the session's current_schema(), and there is none (search_path = ${searchPath}: none of its schemas exists)`,
        fix: 'route to schema.table, create a schema of the search_path, or set one in the url (e.g. "?options=-c%20search_path%3Dpublic")',
      });
    }
    if (isSystemSchema(current)) {
      return `unqualified route "${parsed.table}" would land in the system schema "${current}" (the session's current_schema(); search_path = ${searchPath}); the destination never writes there: qualify the route or fix the search_path`;
    }
    return resolveName(parsed, current);
  }

  async add(record: OpenCDCRecord, index: number): Promise<void> {
    let route: string;
    try {
      route = this.opts.route(record);
    } catch (err) {
      throw new RecordProblem((err as Error).message, { cause: err });
    }
    const name = this.resolve(route);
    if (typeof name === 'string') throw new RecordProblem(name);

    // A key that is not an object (e.g. a Kafka string key) names no columns: the configured
    // key columns or the table's primary key apply instead.
    const key = asObject(record.key);
    const recordKey = key && typeof key !== 'string' && hasFields(key) ? key : null;

    if (record.operation === 'delete' && record.metadata.get(TRUNCATE_KEY) === 'true') {
      const info = this.cache.get(name) ?? (await loadTable(this.client, name));
      if (!info) return; // nothing to truncate
      this.cache.set(name, info);
      this.#ops.push({
        statements: [this.statement('truncate', info, [], [], [], [{ index, values: [] }])],
      });
      return;
    }

    if (record.operation === 'delete') {
      const before = asObject(record.payload.before);
      if (typeof before === 'string') throw new RecordProblem(`payload.before: ${before}`);
      const table = await this.table(name, recordKey ?? before ?? {}, recordKey, false);
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

    let table = await this.table(name, row, recordKey, true);
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
      const evolved = await this.evolve(table, row);
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
        const oldKey = this.row(table, keyCols, before, index, 'payload.before').values;
        const newKey = this.row(table, keyCols, row, index, 'payload.after').values;
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
    return { columns, row: this.row(table, columns, before, index, 'payload.before') };
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
      [this.row(table, keyCols, source, index, 'key')],
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

  private row(
    table: TableInfo,
    columns: readonly string[],
    data: StructuredData,
    index: number,
    where: string,
  ): Row {
    return render(
      columns.map((c) => table.columns.get(c)),
      columns,
      data,
      index,
      where,
    );
  }

  /**
   * The units to execute. `reorder`: group per table when no foreign key links the batch's
   * tables (never in careful mode, where a failure must leave exactly the records before it).
   */
  build(reorder: boolean): Unit[] {
    let ops = this.#ops;
    if (reorder && this.#independent()) {
      // Bucket per table in order of first appearance; records of one table keep their order.
      const buckets = new Map<TableInfo, Op[]>();
      for (const op of ops) {
        const t = tableOf(op);
        const bucket = buckets.get(t);
        if (bucket) bucket.push(op);
        else buckets.set(t, [op]);
      }
      ops = [...buckets.values()].flat();
    }
    this.#units = [];
    for (const op of ops) {
      if ('shape' in op) {
        this.#push(op.shape, op.row);
        continue;
      }
      const s = op.statements[0]!;
      if (s.kind === 'truncate') {
        // Consecutive truncates (one source TRUNCATE of several tables) run as one statement, so
        // tables linked by foreign keys can be truncated together.
        const last = this.#units.at(-1)?.statements[0];
        if (last?.kind === 'truncate') last.rows.push({ ...s.rows[0]!, table: s.table });
        else
          this.#units.push({
            statements: [{ ...s, rows: [{ ...s.rows[0]!, table: s.table }] }],
            replaced: [],
            open: false,
          });
        continue;
      }
      this.#units.push({ statements: op.statements, replaced: [], open: false });
    }
    return this.#units;
  }

  /** No foreign key between two different tables of the batch. */
  #independent(): boolean {
    const tables = new Set(this.#ops.map(tableOf));
    if (tables.size < 2) return false;
    const oids = new Set([...tables].map((t) => t.oid));
    for (const t of tables) for (const other of t.links) if (oids.has(other)) return false;
    return true;
  }

  /** Appends a row of statement shape `s`, merging it into the previous unit when compatible. */
  #push(s: Statement, row: Row): void {
    const last = this.#units.at(-1);
    const prev = last?.open ? last.statements[0] : undefined;
    if (last && prev && prev.rows.length < this.opts.maxRows && sameShape(prev, s)) {
      if (s.kind === 'upsert') {
        // Two rows with one key in one INSERT ... ON CONFLICT fail; the later one wins anyway.
        const k = conflictKey(s, row);
        last.seen ??= new Map();
        const at = last.seen.get(k);
        if (at !== undefined) {
          last.replaced.push(prev.rows[at]!);
          prev.rows[at] = row;
          return;
        }
        last.seen.set(k, prev.rows.length);
      }
      prev.rows.push(row);
      return;
    }
    // A fresh statement object: the shape is shared by every record of its kind.
    const unit: Unit = { statements: [{ ...s, rows: [row] }], replaced: [], open: true };
    if (s.kind === 'upsert') unit.seen = new Map([[conflictKey(s, row), 0]]);
    this.#units.push(unit);
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

  private async table(
    name: ResolvedName,
    sample: StructuredData,
    recordKey: StructuredData | null,
    canCreate: boolean,
  ): Promise<TableInfo> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let info = await loadTable(this.client, name);
    if (!info) {
      if (!this.opts.autoCreate || !canCreate) {
        throw new RecordProblem(
          `table ${display(name)} does not exist; create it, or set "autoCreate: true" to create missing tables from the records`,
        );
      }
      checkColumns(Object.keys(sample));
      const key = recordKey ? Object.keys(recordKey) : [...(this.opts.keyColumns(name) ?? [])];
      await this.ddl(() => createTable(this.client, name, sample, key));
      this.touched.add(tableKey(name));
      info = await loadTable(this.client, name);
      if (!info) throw new RecordProblem(`table ${display(name)} could not be created`);
    }
    this.cache.set(name, info);
    return info;
  }

  /** DDL inside a savepoint: a failure (e.g. a bad type) fails the record, not the batch. */
  private async ddl(run: () => Promise<void>): Promise<void> {
    await this.client.query('SAVEPOINT opencdc_ddl');
    try {
      await run();
    } catch (err) {
      if (errorKind(err) !== 'record') throw err;
      await this.client.query('ROLLBACK TO SAVEPOINT opencdc_ddl');
      throw new RecordProblem(`schema change failed: ${(err as Error).message}`, { cause: err });
    }
    await this.client.query('RELEASE SAVEPOINT opencdc_ddl');
  }

  private async evolve(table: TableInfo, row: StructuredData): Promise<TableInfo> {
    const missing = Object.keys(row).filter((c) => !table.columns.has(c));
    if (missing.length === 0) return table;
    if (!this.opts.autoEvolve) {
      throw new RecordProblem(
        `table ${table.sql} has no column(s) ${missing.map((c) => JSON.stringify(c)).join(', ')}; add them, or set "autoEvolve: true" to add missing columns`,
      );
    }
    checkColumns(missing);
    await this.ddl(() =>
      addColumns(
        this.client,
        table.sql,
        new Map(missing.map((c) => [c, row[c] as StructuredValue])),
      ),
    );
    this.touched.add(tableKey(table.name));
    const info = await loadTable(this.client, table.name);
    if (!info) throw new RecordProblem(`table ${table.sql} disappeared`);
    this.cache.set(table.name, info);
    return info;
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

function checkColumns(columns: readonly string[]): void {
  for (const c of columns) {
    const problem = identifierProblem(c);
    if (problem) throw new RecordProblem(`column name ${JSON.stringify(c)} ${problem}`);
  }
}

function conflictKey(s: Statement, row: Row): string {
  if (s.conflict.length === 1) return String(row.values[s.columns.indexOf(s.conflict[0]!)]);
  return JSON.stringify(s.conflict.map((c) => row.values[s.columns.indexOf(c)]));
}

/**
 * One row: each column's value as text, rendered as its catalog entry says. Any failure to
 * render a value (nested too deep, or anything unforeseen) is this record's problem, named by
 * its field (`payload.after.x: …`), never an error that fails the batch.
 */
function render(
  infos: readonly (ColumnInfo | undefined)[],
  columns: readonly string[],
  data: StructuredData,
  index: number,
  where: string,
): Row {
  // The loop lives in its own function: a try/catch around it measured ~20 % slower writes.
  try {
    return { index, values: renderValues(infos, columns, data) };
  } catch (err) {
    throw renderProblem(err, infos, columns, data, where);
  }
}

function renderValues(
  infos: readonly (ColumnInfo | undefined)[],
  columns: readonly string[],
  data: StructuredData,
): (string | null)[] {
  const values = new Array<string | null>(columns.length);
  for (let j = 0; j < columns.length; j++) {
    const col = infos[j];
    values[j] = toText(data[columns[j]!], col?.kind ?? 'other', col?.elementKind ?? 'other');
  }
  return values;
}

/** The failure of `renderValues` as a RecordProblem naming the field (found again, slowly). */
function renderProblem(
  err: unknown,
  infos: readonly (ColumnInfo | undefined)[],
  columns: readonly string[],
  data: StructuredData,
  where: string,
): RecordProblem {
  let field = where;
  for (let j = 0; j < columns.length; j++) {
    const col = infos[j];
    try {
      toText(data[columns[j]!], col?.kind ?? 'other', col?.elementKind ?? 'other');
    } catch {
      field = `${where}${fieldStep(columns[j]!)}`;
      break;
    }
  }
  if (err instanceof RecordProblem) return new RecordProblem(`${field}: ${err.message}`);
  return new RecordProblem(`${field}: cannot be converted: ${(err as Error)?.message ?? err}`, {
    cause: err,
  });
}

/** `.name`, or `["odd name"]` when the name is not a plain word. */
function fieldStep(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
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
