/**
 * Rendering a record's values into a statement row: each value as text, as its column's
 * catalog entry says. Any failure is the record's problem, named by its field.
 */
import type { StructuredData } from '@opencdc-ts/commons';
import { RecordProblem } from '../errors.js';
import type { ColumnInfo, TableInfo } from './catalog.js';
import type { Row } from './statements.js';
import { toText } from './values.js';

/**
 * One row: each column's value as text, rendered as its catalog entry says. Any failure to
 * render a value (nested too deep, or anything unforeseen) is this record's problem, named by
 * its field (`payload.after.x: …`), never an error that fails the batch.
 */
export function render(
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

/**
 * `render` for columns looked up in `table` (key columns, before images): off the memoized
 * path, where the catalog entries are not already at hand.
 */
export function renderRow(
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

function renderValues(
  infos: readonly (ColumnInfo | undefined)[],
  columns: readonly string[],
  data: StructuredData,
): (string | null)[] {
  const values = new Array<string | null>(columns.length);
  for (let j = 0; j < columns.length; j++) {
    const col = infos[j];
    values[j] = toText(
      data[columns[j]!],
      col?.kind ?? 'other',
      col?.elementKind ?? 'other',
      col?.scale,
    );
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
      toText(data[columns[j]!], col?.kind ?? 'other', col?.elementKind ?? 'other', col?.scale);
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
