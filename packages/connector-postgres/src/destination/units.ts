/**
 * Grouping the planner's ops into units: the statements that must succeed or fail together.
 * Same-shape rows merge into one set-based statement; tables no foreign key links are grouped
 * per table; an upsert keeps one row per key.
 */
import type { TableInfo } from './catalog.js';
import { type Row, type Statement, sameShape } from './statements.js';

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
export type Op = { shape: Statement; row: Row } | { statements: Statement[] };

function tableOf(op: Op): TableInfo {
  return 'shape' in op ? op.shape.table : op.statements[0]!.table;
}

/**
 * The units to execute `ops` in. An op joins the previous unit only when it has the same table,
 * operation and columns; anything else starts a new unit, so the order across tables is the
 * order of the source. `reorder`: group per table when no foreign key links the batch's tables
 * (never in careful mode, where a failure must leave exactly the records before it): the order
 * across tables cannot matter inside one transaction, and interleaved streams still get long
 * set-based runs. `maxRows`: most rows per set-based statement.
 */
export function buildUnits(ops: readonly Op[], reorder: boolean, maxRows: number): Unit[] {
  if (reorder && independent(ops)) {
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
  const units: Unit[] = [];
  for (const op of ops) {
    if ('shape' in op) {
      push(units, op.shape, op.row, maxRows);
      continue;
    }
    const s = op.statements[0]!;
    if (s.kind === 'truncate') {
      // Consecutive truncates (one source TRUNCATE of several tables) run as one statement, so
      // tables linked by foreign keys can be truncated together.
      const last = units.at(-1)?.statements[0];
      if (last?.kind === 'truncate') last.rows.push({ ...s.rows[0]!, table: s.table });
      else
        units.push({
          statements: [{ ...s, rows: [{ ...s.rows[0]!, table: s.table }] }],
          replaced: [],
          open: false,
        });
      continue;
    }
    units.push({ statements: op.statements, replaced: [], open: false });
  }
  return units;
}

/** No foreign key between two different tables of the batch. */
function independent(ops: readonly Op[]): boolean {
  const tables = new Set(ops.map(tableOf));
  if (tables.size < 2) return false;
  const oids = new Set([...tables].map((t) => t.oid));
  for (const t of tables) for (const other of t.links) if (oids.has(other)) return false;
  return true;
}

/** Appends a row of statement shape `s`, merging it into the previous unit when compatible. */
function push(units: Unit[], s: Statement, row: Row, maxRows: number): void {
  const last = units.at(-1);
  const prev = last?.open ? last.statements[0] : undefined;
  if (last && prev && prev.rows.length < maxRows && sameShape(prev, s)) {
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
  units.push(unit);
}

function conflictKey(s: Statement, row: Row): string {
  if (s.conflict.length === 1) return String(row.values[s.columns.indexOf(s.conflict[0]!)]);
  return JSON.stringify(s.conflict.map((c) => row.values[s.columns.indexOf(c)]));
}
