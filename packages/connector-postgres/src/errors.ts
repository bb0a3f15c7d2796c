/**
 * The connector's one reading of driver (pg) errors, for the source and the destination alike:
 * SQLSTATE classes, socket codes and pg's own messages become a kind (`errorKind`), and the
 * sides wrap what they report into the sdk's classes (`wrapTransient`, `classify`,
 * `connectConfigError`) so the runtime decides by class only.
 */
import { ConfigError, causeChain, TransientError } from '@opencdc-ts/sdk';

/**
 * What a driver error means:
 * - `transient`: the session is gone or a new attempt can get past it; retrying on a new
 *   connection can succeed.
 * - `record`: the data or the target of ONE record is the problem (the destination finds and
 *   dead-letters the record).
 * - `config`: the server refused the connection settings (user, password, database); retrying
 *   cannot fix it.
 * - `other`: anything else (a bug, or a state retrying cannot fix).
 */
export type ErrorKind = 'transient' | 'record' | 'config' | 'other';

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * SQLSTATE classes by kind. Record: 22 data exception, 23 integrity constraint, 42 undefined or
 * invalid object or privilege, 44 WITH CHECK OPTION, P0 raised by a trigger, 2F/38/39 function
 * and trigger failures, 54 program limit exceeded (e.g. a value nested too deep for the server's
 * stack: one record's data; a careful replay finds it). Transient: 08 connection exception, 57
 * operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now),
 * 40 transaction rollback (40001 serialization failure, 40P01 deadlock), 53 insufficient
 * resources, 55 object not in prerequisite state (a lock not available, 55006 a slot still held
 * by the previous walsender), 58 system error. Config: 28 invalid authorization (wrong user or
 * password), 3D invalid catalog name (3D000 unknown database).
 */
const RECORD_CLASSES = new Set(['22', '23', '42', '44', '54', 'P0', '2F', '38', '39']);
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '55', '57', '58']);
const CONFIG_CLASSES = new Set(['28', '3D']);

/**
 * Socket-level error codes (ECONNRESET, ECONNREFUSED, ECONNABORTED, EPIPE, ETIMEDOUT, ENOTFOUND,
 * EAI_AGAIN, ENETUNREACH, EHOSTUNREACH, ...). No SQLSTATE class starts with `E`, so they are
 * read before SQLSTATEs (EPIPE has the shape of one).
 */
const SOCKET_CODE = /^E[A-Z_]+$/;

/**
 * Messages of errors without a SQLSTATE that mean a lost or unavailable session: pg's own
 * "Connection terminated (unexpectedly)", "Client was closed and is not queryable", "Query read
 * timeout", "socket hang up", a socket code named in a message, a slot "is active for PID", "the
 * database system is starting up / shutting down / in recovery mode".
 */
const TRANSIENT_MESSAGE =
  /connection|terminat|timeout|not queryable|Client was closed|socket hang up|is active for PID|the database system is (starting up|shutting down|in recovery mode)|ECONN\w*|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/i;

/** The kind one error of a cause chain says, or undefined when it says nothing. */
function linkKind(e: unknown): ErrorKind | undefined {
  if (e instanceof TransientError) return 'transient';
  if (e instanceof ConfigError) return 'config';
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (SOCKET_CODE.test(code)) return 'transient';
    if (SQLSTATE.test(code)) return sqlstateKind(code);
  }
  const message = (e as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return 'transient';
  return undefined;
}

/** The kind of a SQLSTATE, by its class (the first two characters). */
export function sqlstateKind(code: string): ErrorKind {
  const cls = code.slice(0, 2);
  if (RECORD_CLASSES.has(cls)) return 'record';
  if (TRANSIENT_CLASSES.has(cls)) return 'transient';
  if (CONFIG_CLASSES.has(cls)) return 'config';
  return 'other';
}

/**
 * The kind of a driver error, looking through its whole cause chain: transient when any error of
 * the chain is (a lost session is retried however it was wrapped); otherwise the first error of
 * the chain that says something decides; `other` when none does.
 */
export function errorKind(err: unknown): ErrorKind {
  let first: ErrorKind | undefined;
  for (const e of causeChain(err)) {
    const kind = linkKind(e);
    if (kind === 'transient') return kind;
    first ??= kind;
  }
  return first ?? 'other';
}

/** The error's message with its SQLSTATE and detail, for error messages and logs. */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; detail?: string };
  return `${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}${e.detail ? `: ${e.detail}` : ''}`;
}

/**
 * The boundary of both sides: a transient driver error becomes a `TransientError` whose message
 * is `context` and the driver error (the runtime retries on a new connection, never
 * dead-letters); any other error, and a `TransientError`, is returned as it is.
 */
export function wrapTransient(err: unknown, context = ''): unknown {
  if (err instanceof TransientError || errorKind(err) !== 'transient') return err;
  return new TransientError(`${context}${describe(err)}`, { cause: err });
}

/**
 * The error the source reports: `TransientError` and `ConfigError` as they are, transient driver
 * errors wrapped in a `TransientError` (retried from the last ack), anything else a plain error.
 */
export function classify(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (err instanceof ConfigError) return err;
  return wrapTransient(err) as Error;
}

/**
 * An error the server reported for a statement (it has a SQLSTATE) and that is not transient:
 * the statement's data or target is the problem, so retrying record by record can find the
 * record. Anything else (a dropped connection, a bug) is not blamed on a record.
 */
export function isStatementError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    SQLSTATE.test(code) &&
    !SOCKET_CODE.test(code) &&
    errorKind(err) !== 'transient'
  );
}

/**
 * A refused connection that retrying cannot fix (class 28: wrong user or password, or refused by
 * pg_hba.conf; 3D000: unknown database) as a `ConfigError` on `url` (its password hidden);
 * undefined for any other error.
 */
export function connectConfigError(err: unknown, url: string): ConfigError | undefined {
  for (const e of causeChain(err)) {
    if (e instanceof ConfigError) return e;
    const x = e as { code?: unknown; message?: unknown } | null;
    const code = typeof x?.code === 'string' ? x.code : '';
    if (!SQLSTATE.test(code) || sqlstateKind(code) !== 'config') continue;
    return new ConfigError(
      {
        parameter: 'url',
        value: redactUrl(url),
        rule: `the server must accept the connection (${String(x?.message)})`,
        fix: code.startsWith('3D')
          ? 'name an existing database in the URL'
          : 'check the user and password in the URL and pg_hba.conf',
      },
      { cause: err },
    );
  }
  return undefined;
}

/** `url` without its password, for error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** A problem with one record: becomes `RecordError(index)` (the record is dead-lettered). */
export class RecordProblem extends Error {
  override readonly name = 'RecordProblem';
}
