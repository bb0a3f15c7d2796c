/**
 * Every connection of the source is made here, so none can be without an `'error'` listener:
 * pg emits `'error'` when the server ends a session that has no query in flight (a restart's
 * 57P01, a dropped socket), and an EventEmitter without a listener throws it out of the socket
 * callback, killing the whole process (every pipeline in it) instead of one retry.
 */
import { ConfigError, causeChain, TransientError } from '@opencdc-ts/sdk';
import pg from 'pg';

/** Session settings that make text values unambiguous (UTC, ISO dates, exact floats, hex bytea). */
export const CLIENT_OPTIONS =
  '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c bytea_output=hex';

export interface ClientOptions {
  url: string;
  options?: string;
  /** `database`: a logical replication (walsender) connection. */
  replication?: 'database';
}

/**
 * A client whose connection-level errors go to `onError` (the owner fails the source with a
 * TransientError) and are remembered: `lastError(client)` gives the original server error when a
 * later query only says the client is not queryable any more.
 */
export function newClient(o: ClientOptions, onError: (e: Error) => void): pg.Client {
  // `replication` is a startup parameter pg supports but @types/pg does not declare.
  const cfg = { connectionString: o.url, options: o.options, replication: o.replication };
  const client = new pg.Client(cfg as pg.ClientConfig);
  client.on('error', (e: Error) => {
    errors.set(client, e);
    onError(e);
  });
  return client;
}

const errors = new WeakMap<pg.Client, Error>();

/** The connection error `client` reported through `'error'`, if any. */
export function lastError(client: pg.Client): Error | undefined {
  return errors.get(client);
}

/**
 * Connects, classifying failures: authentication and unknown-database errors are configuration
 * problems of `url` (retrying cannot fix them); anything else (refused, server starting up or
 * shutting down) is transient.
 */
export async function connect(c: pg.Client, url: string): Promise<void> {
  try {
    await c.connect();
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code && /^(28|3D)/.test(err.code))
      throw new ConfigError(
        {
          parameter: 'url',
          value: redactUrl(url),
          rule: `the server must accept the connection (${err.message})`,
          fix:
            err.code === '3D000'
              ? 'name an existing database in the URL'
              : 'check the user and password in the URL and pg_hba.conf',
        },
        { cause: e },
      );
    throw new TransientError(`cannot connect to Postgres: ${err.message}`, { cause: e });
  }
}

/**
 * Errors that mean the session is gone (server restart or shutdown, killed backend, network) or
 * that a new attempt can get past (serialization failure, deadlock): a new session from the last
 * acked position succeeds, so they are retried, not fatal. The whole cause chain is looked at.
 */
export function isConnectionError(err: unknown): boolean {
  for (const e of causeChain(err)) {
    const x = e as { code?: unknown; message?: unknown } | null;
    const code = typeof x?.code === 'string' ? x.code : '';
    const message = typeof x?.message === 'string' ? x.message : '';
    if (
      /ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection terminated|terminating connection|connection (lost|closed|refused)|socket hang up|not queryable|Client was closed|is active for PID|the database system is (starting up|shutting down|in recovery mode)/.test(
        message,
      ) ||
      // Socket codes; 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now,
      // 08xxx connection exceptions, 40001 serialization failure, 40P01 deadlock, 55006 object in
      // use (the slot still held by the previous walsender).
      /^(E(CONN\w+|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|NOTFOUND|AI_AGAIN)|57P0[123]|08...|40001|40P01|55006)$/.test(
        code,
      )
    )
      return true;
  }
  return false;
}

/**
 * The error the source reports: `TransientError` and `ConfigError` as they are, session losses
 * (see `isConnectionError`) wrapped in a `TransientError` (retried from the last ack), anything
 * else a plain error (a bug, or a state retrying cannot fix).
 */
export function classify(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (err instanceof TransientError || err instanceof ConfigError) return err;
  return isConnectionError(err) ? new TransientError(err.message, { cause: err }) : err;
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
