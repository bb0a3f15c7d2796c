/**
 * The CDC pump: WAL messages from the replication stream are queued (the socket pauses above a
 * high-water mark), then decoded in order: transactions tracked for acks, relations resolved
 * against the selection (partitions read as their root), changes and truncates turned into
 * records (`decode.ts`), backfills run between transactions.
 */
import { collectionOf, quoteRef, type TableRef } from '../sql.js';
import type { Acks } from './acks.js';
import type { Backfills } from './backfill.js';
import { describeTables, partitionRoot, type TableInfo } from './catalog.js';
import {
  beginTxn,
  type ChangeMessage,
  changeRecord,
  type Relation,
  type RelationMessage,
  relationOf,
  type Txn,
  truncateRecord,
} from './decode.js';
import type { PgOutputMessage } from './pgoutput.js';
import { BACKFILL_MESSAGE } from './publication.js';
import type { ReplicationStream, WalMessage } from './replication.js';
import type { Session } from './session.js';

const HIGH_WATER = 2000;
const LOW_WATER = 200;

export class WalPump {
  private msgs: WalMessage[] = [];
  private msgHead = 0;
  private msgWaiter: (() => void) | undefined;
  private txn: Txn | undefined;
  /** The stored position at a CDC resume: changes up to it (inclusive) were delivered. */
  private skipUpTo: { lsn: bigint; i: number } | undefined;
  /** The last change emitted (backfilled rows are positioned there). */
  private lastCdc: { lsnText: string; i: number } = { lsnText: '0/0', i: -1 };
  /** Something other than our own heartbeat arrived since the heartbeat last looked. */
  walSeen = false;
  stream: ReplicationStream | undefined;

  constructor(
    private readonly s: Session,
    private readonly acks: Acks,
    private readonly backfills: Backfills,
    resume: { lsn: bigint; lsnText: string; i: number } | undefined,
  ) {
    if (resume) {
      this.skipUpTo = { lsn: resume.lsn, i: resume.i };
      this.lastCdc = { lsnText: resume.lsnText, i: resume.i };
    }
  }

  /** The stream's message callback. */
  onWal(m: WalMessage): void {
    this.msgs.push(m);
    if (this.msgs.length - this.msgHead > HIGH_WATER) this.stream?.pause();
    this.wake();
  }

  wake(): void {
    const w = this.msgWaiter;
    this.msgWaiter = undefined;
    w?.();
  }

  /** Decodes until the source stops. */
  async run(): Promise<void> {
    const s = this.s;
    while (!s.halted) {
      if (!this.txn && this.backfills.pending) await this.backfills.run(this.lastCdc);
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
        if (!this.txn && this.acks.idle && !this.backfills.pending)
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
        this.txn = beginTxn(msg);
        return undefined;
      case 'commit':
        this.txn = undefined;
        this.acks.commit(msg.endLsn);
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
          return this.backfills.announced(msg.content, this.txn);
        return undefined;
      default:
        return undefined;
    }
  }

  /** Whether change `i` of `txn` was delivered before the resume (and clears the skip after). */
  private skipped(txn: Txn, i: number): boolean {
    const skip = this.skipUpTo;
    if (skip && (txn.finalLsn < skip.lsn || (txn.finalLsn === skip.lsn && i <= skip.i)))
      return true;
    this.skipUpTo = undefined;
    return false;
  }

  private onChange(msg: ChangeMessage): Promise<void> | undefined {
    const txn = this.txn;
    if (!txn) throw new Error('pgoutput: change outside a transaction');
    const i = txn.index++;
    const rel = this.s.relations.get(msg.relationId);
    if (!rel?.selected || this.skipped(txn, i)) return undefined;
    this.lastCdc = { lsnText: txn.lsnText, i };
    return this.s.emit(changeRecord(rel, txn, i, msg), msg.size);
  }

  /**
   * One `delete` record per truncated selected table (see `truncateRecord`). Each truncated
   * relation takes one change index, selected or not, so positions stay stable.
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
      const rel = this.s.relations.get(id);
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
        this.s.ctx.logger.warn(
          'TRUNCATE of some partitions of a selected table cannot be delivered as a record: downstream keeps their rows',
          { table: rel.collection, partitions: leaves },
        );
        continue;
      }
      if (this.skipped(txn, i)) continue;
      this.lastCdc = { lsnText: txn.lsnText, i };
      const p = this.s.emit(truncateRecord(rel, txn, i, msg.options));
      if (p) await p;
    }
  }

  private async onRelation(msg: RelationMessage): Promise<void> {
    const s = this.s;
    const ref: TableRef = { schema: msg.schema, name: msg.name };
    let collection = collectionOf(ref);
    let info: TableInfo | undefined = s.tables.get(collection);
    let partitionOf: number | undefined;
    if (!info && s.meta) {
      // A partition of a selected partitioned table (a publication without
      // publish_via_partition_root reports changes under the leaf): its changes belong to the
      // root's collection, like the root's snapshot rows. Partitions attached later included.
      // The catalog is read live: wait until the decoded transaction (which may have created or
      // attached this partition) is visible, or a brand-new partition looks like no partition.
      if (this.txn) await this.waitVisible(this.txn.xid);
      const root = await partitionRoot(s.meta, msg.relationId);
      const rootInfo = root === undefined ? undefined : s.tableByOid(root);
      if (rootInfo) {
        partitionOf = rootInfo.oid;
        info = rootInfo;
        collection = rootInfo.collection;
        s.ctx.logger.info('changes of a partition are read as its partitioned table', {
          partition: quoteRef(ref),
          table: quoteRef(rootInfo),
        });
      } else this.logUnselected(ref, root);
    } else if (info && s.meta) {
      // Re-read the table (columns may have changed: DDL mid-stream) for its primary key.
      const [fresh] = await describeTables(s.meta, [ref], collectionOf);
      if (fresh) {
        s.tables.set(collection, fresh);
        info = fresh;
      }
    }
    if (info) await s.loadTypes(msg.columns.map((c) => c.typeOid));
    s.relations.set(
      msg.relationId,
      relationOf(msg, collection, info, (oid) => s.types.decoder(oid), partitionOf),
    );
  }

  /** Whether `leaves` are all the leaf partitions of `root` now. */
  private async coversAllPartitions(root: number, leaves: readonly number[]): Promise<boolean> {
    if (!this.s.meta) return false;
    const { rows } = await this.s.meta.query<{ oid: number }>(
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
    const s = this.s;
    const deadline = Date.now() + 5_000;
    while (s.meta && !s.halted && Date.now() < deadline) {
      const { rows } = await s.meta.query(
        "SELECT 1 FROM pg_locks WHERE locktype = 'transactionid' AND transactionid = $1::text::xid",
        [String(xid)],
      );
      if (rows.length === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Changes of a relation outside the selection are skipped, but never silently: with a managed
   * publication (which lists exactly the selection) it is unexpected (the publication was
   * altered, or WAL from before a selection change is replayed), so it is a warning.
   */
  private logUnselected(ref: TableRef, root: number | undefined): void {
    const s = this.s;
    const detail = {
      table: quoteRef(ref),
      ...(root !== undefined ? { partitionOf: root } : {}),
      publication: s.publication,
      fix: 'add the table to the tables parameter to read its changes',
    };
    if (s.config['logrepl.managePublication'])
      s.ctx.logger.warn(
        'changes of a table that is not selected arrive from the publication: they are skipped',
        detail,
      );
    else
      s.ctx.logger.info(
        'the publication covers a table that is not selected: its changes are skipped',
        detail,
      );
  }
}
