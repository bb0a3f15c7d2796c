/**
 * Consistent snapshot of many tables: keyset pagination on the primary key (any orderable type,
 * composite keys included; `ctid` for key-less REPLICA IDENTITY FULL tables), tables in parallel
 * with bounded concurrency, all sessions on the slot's exported snapshot when there is one.
 * A table starts only once the tables it references (`deps`) are fully emitted.
 */
import {
  Metadata,
  MetadataKeys,
  type OpenCDCRecord,
  type StructuredData,
  snapshotRecord,
} from '@opencdc-ts/commons';
import type pg from 'pg';
import { literal, quote, sqlName } from '../sql.js';
import type { TableInfo } from './catalog.js';
import { connect, lastError, newClient } from './connection.js';
import { type SnapState, StateJson } from './position.js';
import type { TypeRegistry } from './values.js';

/** Return values in Postgres' text form: one decoder (values.ts) serves snapshot and CDC alike. */
const RAW_TYPES = { getTypeParser: () => (v: string) => v };

export interface SnapshotOptions {
  url: string;
  clientOptions: string;
  tables: readonly TableInfo[];
  state: SnapState;
  snapshotName: string | undefined;
  fetchSize: number;
  concurrency: number;
  types: TypeRegistry;
  /** Queues a record; returns a promise only when the buffer is full (backpressure). */
  /** `bytes`: the row's size in text form, for the buffer's byte bound. */
  emit: (r: OpenCDCRecord, bytes: number) => Promise<void> | undefined;
  /** The position of a row from the state map's JSON (`snapshotPosition` or a backfill's). */
  position: (stateJson: string) => Uint8Array;
  stopped: () => boolean;
  /** Collection → collections whose snapshot must be fully emitted before it starts (FKs). */
  deps?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * A snapshot session lost its connection (server restart, killed backend): the owner fails at
   * once, even when this worker is idle waiting for buffer space and would only notice later.
   */
  onConnectionError?: (e: Error) => void;
}

export async function runSnapshot(o: SnapshotOptions): Promise<void> {
  const json = new StateJson(o.state);
  const pending = o.tables.filter((t) => !o.state[t.collection]?.d);
  const workers = Math.min(o.concurrency, pending.length);
  // Workers wait here for a table whose parents are done; any table finishing (or failing) wakes them.
  let waiters: (() => void)[] = [];
  let failed = false;
  const wake = (): void => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const ready = (t: TableInfo): boolean => {
    for (const d of o.deps?.get(t.collection) ?? []) if (!o.state[d]?.d) return false;
    return true;
  };
  const next = async (): Promise<TableInfo | undefined> => {
    for (;;) {
      if (failed || o.stopped() || pending.length === 0) return undefined;
      const i = pending.findIndex(ready);
      if (i >= 0) return pending.splice(i, 1)[0];
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const run = async (): Promise<void> => {
    const client = newClient({ url: o.url, options: o.clientOptions }, (e) => {
      failed = true;
      wake();
      o.onConnectionError?.(e);
    });
    try {
      await connect(client, o.url);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (o.snapshotName) await client.query(`SET TRANSACTION SNAPSHOT ${literal(o.snapshotName)}`);
      for (let t = await next(); t; t = await next()) {
        try {
          await snapshotTable(client, t, o, json);
        } finally {
          wake();
        }
      }
      await client.query('COMMIT');
    } catch (e) {
      failed = true;
      wake();
      // A query on a client that already lost its connection only says "not queryable": report
      // the server's reason (57P01 …) instead.
      throw lastError(client) ?? e;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: workers }, run));
}

async function snapshotTable(
  client: pg.Client,
  t: TableInfo,
  o: SnapshotOptions,
  json: StateJson,
): Promise<void> {
  const byCtid = t.primaryKey.length === 0;
  const cols = t.columns;
  const decoders = cols.map((c) => o.types.decoder(c.typeOid));
  const keyIdx = byCtid ? [] : t.primaryKey.map((k) => cols.findIndex((c) => c.name === k));
  // A key-less table is read in physical (tid) order. The system columns are selected as text
  // but ordered and compared as the qualified columns (`t.ctid`): `ORDER BY ctid` next to
  // `ctid::text` in the select list sorts by that TEXT output column ('(10,1)' < '(2,1)'), and
  // resuming after a text-ordered ctid skipped whole page ranges. A partitioned table's rows live
  // in several partitions whose ctids repeat, so there the order is (tableoid, ctid).
  const sys = !byCtid ? [] : t.partitioned ? ['tableoid', 'ctid'] : ['ctid'];
  const keyTypes = byCtid
    ? sys.map((k) => (k === 'ctid' ? 'tid' : 'oid'))
    : keyIdx.map((i) => cols[i]!.sqlType);
  const order = (byCtid ? sys : t.primaryKey.map(quote)).map((k) => `t.${k}`).join(', ');
  const select = `SELECT ${sys.map((k) => `t.${k}::text, `).join('')}${cols.map((c) => `t.${quote(c.name)}`).join(', ')} FROM ${sqlName(t)} t`;
  const where = `(${order}) > (${keyTypes.map((ty, i) => `$${i + 1}::${ty}`).join(', ')})`;
  const off = sys.length;
  // A plain key-less table is read in windows of `span` blocks (a TID range scan on 14+): each
  // query sorts one window, not the whole rest of the table. `blocks` is the size when the
  // snapshot's transaction runs; rows visible to the snapshot cannot lie beyond it.
  const windowed = byCtid && !t.partitioned;
  const blocks = windowed ? await relationBlocks(client, t) : 0;
  const span = Math.max(1, Math.ceil(o.fetchSize / 16));
  let last = o.state[t.collection]?.k;
  const collection = t.collection;
  for (;;) {
    if (o.stopped()) return;
    let windowEnd = 0;
    let text: string;
    let values: string[];
    if (windowed) {
      // `(b,0)` precedes every tuple of block b (offsets start at 1).
      const from = last?.[0] ?? '(0,0)';
      windowEnd = blockOf(from) + span;
      text = `${select} WHERE t.ctid > $1::tid AND t.ctid < $2::tid ORDER BY t.ctid LIMIT ${o.fetchSize}`;
      values = [from, `(${windowEnd},0)`];
    } else {
      text = `${select}${last ? ` WHERE ${where}` : ''} ORDER BY ${order} LIMIT ${o.fetchSize}`;
      values = last ?? [];
    }
    const res = await client.query<string[]>({
      text,
      values,
      rowMode: 'array',
      types: RAW_TYPES,
    });
    for (const row of res.rows) {
      const after: StructuredData = {};
      let bytes = 0;
      for (let i = 0; i < cols.length; i++) {
        const v = row[i + off];
        if (v != null) bytes += v.length;
        after[cols[i]!.name] = v == null ? null : decoders[i]!(v);
      }
      let key: StructuredData | null = null;
      if (byCtid) last = row.slice(0, off) as string[];
      else {
        last = keyIdx.map((i) => row[i]!);
        key = {};
        for (const i of keyIdx) key[cols[i]!.name] = after[cols[i]!.name] ?? null;
      }
      json.set(collection, { k: last });
      const md = new Metadata();
      md.set(MetadataKeys.collection, collection);
      const p = o.emit(
        snapshotRecord({
          position: o.position(json.json(collection)),
          metadata: md,
          key,
          after,
        }),
        bytes,
      );
      if (p) await p;
    }
    if (res.rows.length < o.fetchSize) {
      if (!windowed || windowEnd >= blocks) break;
      // Window exhausted: go on from the start of the next one (not yet a position: the next
      // row read sets one).
      last = [`(${windowEnd},0)`];
    }
  }
  json.set(collection, { d: 1 });
  o.state[collection] = { d: 1 };
}

/** Blocks of `t`'s main fork now. */
async function relationBlocks(client: pg.Client, t: TableInfo): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    "SELECT (pg_relation_size($1::oid::regclass) / current_setting('block_size')::int)::text AS n",
    [t.oid],
  );
  return Number(rows[0]!.n);
}

/** The block number of a tid in text form, `(block,offset)`. */
function blockOf(tid: string): number {
  return Number.parseInt(tid.slice(1), 10);
}
