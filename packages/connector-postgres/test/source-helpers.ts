/**
 * Helpers for the integration tests that run the Postgres source: a database per test file,
 * sources from settings, read loops, and the Postgres-to-Postgres pipeline of the e2e tests.
 */
import { MetadataKeys, type OpenCDCRecord } from '@opencdc-ts/commons';
import type { ConnectorContext, Destination, Source } from '@opencdc-ts/sdk';
import { createTestDatabase } from '@opencdc-ts/testing';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { sourceSide } from '../src/source/index.js';
import { type Harness, harness } from './destination-helpers.js';

export type Settings = { [k: string]: string };

export const quietContext = (id = 'test:source'): ConnectorContext => ({
  connectorId: id,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
});

let n = 0;
/** A slot/publication name unique to this process and call. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${n++}`.toLowerCase();
}

/** Settings for a source on `url` with a unique slot and publication. */
export function sourceSettings(url: string, extra: Settings = {}): Settings {
  return {
    url,
    'logrepl.slotName': uniqueName('slot'),
    'logrepl.publicationName': uniqueName('pub'),
    'logrepl.heartbeatInterval': '1s',
    'logrepl.tableDiscoveryInterval': '1s',
    ...extra,
  };
}

/** A source built from `settings`, not opened yet. */
export function createSource(settings: Settings, connectorId?: string): Source {
  return sourceSide.create(sourceSide.config.parse(settings), quietContext(connectorId));
}

export async function openSource(settings: Settings, position?: Uint8Array): Promise<Source> {
  const source = createSource(settings);
  await source.open(position);
  return source;
}

/** Reads until `count` records arrived (or fails after `timeoutMs`). */
export async function readCount(
  source: Source,
  count: number,
  timeoutMs = 30_000,
): Promise<OpenCDCRecord[]> {
  const out: OpenCDCRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out: read ${out.length} of ${count} records`);
    const signal = AbortSignal.timeout(left);
    try {
      out.push(...(await source.read(count - out.length, signal)));
    } catch (e) {
      if (signal.aborted) throw new Error(`timed out: read ${out.length} of ${count} records`);
      throw e;
    }
  }
  return out;
}

/** Reads whatever arrives within `ms` (for asserting that nothing more comes). */
export async function readFor(source: Source, ms: number): Promise<OpenCDCRecord[]> {
  const out: OpenCDCRecord[] = [];
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return out;
    try {
      out.push(...(await source.read(10_000, AbortSignal.timeout(left))));
    } catch {
      return out;
    }
  }
}

export async function sql(url: string, text: string, values?: unknown[]): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}

/** Drops the slot and publication of `settings` (test cleanup). */
export async function cleanup(settings: Settings): Promise<void> {
  await sourceSide.onDeleted?.(sourceSide.config.parse(settings), quietContext());
}

/**
 * Gives the calling test file its own database, created before its tests (`ready` receives the
 * url and may create the tables the tests share). Returns `settings`: source settings on that
 * database with a unique slot and publication, both dropped after the file's tests.
 */
export function useSourceDatabase(
  prefix: string,
  ready: (url: string) => void | Promise<void>,
): (extra?: Settings) => Settings {
  let url: string;
  const toClean: Settings[] = [];
  beforeAll(async () => {
    url = await createTestDatabase(inject('pgUrl'), prefix);
    await ready(url);
  });
  afterAll(async () => {
    for (const s of toClean) await cleanup(s).catch(() => undefined);
  });
  return (extra = {}) => {
    const s = sourceSettings(url, extra);
    toClean.push(s);
    return s;
  };
}

/** Reads `n` records from `source`, writes them to `dest`, then acks them: one runtime step. */
export async function transfer(
  source: Source,
  dest: Destination,
  n: number,
): Promise<OpenCDCRecord[]> {
  const records = await readCount(source, n);
  await dest.write(records);
  await source.ack(records.map((r) => r.position));
  return records;
}

/** A source database and a destination database for one Postgres-to-Postgres test file. */
export interface PgToPg {
  readonly upstreamUrl: string;
  /** A client on the source database. */
  readonly upstream: pg.Client;
  /** The destination database and its destinations. */
  readonly down: Harness;
  /**
   * Opens a source on the source database; the one opened last is torn down after the file's
   * tests (tear down any earlier one yourself before opening the next).
   */
  openSource(settings: Settings, position?: Uint8Array): Promise<Source>;
  /** Source settings whose slot and publication are dropped after the file's tests. */
  settings(extra?: Settings): Settings;
}

/** Registers the hooks that create (before all tests) and close (after) a `PgToPg`. */
export function usePgToPg(sourcePrefix: string, destinationPrefix: string): PgToPg {
  let upstreamUrl: string;
  let upstream: pg.Client;
  let down: Harness;
  let source: Source | undefined;
  const toClean: Settings[] = [];
  beforeAll(async () => {
    upstreamUrl = await createTestDatabase(inject('pgUrl'), sourcePrefix);
    upstream = new pg.Client({ connectionString: upstreamUrl });
    await upstream.connect();
    down = await harness(destinationPrefix);
  });
  afterAll(async () => {
    await source?.teardown();
    for (const s of toClean) await cleanup(s).catch(() => undefined);
    await upstream?.end();
    await down?.close();
  });
  return {
    get upstreamUrl() {
      return upstreamUrl;
    },
    get upstream() {
      return upstream;
    },
    get down() {
      return down;
    },
    async openSource(settings, position) {
      source = undefined;
      source = await openSource(settings, position);
      return source;
    },
    settings(extra = {}) {
      const s = sourceSettings(upstreamUrl, extra);
      toClean.push(s);
      return s;
    },
  };
}

export const after = (r: OpenCDCRecord) => r.payload.after as { [k: string]: unknown };
export const keyOf = (r: OpenCDCRecord) => r.key as { [k: string]: unknown };
export const collection = (r: OpenCDCRecord) => r.metadata.get(MetadataKeys.collection);

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** `url` with its user replaced by `role` (the test server trusts local connections). */
export function urlAs(url: string, role: string): string {
  const u = new URL(url);
  u.username = role;
  return u.toString();
}

/** Drops test roles and what they own, ignoring roles already gone. */
export async function dropRoles(url: string, roles: readonly string[]): Promise<void> {
  await sql(url, `DROP OWNED BY ${roles.join(', ')}`).catch(() => undefined);
  for (const r of roles) await sql(url, `DROP ROLE IF EXISTS ${r}`).catch(() => undefined);
}
