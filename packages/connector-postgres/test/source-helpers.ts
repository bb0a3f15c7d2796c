/** Helpers for tests of the Postgres source (also usable by the acceptance test). */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { ConnectorContext, Source } from '@opencdc-ts/sdk';
import pg from 'pg';
import { sourceSide } from '../src/source/index.js';

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
export function sourceSettings(
  url: string,
  extra: { [k: string]: string } = {},
): { [k: string]: string } {
  return {
    url,
    'logrepl.slotName': uniqueName('slot'),
    'logrepl.publicationName': uniqueName('pub'),
    'logrepl.heartbeatInterval': '1s',
    'logrepl.tableDiscoveryInterval': '1s',
    ...extra,
  };
}

export async function openSource(
  settings: { [k: string]: string },
  position?: Uint8Array,
): Promise<Source> {
  const source = sourceSide.create(sourceSide.config.parse(settings), quietContext());
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
export async function cleanup(settings: { [k: string]: string }): Promise<void> {
  await sourceSide.onDeleted?.(sourceSide.config.parse(settings), quietContext());
}

export const after = (r: OpenCDCRecord) => r.payload.after as { [k: string]: unknown };
export const keyOf = (r: OpenCDCRecord) => r.key as { [k: string]: unknown };
export const collection = (r: OpenCDCRecord) => r.metadata.get('opencdc.collection');

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
