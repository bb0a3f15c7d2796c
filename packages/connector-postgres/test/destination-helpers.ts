import { type Data, Metadata, type OpenCDCRecord, type Operation } from '@opencdc-ts/commons';
import type { ConnectorContext, Destination } from '@opencdc-ts/sdk';
import { createTestDatabase } from '@opencdc-ts/testing';
import pg from 'pg';
import { inject } from 'vitest';
import { destinationSide } from '../src/destination/index.js';

let seq = 0;

export function rec(
  collection: string | undefined,
  operation: Operation,
  key: Data | null,
  after: Data | null,
  extra: { before?: Data | null; metadata?: { [k: string]: string }; position?: string } = {},
): OpenCDCRecord {
  const metadata = new Metadata(Object.entries(extra.metadata ?? {}));
  if (collection !== undefined) metadata.setCollection(collection);
  return {
    position: new TextEncoder().encode(extra.position ?? `p${++seq}`),
    operation,
    metadata,
    key,
    payload: { before: extra.before ?? null, after },
  };
}

export const ctx = (connectorId = 'test:destination'): ConnectorContext => ({
  connectorId,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
});

export interface Harness {
  url: string;
  db: pg.Client;
  open(settings?: { [k: string]: string }, connectorId?: string): Promise<Destination>;
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A fresh database, a SQL client on it, and destinations opened with the given settings. */
export async function harness(prefix: string): Promise<Harness> {
  const url = await createTestDatabase(inject('pgUrl'), prefix);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const opened: Destination[] = [];
  return {
    url,
    db,
    async open(settings = {}, connectorId) {
      const d = destinationSide.create(
        destinationSide.config.parse({ url, ...settings }),
        ctx(connectorId),
      );
      await d.open();
      opened.push(d);
      return d;
    },
    async rows(sql, params) {
      return (await db.query(sql, params)).rows;
    },
    async close() {
      for (const d of opened) await d.teardown();
      await db.end();
    },
  };
}

/** Runs `fn`, expecting it to reject; returns the error. */
export async function failure(fn: () => Promise<unknown>): Promise<Error & { index?: number }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { index?: number };
  }
  throw new Error('expected a failure');
}
