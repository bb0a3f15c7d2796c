import type pg from 'pg';
import { RecordProblem } from '../errors.js';
import { display, isSystemSchema, qualified, type ResolvedName, tableKey } from '../sql.js';

/**
 * How a value is rendered for a column (see `values.ts`). `numeric`, `uuid`, `time` and
 * `interval` accept other sources' forms besides Postgres' text (`values.ts`, `foreignString`).
 */
export type ColumnKind =
  | 'json'
  | 'bytea'
  | 'array'
  | 'bool'
  | 'numeric'
  | 'uuid'
  | 'time'
  | 'interval'
  | 'other';

export interface ColumnInfo {
  name: string;
  /** `format_type` output, used verbatim in casts (e.g. `numeric(10,2)`, `integer[]`). */
  type: string;
  kind: ColumnKind;
  /** For array columns: how elements render. */
  elementKind: ColumnKind;
  /** Declared scale of a `numeric(p,s)` column or array (`numeric(p)`: 0); else absent. */
  scale?: number;
}

export interface TableInfo {
  oid: number;
  /** Other tables linked to this one by a foreign key (either direction). */
  links: number[];
  name: ResolvedName;
  /** Quoted, qualified name as resolved in the catalog (schema always present). */
  sql: string;
  columns: Map<string, ColumnInfo>;
  /** Primary key columns (empty when none). */
  primaryKey: string[];
  /** Column sets of every usable unique index (for `ON CONFLICT`), primary key included. */
  uniqueKeys: string[][];
}

const KINDS: { [typname: string]: ColumnKind } = {
  json: 'json',
  jsonb: 'json',
  bytea: 'bytea',
  bool: 'bool',
  numeric: 'numeric',
  uuid: 'uuid',
  time: 'time',
  interval: 'interval',
};

function kindOf(typname: string, category: string): ColumnKind {
  if (category === 'A') return 'array';
  return Object.hasOwn(KINDS, typname) ? KINDS[typname]! : 'other';
}

/** The declared scale in a `format_type` of numeric (`numeric(10,2)[]` → 2, `numeric(5)` → 0). */
export function numericScale(type: string): number | undefined {
  const m = /^numeric\(\d+(?:,(-?\d+))?\)/.exec(type);
  return m ? Number(m[1] ?? 0) : undefined;
}

// By schema and name, never `to_regclass`: that resolves through the search_path (an
// unqualified name could find pg_catalog's or the temp schema's table).
const TABLE_SQL = `
SELECT c.oid, n.nspname, c.relname FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`;

// Generated columns are left out: they cannot be written.
const COLUMNS_SQL = `
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, t.typname, t.typcategory,
       et.typname AS elem_typname, et.typcategory AS elem_category
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
ORDER BY a.attnum`;

// Only plain (non-partial, non-expression) unique indexes can serve as ON CONFLICT targets.
const UNIQUE_SQL = `
SELECT i.indisprimary AS primary,
       array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, o)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             ORDER BY k.o)::text[] AS cols
FROM pg_index i
WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL`;

const LINKS_SQL = `
SELECT DISTINCT CASE WHEN conrelid = $1 THEN confrelid ELSE conrelid END AS other
FROM pg_constraint
WHERE contype = 'f' AND (conrelid = $1 OR confrelid = $1) AND conrelid <> confrelid`;

/**
 * Loads a table's columns and keys; `undefined` when the table does not exist. A table in a
 * system schema is refused (a `RecordProblem`) even though routes naming one are already
 * rejected: this is the last check before SQL touches the table, whatever resolved the name.
 */
export async function loadTable(
  client: pg.ClientBase,
  name: ResolvedName,
): Promise<TableInfo | undefined> {
  if (isSystemSchema(name.schema)) throw systemSchema(name);
  const t = await client.query<{ oid: number; nspname: string; relname: string }>(TABLE_SQL, [
    name.schema,
    name.table,
  ]);
  const row = t.rows[0];
  if (!row) return undefined;
  if (isSystemSchema(row.nspname)) throw systemSchema({ schema: row.nspname, table: row.relname });
  const cols = await client.query<{
    attname: string;
    type: string;
    typname: string;
    typcategory: string;
    elem_typname: string | null;
    elem_category: string | null;
  }>(COLUMNS_SQL, [row.oid]);
  const uniq = await client.query<{ primary: boolean; cols: string[] }>(UNIQUE_SQL, [row.oid]);
  const links = await client.query<{ other: number }>(LINKS_SQL, [row.oid]);
  const columns = new Map<string, ColumnInfo>();
  for (const c of cols.rows) {
    const scale = numericScale(c.type);
    columns.set(c.attname, {
      name: c.attname,
      type: c.type,
      kind: kindOf(c.typname, c.typcategory),
      elementKind: c.elem_typname ? kindOf(c.elem_typname, c.elem_category ?? '') : 'other',
      ...(scale !== undefined ? { scale } : {}),
    });
  }
  const resolved: ResolvedName = { schema: row.nspname, table: row.relname };
  return {
    oid: row.oid,
    links: links.rows.map((l) => l.other),
    name: resolved,
    sql: qualified(resolved),
    columns,
    primaryKey: uniq.rows.find((u) => u.primary)?.cols ?? [],
    uniqueKeys: uniq.rows.map((u) => u.cols),
  };
}

function systemSchema(name: ResolvedName): RecordProblem {
  return new RecordProblem(
    `table ${display(name)} is in the system schema "${name.schema}"; the destination never writes there`,
  );
}

/** Per-destination cache of table metadata; cleared whenever a transaction fails. */
export class TableCache {
  readonly #tables = new Map<string, TableInfo>();

  get(name: ResolvedName): TableInfo | undefined {
    return this.#tables.get(tableKey(name));
  }

  set(name: ResolvedName, info: TableInfo): void {
    this.#tables.set(tableKey(name), info);
  }

  delete(name: ResolvedName): void {
    this.#tables.delete(tableKey(name));
  }

  clear(): void {
    this.#tables.clear();
  }
}
