/**
 * Backfills: tables that join the selection while streaming (found by discovery under a
 * wildcard, newly selected at a restart, or announced in the WAL by a session that crashed
 * before its backfill was acknowledged) are added to the publication and read like a snapshot
 * while the stream waits at a transaction boundary; their rows carry CDC positions with `bf`.
 */
import { collectionOf, quoteRef } from '../sql.js';
import { checkIdentity, describeTables, listTables, type TableInfo } from './catalog.js';
import { CLIENT_OPTIONS } from './connection.js';
import { keyIndexes, type Txn } from './decode.js';
import { cdcPosition, type SnapState } from './position.js';
import { announceBackfill, publicationTables } from './publication.js';
import type { Session } from './session.js';
import { runSnapshot } from './snapshot.js';
import { selectTables } from './tables.js';

export interface Backfill {
  table: TableInfo;
  state: SnapState;
}

export class Backfills {
  private readonly queue: Backfill[];
  /** Tables backfilled (or being backfilled) by this session: their replayed announcement is moot. */
  private readonly done = new Set<string>();

  constructor(
    private readonly s: Session,
    initial: Backfill[],
    /** LSN of the stored CDC position at open: announcements at or before it were handled then. */
    private readonly resumeLsn: bigint,
    /** Wakes the stream's pump (it runs backfills between transactions). */
    private readonly wake: () => void,
  ) {
    this.queue = initial;
  }

  get pending(): boolean {
    return this.queue.length > 0;
  }

  /** Finds tables created since start that the patterns select; queues them for backfill. */
  async discover(): Promise<void> {
    const s = this.s;
    if (!s.meta || s.halted) return;
    const { tables } = await listTables(s.meta);
    const queued = new Set(this.queue.map((b) => b.table.collection));
    const fresh = selectTables(s.patterns, tables).filter(
      (t) => !s.tables.has(collectionOf(t)) && !queued.has(collectionOf(t)),
    );
    if (fresh.length === 0) return;
    const infos = await describeTables(s.meta, fresh, collectionOf);
    for (const t of infos) {
      try {
        checkIdentity([t], s.config.tables);
      } catch (e) {
        // Adding it to the publication would make UPDATE/DELETE on it fail for its users.
        s.ctx.logger.warn('new table skipped', {
          table: quoteRef(t),
          reason: (e as Error).message,
        });
        continue;
      }
      await s.loadTypes(t.columns.map((c) => c.typeOid));
      this.queue.push({ table: t, state: { [t.collection]: {} } });
      s.ctx.logger.info('new table found', { table: quoteRef(t) });
    }
    this.wake();
  }

  /** Runs every queued backfill; rows get positions at the last emitted change (`lsnText`, `i`). */
  async run(lastCdc: { lsnText: string; i: number }): Promise<void> {
    const s = this.s;
    while (this.queue.length > 0 && !s.halted) {
      const b = this.queue[0]!;
      const t = b.table;
      if (!s.tables.has(t.collection)) {
        const managed = s.config['logrepl.managePublication'];
        let add = false;
        if (managed) {
          const cur = await publicationTables(s.meta!, s.publication);
          add = !cur?.tables.some((x) => x.schema === t.schema && x.name === t.name);
        }
        await announceBackfill(s.meta!, s.publication, t, add, s.messages ? s.slot : undefined);
        s.tables.set(t.collection, t);
        // The stream may already know the relation as unselected (a user-owned publication that
        // covers more tables): select it now, the server does not resend its Relation message.
        for (const r of s.relations.values())
          if (r.collection === t.collection) {
            r.selected = true;
            r.keyIdx = keyIndexes(t, r.columns, r.ident);
          }
      }
      this.done.add(t.collection);
      const { lsnText, i } = lastCdc;
      await runSnapshot({
        url: s.config.url,
        clientOptions: CLIENT_OPTIONS,
        tables: [t],
        state: b.state,
        snapshotName: undefined,
        fetchSize: s.config['snapshot.fetchSize'],
        concurrency: 1,
        types: s.types,
        emit: s.emit,
        position: (j) => cdcPosition(lsnText, i, j),
        stopped: () => s.halted,
        onConnectionError: (e) => s.fail(e),
      });
      this.queue.shift();
      s.ctx.logger.info('backfill done', { table: quoteRef(t) });
    }
  }

  /**
   * A replayed backfill announcement: when the stored position precedes it and nothing in this
   * session backfilled the table, the backfill it announced was never acknowledged (crash between
   * adding the table and its first acknowledged record): run it again.
   */
  async announced(content: string, txn: Txn | undefined): Promise<void> {
    const s = this.s;
    let a: { slot?: string; schema?: string; name?: string };
    try {
      a = JSON.parse(content) as typeof a;
    } catch {
      return;
    }
    if (a.slot !== s.slot || !a.schema || !a.name || !txn || txn.finalLsn <= this.resumeLsn) return;
    const collection = collectionOf({ schema: a.schema, name: a.name });
    if (this.done.has(collection) || this.queue.some((b) => b.table.collection === collection))
      return;
    if (!s.meta) return;
    const [t] = await describeTables(s.meta, [{ schema: a.schema, name: a.name }], collectionOf);
    if (!t || selectTables(s.patterns, [t]).length === 0) return;
    await s.loadTypes(t.columns.map((c) => c.typeOid));
    this.queue.push({ table: t, state: { [collection]: {} } });
    s.ctx.logger.info(
      'backfill announced before the stored position was acknowledged: running it again',
      { table: quoteRef(t) },
    );
  }
}
