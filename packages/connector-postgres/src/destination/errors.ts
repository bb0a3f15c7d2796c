/** A problem with one record: becomes `RecordError(index)` (the record is dead-lettered). */
export class RecordProblem extends Error {
  override readonly name = 'RecordProblem';
}

/**
 * Which of the three kinds a driver error is. SQLSTATE classes that concern the data or the
 * target of ONE record are record errors; connection, resource and concurrency classes are
 * transient (retrying the batch can succeed); anything else is left as is.
 */
export function classify(err: unknown): 'record' | 'transient' | 'other' {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    const cls = code.slice(0, 2);
    // 22 data exception, 23 integrity constraint, 42 undefined/invalid object or privilege,
    // 44 WITH CHECK OPTION, P0 raised by a trigger, 2F/38/39 function/trigger failures,
    // 54 program limit exceeded (e.g. a value nested too deep for the server's stack: one
    // record's data; a careful replay finds it).
    if (['22', '23', '42', '44', '54', 'P0', '2F', '38', '39'].includes(cls)) return 'record';
    // 08 connection, 40 serialization/deadlock, 53 resources, 57 shutdown, 58 system, 55 lock.
    if (['08', '40', '53', '57', '58', '55'].includes(cls)) return 'transient';
    return 'other';
  }
  // Socket-level errors (ECONNRESET, ECONNREFUSED, ETIMEDOUT, ...) and pg's own
  // "Connection terminated" errors have no SQLSTATE.
  if (typeof code === 'string' && code.startsWith('E')) return 'transient';
  const msg = err instanceof Error ? err.message : '';
  if (/connection|terminat|timeout|not queryable|ECONN/i.test(msg)) return 'transient';
  return 'other';
}

export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; detail?: string };
  return `${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}${e.detail ? `: ${e.detail}` : ''}`;
}

/**
 * An error the server reported for a statement (it has a SQLSTATE) and that is not transient:
 * the statement's data or target is the problem, so retrying record by record can find the
 * record. Anything else (a dropped connection, a bug) is not blamed on a record.
 */
export function isStatementError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && classify(err) !== 'transient';
}
