import { quote } from '../sql.js';
import type { TableInfo } from './catalog.js';
import { onConflict } from './staging.js';

/**
 * `displace` then `rekey`: a primary-key change, one row whose values are the new key then the
 * old key (see `toQuery`).
 * `match-update` / `match-delete`: a keyless table, one row whose values are the after image's
 * columns (update) then the before image's `match` columns.
 * `truncate`: one row per truncated table (`Row.table`), no values.
 */
export type StatementKind =
  | 'upsert'
  | 'insert'
  | 'delete'
  | 'displace'
  | 'rekey'
  | 'match-update'
  | 'match-delete'
  | 'truncate';

/** One rendered row: the batch index of its record and the text value per statement column. */
export interface Row {
  index: number;
  values: (string | null)[];
  /** The record was an update (the row most likely exists): picks the bulk strategy. */
  update?: boolean;
  /** Truncate: the table this row's record truncates. */
  table?: TableInfo;
}

/**
 * One set-based statement over a run of consecutive records of the same table, operation and
 * column set. Rows travel as one `text[]` parameter per column and are cast in SQL, so SQL text
 * only ever contains quoted catalog names and `$n` placeholders.
 */
export interface Statement {
  kind: StatementKind;
  table: TableInfo;
  /** Columns written (insert/upsert) or matched (delete). */
  columns: string[];
  /** Upsert: the conflict target (a unique key). */
  conflict: string[];
  /** Upsert: columns set on conflict (non-key columns, minus unchanged TOAST columns). */
  update: string[];
  rows: Row[];
  /** match-update / match-delete: the before image's columns that find the row. */
  match?: string[];
}

const NONE: readonly string[] = [];

/** Same table, operation and columns: the rows can share one statement. */
export function sameShape(a: Statement, b: Statement): boolean {
  return (
    a.kind === b.kind &&
    a.table === b.table &&
    sameList(a.columns, b.columns) &&
    sameList(a.conflict, b.conflict) &&
    sameList(a.update, b.update) &&
    (a.match === b.match || sameList(a.match ?? NONE, b.match ?? NONE))
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface Query {
  text: string;
  /** One `text[]` per column, or (rekey) one text per placeholder. */
  values: unknown[];
}

/** The SQL type of each of the statement's columns (`format_type` text, used in casts). */
export function columnTypes(s: Statement): string[] {
  return s.columns.map((c) => s.table.columns.get(c)?.type ?? 'text');
}

/** SQL and parameters for a statement restricted to `rows`. */
export function toQuery(s: Statement, rows: readonly Row[]): Query {
  if (s.kind === 'truncate') {
    const tables = [...new Set(rows.map((r) => (r.table ?? s.table).sql))];
    return { text: `TRUNCATE ${tables.join(', ')}`, values: [] };
  }
  const cols = s.columns.map(quote);
  const types = columnTypes(s);
  if (s.kind === 'displace' || s.kind === 'rekey') {
    // A key change runs `displace`, `rekey`, then the upsert, so replaying it is harmless:
    // - displace: when a row already holds the new key (a replay; a resumed snapshot that
    //   copied the row under its new key), the old-key row goes (ON DELETE rules apply);
    //   moving it would collide (23505) forever;
    // - rekey: otherwise the old row moves to the new key. An UPDATE, not delete + insert:
    //   columns the record does not carry (unchanged TOAST values) stay, and ON UPDATE
    //   CASCADE foreign keys follow. After `displace` it can no longer collide.
    const k = cols.length;
    const newKey = cols.map((_, j) => `$${j + 1}::${types[j]}`).join(', ');
    const oldKey = cols.map((_, j) => `$${k + j + 1}::${types[j]}`).join(', ');
    const key = `(${cols.join(', ')})`;
    const text =
      s.kind === 'displace'
        ? `DELETE FROM ${s.table.sql} WHERE ${key} = (${oldKey}) AND EXISTS (SELECT 1 FROM ${s.table.sql} WHERE ${key} = (${newKey}))`
        : `UPDATE ${s.table.sql} SET ${key} = ROW(${newKey}) WHERE ${key} = (${oldKey})`;
    return { text, values: rows[0]?.values ?? [] };
  }
  if (s.kind === 'match-update' || s.kind === 'match-delete') return matchQuery(s, rows[0]!);
  const values = s.columns.map((_, j) => rows.map((r) => r.values[j] ?? null));
  const unnest = `unnest(${cols.map((_, j) => `$${j + 1}::text[]`).join(', ')}) AS u(${cols.join(', ')})`;
  if (s.kind === 'delete') {
    const match = cols.map((c, j) => `t.${c} = u.${c}::${types[j]}`).join(' AND ');
    return { text: `DELETE FROM ${s.table.sql} AS t USING ${unnest} WHERE ${match}`, values };
  }
  const select = cols.map((c, j) => `u.${c}::${types[j]}`).join(', ');
  let text = `INSERT INTO ${s.table.sql} (${cols.join(', ')}) SELECT ${select} FROM ${unnest}`;
  if (s.kind === 'upsert') text += onConflict(s);
  return { text, values };
}

/**
 * Keyless tables: the row is found by its before image and picked by its physical address
 * (`tableoid`, which tells partitions apart, and `ctid`), so exactly ONE of several identical
 * rows changes. Each before column is compared null-safely (`IS NOT DISTINCT FROM`) as text,
 * the value cast to the column's type first (so `1.50` and `1.5` in numeric(10,2), or two
 * spellings of one timestamp, compare equal): every type has a text form, even those without
 * an equality operator (point, xml). json/jsonb compare as jsonb (key order and whitespace do
 * not matter). Nothing here can use an index: each such record scans the table.
 *
 * match-update: when no row matches the before image, the after image is inserted, unless an
 * identical row already exists (a replay of this update): replaying is then harmless.
 */
function matchQuery(s: Statement, row: Row): Query {
  const t = s.table.sql;
  const n = s.columns.length;
  const match = s.match ?? [];
  const param = (col: string, at: number): string =>
    `$${at}::${s.table.columns.get(col)?.type ?? 'text'}`;
  const same = (cols: readonly string[], first: number): string =>
    cols
      .map((c, j) => {
        const info = s.table.columns.get(c);
        const p = param(c, first + j);
        return info?.kind === 'json'
          ? `x.${quote(c)}::jsonb IS NOT DISTINCT FROM ${p}::jsonb`
          : `x.${quote(c)}::text IS NOT DISTINCT FROM (${p})::text`;
      })
      .join(' AND ');
  const find = `WITH m AS (SELECT x.tableoid AS o, x.ctid AS c FROM ${t} AS x WHERE ${same(match, n + 1)} LIMIT 1)`;
  const picked = 'tableoid = (SELECT o FROM m) AND ctid = (SELECT c FROM m)';
  if (s.kind === 'match-delete') {
    return { text: `${find} DELETE FROM ${t} WHERE ${picked}`, values: row.values };
  }
  const cols = s.columns.map(quote);
  const after = s.columns.map((c, j) => param(c, j + 1));
  const set = cols.map((c, j) => `${c} = ${after[j]}`).join(', ');
  const text = `${find}, u AS (UPDATE ${t} SET ${set} WHERE ${picked} RETURNING 1) INSERT INTO ${t} (${cols.join(', ')}) SELECT ${after.join(', ')} WHERE NOT EXISTS (SELECT 1 FROM u) AND NOT EXISTS (SELECT 1 FROM ${t} AS x WHERE ${same(s.columns, 1)})`;
  return { text, values: row.values };
}
