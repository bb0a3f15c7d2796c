/**
 * Every connection of the source is made here, so none can be without an `'error'` listener:
 * pg emits `'error'` when the server ends a session that has no query in flight (a restart's
 * 57P01, a dropped socket), and an EventEmitter without a listener throws it out of the socket
 * callback, killing the whole process (every pipeline in it) instead of one retry.
 */
import { TransientError } from '@opencdc-ts/sdk';
import pg from 'pg';
import { connectConfigError } from '../errors.js';

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
 * problems of `url` (retrying cannot fix them; see `connectConfigError`); anything else (refused,
 * server starting up or shutting down) is transient.
 */
export async function connect(c: pg.Client, url: string): Promise<void> {
  try {
    await c.connect();
  } catch (e) {
    throw (
      connectConfigError(e, url) ??
      new TransientError(`cannot connect to Postgres: ${(e as Error).message}`, { cause: e })
    );
  }
}
