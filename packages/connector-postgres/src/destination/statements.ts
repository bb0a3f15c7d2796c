import type { TableInfo } from './catalog.js';
import { quote } from './identifiers.js';

export type StatementKind = 'upsert' | 'insert' | 'delete';

/** One rendered row: the batch index of its record and the text value per statement column. */
export interface Row {
  index: number;
  values: (string | null)[];
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

export function signature(s: Omit<Statement, 'rows'>): string {
  return JSON.stringify([s.kind, s.table.sql, s.columns, s.conflict, s.update]);
}

export interface Query {
  text: string;
  values: (string | null)[][];
}

/** SQL and parameters for a statement restricted to `rows`. */
export function toQuery(s: Statement, rows: readonly Row[]): Query {
  const cols = s.columns.map(quote);
  const types = s.columns.map((c) => s.table.columns.get(c)?.type ?? 'text');
  const values = s.columns.map((_, j) => rows.map((r) => r.values[j] ?? null));
  const unnest = `unnest(${cols.map((_, j) => `$${j + 1}::text[]`).join(', ')}) AS u(${cols.join(', ')})`;
  if (s.kind === 'delete') {
    const match = cols.map((c, j) => `t.${c} = u.${c}::${types[j]}`).join(' AND ');
    return { text: `DELETE FROM ${s.table.sql} AS t USING ${unnest} WHERE ${match}`, values };
  }
  const select = cols.map((c, j) => `u.${c}::${types[j]}`).join(', ');
  let text = `INSERT INTO ${s.table.sql} (${cols.join(', ')}) SELECT ${select} FROM ${unnest}`;
  if (s.kind === 'upsert') {
    const target = s.conflict.map(quote).join(', ');
    text +=
      s.update.length === 0
        ? ` ON CONFLICT (${target}) DO NOTHING`
        : ` ON CONFLICT (${target}) DO UPDATE SET ${s.update.map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`).join(', ')}`;
  }
  return { text, values };
}
