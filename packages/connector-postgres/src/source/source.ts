/**
 * The Postgres source: one consistent snapshot of the selected tables (exported by the slot),
 * then CDC from the slot's consistent point over `pgoutput`, with acks turned into flushed LSNs
 * only for what the pipeline acknowledged.
 */
import {
  createRecord,
  deleteRecord,
  Metadata,
  type OpenCDCRecord,
  type StructuredData,
  updateRecord,
} from '@opencdc-ts/commons';
import {
  AbortedError,
  type ConnectorContext,
  type Position,
  type Source,
  TransientError,
} from '@opencdc-ts/sdk';
import type pg from 'pg';
import {
  announceBackfill,
  BACKFILL_MESSAGE,
  checkIdentity,
  checkReadable,
  describeTables,
  dropSlot,
  ensurePublication,
  foreignKeys,
  listTables,
  partitionRoot,
  preflight,
  publicationPrivilegeError,
  publicationTables,
  resolveSelection,
  serverVersion,
  slotInfo,
  type TableInfo,
} from './catalog.js';
import { readAtNow } from './clock.js';
import type { SourceConfig } from './config.js';
import { classify, connect, newClient } from './connection.js';
import { formatLsn, parseLsn } from './lsn.js';
import { snapshotOrder } from './order.js';
import {
  type PgOutputMessage,
  type RelationColumn,
  type TupleValue,
  UNCHANGED_TOAST,
} from './pgoutput.js';
import {
  cdcPosition,
  cdcPositionAt,
  cdcPositionPrefix,
  decodePosition,
  type SnapState,
} from './position.js';
import { PG_EPOCH_MICROS, ReplicationStream, type WalMessage } from './replication.js';
import { runSnapshot } from './snapshot.js';
import {
  collectionOf,
  parseTablePatterns,
  quoteRef,
  selectTables,
  type TablePattern,
  type TableRef,
} from './tables.js';
import { TYPE_QUERY, TypeRegistry } from './values.js';

/** Metadata key listing (JSON array) the columns whose unchanged TOAST value was not sent. */
export const TOAST_UNCHANGED_KEY = 'postgres.toast.unchanged';

/** Metadata key set to `true` on the `delete` record that stands for a `TRUNCATE` of its table. */
export const TRUNCATE_KEY = 'postgres.truncate';

/** Session settings that make text values unambiguous (UTC, ISO dates, exact floats, hex bytea). */
export const CLIENT_OPTIONS =
  '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c bytea_output=hex';

/** Decoding state of one relation seen in the stream. */
interface Relation {
  collection: string;
  selected: boolean;
  columns: RelationColumn[];
  decoders: ((t: string) => unknown)[];
  /** Column indexes forming the record key (primary key; else the replica identity). */
  keyIdx: number[];
  /** The relation's replica identity as the stream announced it (`f` = full). */
  ident: string;
  /** Oid of the selected partitioned table this relation is a partition of (read as it). */
  partitionOf?: number;
}

interface Txn {
  xid: number;
  finalLsn: bigint;
  lsnText: string;
  posPrefix: Uint8Array;
  createdAt: string;
  index: number;
}

interface Backfill {
  table: TableInfo;
  state: SnapState;
}

const HIGH_WATER = 2000;
const LOW_WATER = 200;

export class PostgresSource implements Source {
  private readonly patterns: TablePattern[];
  private meta: pg.Client | undefined;
  private repl: pg.Client | undefined;
  private stream: ReplicationStream | undefined;
  private readonly types = new TypeRegistry();
  private readonly tables = new Map<string, TableInfo>();
  private readonly relations = new Map<number, Relation>();

  // Records handed to read(): bounded by bufferSize records AND bufferBytes (row text size).
  private buf: OpenCDCRecord[] = [];
  /** Estimated size of each buffered record (parallel to `buf`) and their sum. */
  private bufSizes: number[] = [];
  private bufBytes = 0;
  private dataWaiter: (() => void) | undefined;
  private spaceWaiters: (() => void)[] = [];
  private failure: Error | undefined;
  private stopping = false;
  private producer: Promise<void> | undefined;

  // Ack bookkeeping: every emitted record gets a sequence number; acks map back to it.
  private emittedSeq = 0;
  private ackedSeq = 0;
  /** Emitted, not yet acked positions; `inflight[j]` has sequence `inflightBase + j + 1`. */
  private inflight: Uint8Array[] = [];
  private inflightHead = 0;
  private inflightBase = 0;
  /** Committed transactions whose end LSN may be flushed once all their records are acked. */
  private committed: { endLsn: bigint; requiresSeq: number }[] = [];

  // CDC stream state.
  private msgs: WalMessage[] = [];
  private msgHead = 0;
  private msgWaiter: (() => void) | undefined;
  private txn: Txn | undefined;
  private skipUpTo: { lsn: bigint; i: number } | undefined;
  private lastCdc: { lsnText: string; i: number } = { lsnText: '0/0', i: -1 };
  private backfills: Backfill[] = [];
  /** Tables backfilled (or being backfilled) by this session: their replayed announcement is moot. */
  private readonly backfilled = new Set<string>();
  /** LSN of the stored CDC position at open: announcements at or before it were handled then. */
  private resumeLsn = 0n;
  /** The server can stream WAL messages (14+): backfills are announced durably in the WAL. */
  private messages = false;
  private walSeen = false;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly config: SourceConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.patterns = parseTablePatterns(config.tables);
  }

  private get slot(): string {
    return this.config['logrepl.slotName'];
  }
  private get publication(): string {
    return this.config['logrepl.publicationName'];
  }

  async open(position: Position | undefined): Promise<void> {
    const pos = position && position.length > 0 ? decodePosition(position) : undefined;
    const meta = newClient({ url: this.config.url, options: CLIENT_OPTIONS }, (e) => this.fail(e));
    this.meta = meta;
    await connect(meta, this.config.url);
    await preflight(meta, this.config.url);
    this.messages = (await serverVersion(meta)) >= 140000;

    const refs = await resolveSelection(meta, this.patterns, this.config.tables);
    const infos = await describeTables(meta, refs, collectionOf);
    checkIdentity(infos, this.config.tables);
    await checkReadable(meta, infos, this.config.tables);
    await this.loadTypes(infos.flatMap((t) => t.columns.map((c) => c.typeOid)));
    for (const t of infos) this.tables.set(t.collection, t);

    const before = await ensurePublication(
      meta,
      this.publication,
      this.config['logrepl.managePublication'],
      refs,
    ).catch((e: unknown) => {
      throw (
        publicationPrivilegeError(e, this.publication, this.config.tables, this.config.url) ?? e
      );
    });
    const slot = await slotInfo(meta, this.slot);
    if (slot?.walStatus === 'lost')
      throw new Error(
        `replication slot "${this.slot}" is lost (wal_status = lost: the WAL it needed was removed). Changes since the last acknowledged position cannot be read; drop the slot and start the pipeline from scratch (a new snapshot).`,
      );

    if (slot?.walStatus === 'unreserved')
      this.ctx.logger.warn(
        'replication slot is about to lose WAL it needs (wal_status = unreserved)',
        {
          slot: this.slot,
          fix: 'let the pipeline catch up, or raise max_slot_wal_keep_size',
        },
      );
    let snapState: SnapState | undefined;
    let snapshotName: string | undefined;
    if (!pos) {
      // Nothing was ever acknowledged: (re)create the slot so its exported snapshot and its
      // consistent point line up exactly.
      if (slot && this.config.snapshotMode === 'initial') {
        if (slot.active)
          throw new TransientError(`replication slot "${this.slot}" is in use by another process`);
        this.ctx.logger.info('dropping existing slot to take a fresh consistent snapshot', {
          slot: this.slot,
        });
        await dropSlot(meta, this.slot);
      }
      if (!slot || this.config.snapshotMode === 'initial') {
        const repl = await this.replicationClient();
        const mode =
          this.config.snapshotMode === 'initial' ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT';
        const res = await repl.query<{ snapshot_name: string | null; consistent_point: string }>(
          `CREATE_REPLICATION_SLOT "${this.slot}" LOGICAL pgoutput ${mode}`,
        );
        snapshotName = res.rows[0]?.snapshot_name ?? undefined;
        this.ctx.logger.info('created replication slot', {
          slot: this.slot,
          lsn: res.rows[0]?.consistent_point,
        });
      }
      if (this.config.snapshotMode === 'initial')
        snapState = Object.fromEntries(infos.map((t) => [t.collection, {}]));
    } else {
      if (!slot)
        throw new Error(
          `replication slot "${this.slot}" does not exist but the pipeline has a stored position: changes since then cannot be read. If the slot was dropped on purpose, reset the pipeline position to start from a new snapshot.`,
        );
      if (pos.kind === 'snapshot') {
        // Resumed snapshot: the exported snapshot died with its session, so the remaining rows are
        // read from a fresh snapshot; CDC then replays from the slot's consistent point
        // (at-least-once: some rows may come twice).
        snapState = {};
        for (const t of infos) snapState[t.collection] = stateOf(pos.snap, t, infos) ?? {};
      } else {
        this.skipUpTo = { lsn: parseLsn(pos.lsn), i: pos.i };
        this.resumeLsn = parseLsn(pos.lsn);
        this.lastCdc = { lsnText: pos.lsn, i: pos.i };
        if (slot.confirmedFlush && parseLsn(slot.confirmedFlush) > parseLsn(pos.lsn))
          this.ctx.logger.info('slot is ahead of the stored position (advanced while idle)', {
            slot: slot.confirmedFlush,
            position: pos.lsn,
          });
        for (const t of infos) {
          const bf = pos.bf && stateOf(pos.bf, t, infos);
          const isNew =
            this.config['logrepl.managePublication'] && !before.has(`${t.schema}\u0000${t.name}`);
          if (bf || isNew) this.backfills.push({ table: t, state: { [t.collection]: bf ?? {} } });
          // Newly selected: make its pending backfill durable before anything else happens.
          if (isNew && !bf && this.messages)
            await announceBackfill(meta, this.publication, t, false, this.slot);
        }
      }
    }
    this.producer = this.produce(snapState, snapshotName).catch((e: unknown) => this.fail(e));
  }

  private async replicationClient(): Promise<pg.Client> {
    if (this.repl) return this.repl;
    const repl = newClient(
      { url: this.config.url, options: CLIENT_OPTIONS, replication: 'database' },
      (e) => this.fail(e),
    );
    this.repl = repl;
    await connect(repl, this.config.url);
    return repl;
  }

  private async loadTypes(oids: number[]): Promise<void> {
    const missing = this.types.missing(new Set(oids));
    if (missing.length === 0 || !this.meta) return;
    const { rows } = await this.meta.query<{
      oid: number;
      name: string;
      category: string;
      elem: number;
    }>(TYPE_QUERY, [missing]);
    for (const r of rows)
      this.types.set(r.oid, { category: r.category, elemOid: r.elem, name: r.name });
    // Element types of arrays/domains may themselves be unknown (arrays of enums, domains).
    const next = rows.map((r) => r.elem).filter((o) => o !== 0);
    if (next.length > 0 && this.types.missing(next).length > 0) await this.loadTypes(next);
  }

  /** Snapshot dependencies from the foreign keys among the selected tables (cycles broken). */
  private async snapshotDeps(): Promise<Map<string, Set<string>>> {
    const infos = [...this.tables.values()];
    const byOid = new Map(infos.map((t) => [t.oid, t.collection]));
    const fks = (await foreignKeys(this.meta!, infos)).map(
      ([c, p]) => [byOid.get(c)!, byOid.get(p)!] as const,
    );
    const { deps, ignored } = snapshotOrder([...byOid.values()], fks);
    if (ignored.length > 0)
      this.ctx.logger.warn(
        'foreign keys form a cycle: these are ignored when ordering the snapshot (a child row may come before its parent)',
        { ignored: ignored.map(([c, p]) => `${c} -> ${p}`) },
      );
    return deps;
  }

  private async produce(
    snapState: SnapState | undefined,
    snapshotName: string | undefined,
  ): Promise<void> {
    if (snapState) {
      const deps = await this.snapshotDeps();
      await runSnapshot({
        deps,
        url: this.config.url,
        clientOptions: CLIENT_OPTIONS,
        tables: [...this.tables.values()],
        state: snapState,
        snapshotName,
        fetchSize: this.config['snapshot.fetchSize'],
        concurrency: this.config['snapshot.concurrency'],
        types: this.types,
        emit: (r, bytes) => this.emit(r, bytes),
        position: (j) => `{"v":1,"snap":${j}}`,
        stopped: () => this.stopping,
        onConnectionError: (e) => this.fail(e),
      });
      this.ctx.logger.info('snapshot done', { tables: this.tables.size });
    }
    if (this.stopping) return;
    const repl = await this.replicationClient();
    const stream = new ReplicationStream(repl, (m) => this.onWal(m));
    this.stream = stream;
    stream.start(this.slot, this.publication, '0/0', this.messages);
    stream.done.then(
      () => this.fail(new TransientError('the server ended replication')),
      (e: unknown) => this.fail(e),
    );
    this.startTimers();
    await this.pump();
  }

  private startTimers(): void {
    const hb = this.config['logrepl.heartbeatInterval'];
    if (hb > 0) {
      const t = setInterval(() => {
        if (this.walSeen) {
          this.walSeen = false;
          return;
        }
        this.meta
          ?.query("SELECT pg_logical_emit_message(false, 'opencdc-heartbeat', '')")
          .catch((e: unknown) => this.ctx.logger.warn('heartbeat failed', { error: String(e) }));
      }, hb);
      t.unref();
      this.timers.push(t);
    }
    const disc = this.config['logrepl.tableDiscoveryInterval'];
    if (disc > 0 && this.patterns.some((p) => !p.exclude && !p.exact)) {
      let running = false;
      const t = setInterval(() => {
        if (running) return;
        running = true;
        this.discover()
          .catch((e: unknown) =>
            this.ctx.logger.warn('table discovery failed', { error: String(e) }),
          )
          .finally(() => {
            running = false;
          });
      }, disc);
      t.unref();
      this.timers.push(t);
    }
  }

  /** Finds tables created since start that the patterns select; queues them for backfill. */
  private async discover(): Promise<void> {
    if (!this.meta || this.stopping) return;
    const { tables } = await listTables(this.meta);
    const queued = new Set(this.backfills.map((b) => b.table.collection));
    const fresh = selectTables(this.patterns, tables).filter(
      (t) => !this.tables.has(collectionOf(t)) && !queued.has(collectionOf(t)),
    );
    if (fresh.length === 0) return;
    const infos = await describeTables(this.meta, fresh, collectionOf);
    for (const t of infos) {
      try {
        checkIdentity([t], this.config.tables);
      } catch (e) {
        // Adding it to the publication would make UPDATE/DELETE on it fail for its users.
        this.ctx.logger.warn('new table skipped', {
          table: quoteRef(t),
          reason: (e as Error).message,
        });
        continue;
      }
      await this.loadTypes(t.columns.map((c) => c.typeOid));
      this.backfills.push({ table: t, state: { [t.collection]: {} } });
      this.ctx.logger.info('new table found', { table: quoteRef(t) });
    }
    this.wakePump();
  }

  private async runBackfills(): Promise<void> {
    while (this.backfills.length > 0 && !this.stopping) {
      const b = this.backfills[0]!;
      const t = b.table;
      if (!this.tables.has(t.collection)) {
        const managed = this.config['logrepl.managePublication'];
        let add = false;
        if (managed) {
          const cur = await publicationTables(this.meta!, this.publication);
          add = !cur?.tables.some((x) => x.schema === t.schema && x.name === t.name);
        }
        await announceBackfill(
          this.meta!,
          this.publication,
          t,
          add,
          this.messages ? this.slot : undefined,
        );
        this.tables.set(t.collection, t);
        // The stream may already know the relation as unselected (a user-owned publication that
        // covers more tables): select it now, the server does not resend its Relation message.
        for (const r of this.relations.values())
          if (r.collection === t.collection) {
            r.selected = true;
            r.keyIdx = keyIndexes(t, r.columns, r.ident);
          }
      }
      this.backfilled.add(t.collection);
      const { lsnText, i } = this.lastCdc;
      await runSnapshot({
        url: this.config.url,
        clientOptions: CLIENT_OPTIONS,
        tables: [t],
        state: b.state,
        snapshotName: undefined,
        fetchSize: this.config['snapshot.fetchSize'],
        concurrency: 1,
        types: this.types,
        emit: (r, bytes) => this.emit(r, bytes),
        position: (j) => new TextDecoder().decode(cdcPosition(lsnText, i, j)),
        stopped: () => this.stopping,
        onConnectionError: (e) => this.fail(e),
      });
      this.backfills.shift();
      this.ctx.logger.info('backfill done', { table: quoteRef(t) });
    }
  }

  // ---- the CDC pump: decodes WAL messages in order, emits records, tracks transactions ----

  private onWal(m: WalMessage): void {
    this.msgs.push(m);
    if (this.msgs.length - this.msgHead > HIGH_WATER) this.stream?.pause();
    this.wakePump();
  }

  private wakePump(): void {
    const w = this.msgWaiter;
    this.msgWaiter = undefined;
    w?.();
  }

  private async pump(): Promise<void> {
    while (!this.stopping) {
      if (!this.txn && this.backfills.length > 0) await this.runBackfills();
      if (this.msgHead >= this.msgs.length) {
        this.msgs = [];
        this.msgHead = 0;
        this.stream?.resume();
        await new Promise<void>((r) => {
          this.msgWaiter = r;
        });
        continue;
      }
      const m = this.msgs[this.msgHead++]!;
      if (this.msgHead > 4096) {
        this.msgs = this.msgs.slice(this.msgHead);
        this.msgHead = 0;
      }
      if (this.msgs.length - this.msgHead < LOW_WATER) this.stream?.resume();
      if (m.kind === 'keepalive') {
        // Idle: everything emitted is acked and no transaction is open, so the slot may move to
        // the server's position (WAL of other tables/databases is not pinned).
        if (
          !this.txn &&
          this.committed.length === 0 &&
          this.ackedSeq === this.emittedSeq &&
          this.backfills.length === 0
        )
          this.stream?.setFlushed(m.walEnd);
        continue;
      }
      // Our own heartbeat (a WAL message) is not activity of the selected tables.
      if (m.message.tag !== 'message') this.walSeen = true;
      const p = this.handle(m.message);
      if (p) await p;
    }
  }

  private handle(msg: PgOutputMessage): Promise<void> | undefined {
    switch (msg.tag) {
      case 'begin':
        this.txn = {
          xid: msg.xid,
          finalLsn: msg.finalLsn,
          lsnText: formatLsn(msg.finalLsn),
          posPrefix: cdcPositionPrefix(formatLsn(msg.finalLsn)),
          createdAt: `${(msg.commitTime + PG_EPOCH_MICROS) * 1000n}`,
          index: 0,
        };
        return undefined;
      case 'commit':
        this.committed.push({ endLsn: msg.endLsn, requiresSeq: this.emittedSeq });
        this.txn = undefined;
        this.release();
        return undefined;
      case 'relation':
        return this.onRelation(msg);
      case 'insert':
      case 'update':
      case 'delete':
        return this.onChange(msg);
      case 'truncate':
        return this.onTruncate(msg);
      case 'message':
        if (msg.transactional && msg.prefix === BACKFILL_MESSAGE)
          return this.onAnnounced(msg.content);
        return undefined;
      default:
        return undefined;
    }
  }

  /**
   * A replayed backfill announcement: when the stored position precedes it and nothing in this
   * session backfilled the table, the backfill it announced was never acknowledged (crash between
   * adding the table and its first acknowledged record): run it again.
   */
  private async onAnnounced(content: string): Promise<void> {
    let a: { slot?: string; schema?: string; name?: string };
    try {
      a = JSON.parse(content) as typeof a;
    } catch {
      return;
    }
    const txn = this.txn;
    if (a.slot !== this.slot || !a.schema || !a.name || !txn || txn.finalLsn <= this.resumeLsn)
      return;
    const collection = collectionOf({ schema: a.schema, name: a.name });
    if (
      this.backfilled.has(collection) ||
      this.backfills.some((b) => b.table.collection === collection)
    )
      return;
    if (!this.meta) return;
    const [t] = await describeTables(this.meta, [{ schema: a.schema, name: a.name }], collectionOf);
    if (!t || selectTables(this.patterns, [t]).length === 0) return;
    await this.loadTypes(t.columns.map((c) => c.typeOid));
    this.backfills.push({ table: t, state: { [collection]: {} } });
    this.ctx.logger.info(
      'backfill announced before the stored position was acknowledged: running it again',
      {
        table: quoteRef(t),
      },
    );
  }

  /**
   * One `delete` record per truncated selected table: no key, no payload, metadata
   * `postgres.truncate` = `true` (a consumer unaware of it sees a delete it cannot apply to a row).
   * Each truncated relation takes one change index, selected or not, so positions stay stable.
   */
  private async onTruncate(msg: Extract<PgOutputMessage, { tag: 'truncate' }>): Promise<void> {
    const txn = this.txn;
    if (!txn) throw new Error('pgoutput: truncate outside a transaction');
    // Relations of one collection (the partitions of a selected partitioned table, reported
    // separately without publish_via_partition_root) make one record, at the first one's index.
    const groups = new Map<
      string,
      { i: number; rel: Relation; whole: boolean; leaves: number[] }
    >();
    for (const id of msg.relationIds) {
      const i = txn.index++;
      const rel = this.relations.get(id);
      if (!rel?.selected) continue;
      let g = groups.get(rel.collection);
      if (!g) {
        g = { i, rel, whole: false, leaves: [] };
        groups.set(rel.collection, g);
      }
      if (rel.partitionOf === undefined) g.whole = true;
      else g.leaves.push(id);
    }
    for (const { i, rel, whole, leaves } of groups.values()) {
      // A TRUNCATE of only some partitions has no record form: a truncate of the whole table
      // would delete the other partitions' rows downstream. Say so rather than drop it silently.
      if (!whole) await this.waitVisible(txn.xid);
      if (!whole && !(await this.coversAllPartitions(rel.partitionOf!, leaves))) {
        this.ctx.logger.warn(
          'TRUNCATE of some partitions of a selected table cannot be delivered as a record: downstream keeps their rows',
          { table: rel.collection, partitions: leaves },
        );
        continue;
      }
      const skip = this.skipUpTo;
      if (skip && (txn.finalLsn < skip.lsn || (txn.finalLsn === skip.lsn && i <= skip.i))) continue;
      this.skipUpTo = undefined;
      const md = new Metadata();
      md.set('opencdc.collection', rel.collection);
      md.set('opencdc.createdAt', txn.createdAt);
      md.set('opencdc.readAt', readAtNow());
      md.set(TRUNCATE_KEY, 'true');
      // pgoutput option bits: 1 = CASCADE, 2 = RESTART IDENTITY.
      if (msg.options & 1) md.set(`${TRUNCATE_KEY}.cascade`, 'true');
      if (msg.options & 2) md.set(`${TRUNCATE_KEY}.restartIdentity`, 'true');
      this.lastCdc = { lsnText: txn.lsnText, i };
      const p = this.emit(
        deleteRecord({ position: cdcPositionAt(txn.posPrefix, i), metadata: md, key: null }),
      );
      if (p) await p;
    }
  }

  private async onRelation(msg: Extract<PgOutputMessage, { tag: 'relation' }>): Promise<void> {
    const ref: TableRef = { schema: msg.schema, name: msg.name };
    let collection = collectionOf(ref);
    let info = this.tables.get(collection);
    let partitionOf: number | undefined;
    if (!info && this.meta) {
      // A partition of a selected partitioned table (a publication without
      // publish_via_partition_root reports changes under the leaf): its changes belong to the
      // root's collection, like the root's snapshot rows. Partitions attached later included.
      // The catalog is read live: wait until the decoded transaction (which may have created or
      // attached this partition) is visible, or a brand-new partition looks like no partition.
      if (this.txn) await this.waitVisible(this.txn.xid);
      const root = await partitionRoot(this.meta, msg.relationId);
      const rootInfo = root === undefined ? undefined : this.tableByOid(root);
      if (rootInfo) {
        partitionOf = rootInfo.oid;
        info = rootInfo;
        collection = rootInfo.collection;
        this.ctx.logger.info('changes of a partition are read as its partitioned table', {
          partition: quoteRef(ref),
          table: quoteRef(rootInfo),
        });
      } else this.logUnselected(ref, root);
    } else if (info && this.meta) {
      // Re-read the table (columns may have changed: DDL mid-stream) for its primary key.
      const [fresh] = await describeTables(this.meta, [ref], collectionOf);
      if (fresh) {
        this.tables.set(collection, fresh);
        info = fresh;
      }
    }
    if (info) await this.loadTypes(msg.columns.map((c) => c.typeOid));
    this.relations.set(msg.relationId, {
      collection,
      selected: info !== undefined,
      columns: msg.columns,
      decoders: msg.columns.map((c) => this.types.decoder(c.typeOid)),
      keyIdx: keyIndexes(info, msg.columns, msg.replicaIdentity),
      ident: msg.replicaIdentity,
      ...(partitionOf !== undefined ? { partitionOf } : {}),
    });
  }

  /** Whether `leaves` are all the leaf partitions of `root` now. */
  private async coversAllPartitions(root: number, leaves: readonly number[]): Promise<boolean> {
    if (!this.meta) return false;
    const { rows } = await this.meta.query<{ oid: number }>(
      'SELECT relid::oid::int AS oid FROM pg_partition_tree($1::oid::regclass) WHERE isleaf',
      [root],
    );
    return rows.every((r) => leaves.includes(r.oid));
  }

  /**
   * Waits (bounded) until transaction `xid` is visible to new snapshots. The walsender can send
   * a commit before the committing session has left the proc array; the transaction's xid lock
   * is released only after that, so its absence from pg_locks means visible.
   */
  private async waitVisible(xid: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (this.meta && !this.stopping && Date.now() < deadline) {
      const { rows } = await this.meta.query(
        "SELECT 1 FROM pg_locks WHERE locktype = 'transactionid' AND transactionid = $1::text::xid",
        [String(xid)],
      );
      if (rows.length === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private tableByOid(oid: number): TableInfo | undefined {
    for (const t of this.tables.values()) if (t.oid === oid) return t;
    return undefined;
  }

  /**
   * Changes of a relation outside the selection are skipped, but never silently: with a managed
   * publication (which lists exactly the selection) it is unexpected (the publication was
   * altered, or WAL from before a selection change is replayed), so it is a warning.
   */
  private logUnselected(ref: TableRef, root: number | undefined): void {
    const managed = this.config['logrepl.managePublication'];
    const detail = {
      table: quoteRef(ref),
      ...(root !== undefined ? { partitionOf: root } : {}),
      publication: this.publication,
      fix: 'add the table to the tables parameter to read its changes',
    };
    if (managed)
      this.ctx.logger.warn(
        'changes of a table that is not selected arrive from the publication: they are skipped',
        detail,
      );
    else
      this.ctx.logger.info(
        'the publication covers a table that is not selected: its changes are skipped',
        detail,
      );
  }

  private onChange(
    msg: Extract<PgOutputMessage, { tag: 'insert' | 'update' | 'delete' }>,
  ): Promise<void> | undefined {
    const txn = this.txn;
    if (!txn) throw new Error('pgoutput: change outside a transaction');
    const i = txn.index++;
    const rel = this.relations.get(msg.relationId);
    if (!rel?.selected) return undefined;
    const skip = this.skipUpTo;
    if (skip && (txn.finalLsn < skip.lsn || (txn.finalLsn === skip.lsn && i <= skip.i)))
      return undefined;
    this.skipUpTo = undefined;

    const md = new Metadata();
    md.set('opencdc.collection', rel.collection);
    md.set('opencdc.createdAt', txn.createdAt);
    md.set('opencdc.readAt', readAtNow());
    const position = cdcPositionAt(txn.posPrefix, i);
    this.lastCdc = { lsnText: txn.lsnText, i };
    let rec: OpenCDCRecord;
    if (msg.tag === 'insert') {
      const after = this.row(rel, msg.after, null, undefined);
      rec = createRecord({ position, metadata: md, key: this.key(rel, msg.after), after });
    } else if (msg.tag === 'update') {
      const before = msg.before
        ? this.row(rel, msg.before, null, undefined, msg.beforeKind === 'key')
        : null;
      const toast: string[] = [];
      const after = this.row(rel, msg.after, msg.beforeKind === 'full' ? before : null, toast);
      if (toast.length > 0) md.set(TOAST_UNCHANGED_KEY, JSON.stringify(toast));
      rec = updateRecord({ position, metadata: md, key: this.key(rel, msg.after), before, after });
    } else {
      const before = this.row(rel, msg.before, null, undefined, msg.beforeKind === 'key');
      rec = deleteRecord({ position, metadata: md, key: this.key(rel, msg.before), before });
    }
    return this.emit(rec, msg.size);
  }

  /**
   * Decodes a tuple. Unchanged TOAST values are taken from the full before image when there is
   * one, else left out and listed in `toast` (never turned into null). `keyOnly` keeps only the
   * replica identity columns (an old-key tuple sends nulls for the others).
   */
  private row(
    rel: Relation,
    tuple: TupleValue[],
    fullBefore: StructuredData | null,
    toast: string[] | undefined,
    keyOnly = false,
  ): StructuredData {
    const out: StructuredData = {};
    const n = Math.min(tuple.length, rel.columns.length);
    for (let i = 0; i < n; i++) {
      const col = rel.columns[i]!;
      if (keyOnly && !col.isKey) continue;
      const v = tuple[i];
      if (v === UNCHANGED_TOAST) {
        if (fullBefore && col.name in fullBefore) out[col.name] = fullBefore[col.name]!;
        else toast?.push(col.name);
      } else out[col.name] = v == null ? null : (rel.decoders[i]!(v) as StructuredData[string]);
    }
    return out;
  }

  private key(rel: Relation, tuple: TupleValue[]): StructuredData | null {
    if (rel.keyIdx.length === 0) return null;
    const out: StructuredData = {};
    for (const i of rel.keyIdx) {
      const v = tuple[i];
      out[rel.columns[i]!.name] =
        v == null || v === UNCHANGED_TOAST ? null : (rel.decoders[i]!(v) as StructuredData[string]);
    }
    return out;
  }

  // ---- buffer, read and ack ----

  /** `bytes`: the row's size in Postgres' text form (an estimate of what the record holds). */
  private emit(rec: OpenCDCRecord, bytes = 0): Promise<void> | undefined {
    this.buf.push(rec);
    this.bufSizes.push(bytes);
    this.bufBytes += bytes;
    this.emittedSeq++;
    this.inflight.push(rec.position);
    const w = this.dataWaiter;
    this.dataWaiter = undefined;
    w?.();
    if (!this.bufferFull() || this.stopping) return undefined;
    return new Promise<void>((r) => {
      this.spaceWaiters.push(r);
    });
  }

  private bufferFull(): boolean {
    return this.buf.length >= this.config.bufferSize || this.bufBytes >= this.config.bufferBytes;
  }

  private wakeProducers(): void {
    const ws = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of ws) w();
  }

  async read(maxRecords: number, signal: AbortSignal): Promise<OpenCDCRecord[]> {
    while (this.buf.length === 0) {
      if (this.failure) throw this.failure;
      if (signal.aborted) throw new AbortedError();
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.dataWaiter = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
    }
    const all = this.buf.length <= maxRecords;
    const out = all ? this.buf : this.buf.slice(0, maxRecords);
    if (all) {
      this.buf = [];
      this.bufSizes = [];
      this.bufBytes = 0;
    } else {
      for (let i = 0; i < maxRecords; i++) this.bufBytes -= this.bufSizes[i]!;
      this.buf = this.buf.slice(maxRecords);
      this.bufSizes = this.bufSizes.slice(maxRecords);
    }
    if (!this.bufferFull()) this.wakeProducers();
    return out;
  }

  async ack(positions: readonly Position[]): Promise<void> {
    const last = positions[positions.length - 1];
    if (!last) return;
    // Acking P acks everything read before P: find P among in-flight records.
    let found = -1;
    // Usually the very object we handed out; a copy (e.g. from a state store) is compared by bytes.
    for (let j = this.inflightHead; j < this.inflight.length && found < 0; j++)
      if (this.inflight[j] === last) found = j;
    for (let j = this.inflightHead; j < this.inflight.length && found < 0; j++)
      if (sameBytes(this.inflight[j]!, last)) found = j;
    if (found < 0) return;
    this.ackedSeq = this.inflightBase + found + 1;
    this.inflightHead = found + 1;
    if (this.inflightHead > 4096 || this.inflightHead === this.inflight.length) {
      this.inflight = this.inflight.slice(this.inflightHead);
      this.inflightBase += this.inflightHead;
      this.inflightHead = 0;
    }
    this.release();
  }

  /** Flushes the end LSN of every committed transaction whose records are all acked. */
  private release(): void {
    let flush: bigint | undefined;
    while (this.committed.length > 0 && this.committed[0]!.requiresSeq <= this.ackedSeq)
      flush = this.committed.shift()!.endLsn;
    if (flush !== undefined) this.stream?.setFlushed(flush);
  }

  private fail(e: unknown): void {
    if (this.stopping || this.failure) return;
    const err = classify(e);
    this.failure = err;
    this.ctx.logger.error('postgres source failed', {
      error: err.message,
      transient: err instanceof TransientError,
    });
    const w = this.dataWaiter;
    this.dataWaiter = undefined;
    w?.();
  }

  async teardown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.stream?.stop();
    this.wakePump();
    this.wakeProducers();
    this.dataWaiter?.();
    // Tell the server what is flushed before leaving (the last status may be up to 10 s old).
    this.stream?.sendStatus(false);
    await Promise.allSettled([this.repl?.end(), this.meta?.end()]);
    await Promise.race([this.producer, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}

/**
 * The stored state of `t` in a position. Positions written before collection names quoted a part
 * containing `.` or `"` keyed such a table by the raw `schema.table`: that key is honoured when it
 * belongs to `t` alone. A key that two selected tables shared (`public."a.b"` and `a.b` both wrote
 * `a.b`) is trusted for neither: both tables are read again from the start (duplicates, not loss).
 */
export function stateOf(
  state: SnapState,
  t: TableInfo,
  all: readonly TableInfo[],
): SnapState[string] | undefined {
  const legacyOf = (o: TableInfo) => (o.schema === 'public' ? o.name : `${o.schema}.${o.name}`);
  const shared = (key: string) =>
    all.filter((o) => o.collection === key || legacyOf(o) === key).length > 1;
  if (state[t.collection]) return shared(t.collection) ? undefined : state[t.collection];
  const legacy = legacyOf(t);
  return legacy === t.collection || shared(legacy) ? undefined : state[legacy];
}

/**
 * The record key of a relation: its primary key; none for a key-less `REPLICA IDENTITY FULL`
 * table (the stream flags every column as identity, which would make the whole row the key; the
 * contract is `key: null` and the whole old row in `payload.before`); else the replica identity
 * index columns.
 */
function keyIndexes(
  info: TableInfo | undefined,
  columns: readonly RelationColumn[],
  ident: string,
): number[] {
  const names =
    info && info.primaryKey.length > 0
      ? info.primaryKey
      : info && (info.replicaIdentity === 'f' || ident === 'f')
        ? []
        : columns.filter((c) => c.isKey).map((c) => c.name);
  return names.map((k) => columns.findIndex((c) => c.name === k)).filter((i) => i >= 0);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
