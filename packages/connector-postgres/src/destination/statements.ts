import type { TableInfo } from './catalog.js';
import { quote } from './identifiers.js';
import { onConflict } from './staging.js';

/**
 * `rekey`: one row whose values are the new key then the old key (a primary-key change).
 * `truncate`: one row per truncated table (`Row.table`), no values.
 */
export type StatementKind = 'upsert' | 'insert' | 'delete' | 'rekey' | 'truncate';

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
}

/** Same table, operation and columns: the rows can share one statement. */
export function sameShape(a: Statement, b: Statement): boolean {
  return (
    a.kind === b.kind &&
    a.table === b.table &&
    sameList(a.columns, b.columns) &&
    sameList(a.conflict, b.conflict) &&
    sameList(a.update, b.update)
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
  if (s.kind === 'rekey') {
    // Moving the row (instead of delete + insert) keeps the columns the record does not carry,
    // such as unchanged TOAST values.
    const k = cols.length;
    const set = cols.map((c, j) => `${c} = $${j + 1}::${types[j]}`).join(', ');
    const where = cols.map((c, j) => `${c} = $${k + j + 1}::${types[j]}`).join(' AND ');
    return {
      text: `UPDATE ${s.table.sql} SET ${set} WHERE ${where}`,
      values: rows[0]?.values ?? [],
    };
  }
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
