/**
 * The start plan: from the stored position and the slot's state, what `open` does before
 * streaming: a fresh snapshot (the slot (re)created with an exported snapshot), a resumed
 * snapshot, or CDC resumed after the stored change with the backfills still owed.
 */
import { TransientError } from '@opencdc-ts/sdk';
import { collectionOf, quote } from '../sql.js';
import type { Backfill } from './backfill.js';
import {
  checkIdentity,
  checkReadable,
  describeTables,
  foreignKeys,
  preflight,
  resolveSelection,
  serverVersion,
  type TableInfo,
} from './catalog.js';
import { parseLsn } from './lsn.js';
import { snapshotOrder } from './order.js';
import type { DecodedPosition, SnapState } from './position.js';
import {
  announceBackfill,
  ensurePublication,
  publicationPrivilegeError,
  slotInfo,
} from './publication.js';
import type { Session } from './session.js';

export interface StartPlan {
  /** Tables to snapshot and where each stands; none: stream only. */
  snapState?: SnapState;
  /** The slot's exported snapshot (a fresh start). */
  snapshotName?: string;
  /** The stored CDC position: changes up to it (inclusive) are skipped. */
  resume?: { lsn: bigint; lsnText: string; i: number };
  /** Backfills owed at start (stored `bf`, or tables newly selected since the last run). */
  backfills: Backfill[];
}

/**
 * What `planStart` checks, changing nothing (`opencdc validate --connect`): the server and user,
 * the selection, the publication (a managed one is created or reconciled inside a transaction
 * that is rolled back, so the server itself judges the privileges), the slot, and a replication
 * connection.
 */
export async function checkStart(s: Session): Promise<void> {
  const { config, slot: slotName } = s;
  const meta = await s.connectMeta();
  await preflight(meta, config.url);
  const refs = await resolveSelection(meta, s.patterns, config.tables);
  const infos = await describeTables(meta, refs, collectionOf);
  checkIdentity(infos, config.tables);
  await checkReadable(meta, infos, config.tables);
  await meta.query('BEGIN');
  try {
    await ensurePublication(meta, s.publication, config['logrepl.managePublication'], refs).catch(
      (e: unknown) => {
        throw publicationPrivilegeError(e, s.publication, refs) ?? e;
      },
    );
  } finally {
    await meta.query('ROLLBACK');
  }
  const slot = await slotInfo(meta, slotName);
  if (slot?.walStatus === 'lost')
    throw new Error(
      `replication slot "${slotName}" is lost (wal_status = lost): drop it and start the pipeline from scratch`,
    );
  await s.replicationClient();
}

/** Checks the server, user and selection, reconciles the publication and the slot; the plan. */
export async function planStart(s: Session, pos: DecodedPosition | undefined): Promise<StartPlan> {
  const { config, ctx, slot: slotName } = s;
  const meta = await s.connectMeta();
  await preflight(meta, config.url);
  s.messages = (await serverVersion(meta)) >= 140000;

  const refs = await resolveSelection(meta, s.patterns, config.tables);
  const infos = await describeTables(meta, refs, collectionOf);
  checkIdentity(infos, config.tables);
  await checkReadable(meta, infos, config.tables);
  await s.loadTypes(infos.flatMap((t) => t.columns.map((c) => c.typeOid)));
  for (const t of infos) s.tables.set(t.collection, t);

  const before = await ensurePublication(
    meta,
    s.publication,
    config['logrepl.managePublication'],
    refs,
  ).catch((e: unknown) => {
    throw publicationPrivilegeError(e, s.publication, refs) ?? e;
  });
  const slot = await slotInfo(meta, slotName);
  if (slot?.walStatus === 'lost')
    throw new Error(
      `replication slot "${slotName}" is lost (wal_status = lost: the WAL it needed was removed). Changes since the last acknowledged position cannot be read; drop the slot and start the pipeline from scratch (a new snapshot).`,
    );

  if (slot?.walStatus === 'unreserved')
    ctx.logger.warn('replication slot is about to lose WAL it needs (wal_status = unreserved)', {
      slot: slotName,
      fix: 'let the pipeline catch up, or raise max_slot_wal_keep_size',
    });
  const plan: StartPlan = { backfills: [] };
  if (!pos) {
    // Nothing was ever acknowledged. A first start creates the slot with an exported snapshot,
    // so the snapshot and the slot's consistent point line up exactly.
    //
    // A slot that already exists was made by an earlier run that stopped (a kill, a crash)
    // before its first ack; that run may still have written records downstream (written, not
    // yet acked). Dropping the slot would lose every change between its consistent point and the
    // new one: a row snapshotted by the earlier run and deleted or re-keyed since would stay in
    // the destination forever. So the slot is kept and the tables are read from a fresh snapshot,
    // as a resumed snapshot is; CDC then replays from the slot's position (at least once: rows
    // changed in between can come twice, and replays converge).
    if (slot && config.snapshotMode === 'initial') {
      if (slot.active)
        throw new TransientError(`replication slot "${slotName}" is in use by another process`);
      ctx.logger.info(
        'replication slot exists but nothing was acknowledged: snapshot, then CDC from the slot',
        {
          slot: slotName,
          lsn: slot.confirmedFlush,
        },
      );
    }
    if (!slot) {
      const repl = await s.replicationClient();
      const mode = config.snapshotMode === 'initial' ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT';
      const res = await repl.query<{ snapshot_name: string | null; consistent_point: string }>(
        `CREATE_REPLICATION_SLOT ${quote(slotName)} LOGICAL pgoutput ${mode}`,
      );
      const name = res.rows[0]?.snapshot_name;
      if (name) plan.snapshotName = name;
      ctx.logger.info('created replication slot', {
        slot: slotName,
        lsn: res.rows[0]?.consistent_point,
      });
    }
    if (config.snapshotMode === 'initial')
      plan.snapState = Object.fromEntries(infos.map((t) => [t.collection, {}]));
    return plan;
  }
  if (!slot)
    throw new Error(
      `replication slot "${slotName}" does not exist but the pipeline has a stored position: changes since then cannot be read. If the slot was dropped on purpose, reset the pipeline position to start from a new snapshot.`,
    );
  if (pos.kind === 'snapshot') {
    // Resumed snapshot: the exported snapshot died with its session, so the remaining rows are
    // read from a fresh snapshot; CDC then replays from the slot's consistent point
    // (at-least-once: some rows may come twice).
    const snapState: SnapState = {};
    for (const t of infos) snapState[t.collection] = stateOf(pos.snap, t, infos) ?? {};
    plan.snapState = snapState;
    return plan;
  }
  plan.resume = { lsn: parseLsn(pos.lsn), lsnText: pos.lsn, i: pos.i };
  if (slot.confirmedFlush && parseLsn(slot.confirmedFlush) > parseLsn(pos.lsn))
    ctx.logger.info('slot is ahead of the stored position (advanced while idle)', {
      slot: slot.confirmedFlush,
      position: pos.lsn,
    });
  for (const t of infos) {
    const bf = pos.bf && stateOf(pos.bf, t, infos);
    const isNew = config['logrepl.managePublication'] && !before.has(`${t.schema}\u0000${t.name}`);
    if (bf || isNew) plan.backfills.push({ table: t, state: { [t.collection]: bf ?? {} } });
    // Newly selected: make its pending backfill durable before anything else happens.
    if (isNew && !bf && s.messages) await announceBackfill(meta, s.publication, t, false, slotName);
  }
  return plan;
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

/** Snapshot dependencies from the foreign keys among the selected tables (cycles broken). */
export async function snapshotDeps(s: Session): Promise<Map<string, Set<string>>> {
  const infos = [...s.tables.values()];
  const byOid = new Map(infos.map((t) => [t.oid, t.collection]));
  const fks = (await foreignKeys(s.meta!, infos)).map(
    ([c, p]) => [byOid.get(c)!, byOid.get(p)!] as const,
  );
  const { deps, ignored } = snapshotOrder([...byOid.values()], fks);
  if (ignored.length > 0)
    s.ctx.logger.warn(
      'foreign keys form a cycle: these are ignored when ordering the snapshot (a child row may come before its parent)',
      { ignored: ignored.map(([c, p]) => `${c} -> ${p}`) },
    );
  return deps;
}
