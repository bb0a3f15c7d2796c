import { causeChain, TransientError } from '@opencdc-ts/sdk';

/** A problem with one record: becomes `RecordError(index)` (the record is dead-lettered). */
export class RecordProblem extends Error {
  override readonly name = 'RecordProblem';
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Which of the three kinds a driver (pg) error is; the destination's only place that reads
 * SQLSTATEs and socket codes. SQLSTATE classes that concern the data or the target of ONE record
 * are record errors; connection, resource and concurrency classes are transient (retrying the
 * batch on a new connection can succeed): 08 connection exception, 57 operator intervention
 * (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now), 40 transaction
 * rollback (40001 serialization failure, 40P01 deadlock), 53 insufficient resources, 55 object
 * not in prerequisite state (a lock not available), 58 system error; so are socket errors and
 * pg's own errors for a lost connection, which have no SQLSTATE. Anything else is `other`.
 * The first error of the cause chain that says something decides.
 */
export function errorKind(err: unknown): 'record' | 'transient' | 'other' {
  for (const e of causeChain(err)) {
    if (e instanceof TransientError) return 'transient';
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && SQLSTATE.test(code)) {
      const cls = code.slice(0, 2);
      // 22 data exception, 23 integrity constraint, 42 undefined/invalid object or privilege,
      // 44 WITH CHECK OPTION, P0 raised by a trigger, 2F/38/39 function/trigger failures,
      // 54 program limit exceeded (e.g. a value nested too deep for the server's stack: one
      // record's data; a careful replay finds it).
      if (['22', '23', '42', '44', '54', 'P0', '2F', '38', '39'].includes(cls)) return 'record';
      if (['08', '40', '53', '57', '58', '55'].includes(cls)) return 'transient';
      return 'other';
    }
    // Socket-level errors (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EPIPE, ...).
    if (typeof code === 'string' && code.startsWith('E')) return 'transient';
    // pg's own "Connection terminated (unexpectedly)", "Client was closed and is not
    // queryable", "Query read timeout", "socket hang up".
    const msg = e instanceof Error ? e.message : '';
    if (/connection|terminat|timeout|not queryable|ECONN|socket hang up/i.test(msg))
      return 'transient';
  }
  return 'other';
}

/**
 * The destination's boundary: a transient driver error becomes a `TransientError` (the runtime
 * retries the batch on a new connection, never dead-letters it); any other error is returned as
 * it is.
 */
export function wrapTransient(err: unknown, context: string): unknown {
  if (err instanceof TransientError || errorKind(err) !== 'transient') return err;
  return new TransientError(`postgres destination: ${context}${describe(err)}`, { cause: err });
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
  return typeof code === 'string' && SQLSTATE.test(code) && errorKind(err) !== 'transient';
}
