/**
 * What the parts of one open source share: configuration, the catalog connection, the tables
 * selected so far with their types, the relations the stream announced, and the ways out
 * (`emit` a record, `fail` the source).
 */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { ConnectorContext } from '@opencdc-ts/sdk';
import type pg from 'pg';
import type { TableInfo } from './catalog.js';
import type { SourceConfig } from './config.js';
import { CLIENT_OPTIONS, connect, newClient } from './connection.js';
import type { Relation } from './decode.js';
import { parseTablePatterns, type TablePattern } from './tables.js';
import { TYPE_QUERY, TypeRegistry } from './values.js';

export class Session {
  readonly patterns: TablePattern[];
  readonly types = new TypeRegistry();
  /** Selected tables by collection (grows with discovered tables). */
  readonly tables = new Map<string, TableInfo>();
  /** Relations announced by the stream, by relation id. */
  readonly relations = new Map<number, Relation>();
  /** The catalog connection (queries, heartbeats). */
  meta: pg.Client | undefined;
  private repl: pg.Client | undefined;
  /** Teardown began. */
  stopping = false;
  /** The source failed (the error is with the reader). */
  failed = false;
  /** The server can stream WAL messages (14+): backfills are announced durably in the WAL. */
  messages = false;

  constructor(
    readonly config: SourceConfig,
    readonly ctx: ConnectorContext,
    /** Queues a record; a promise only when the buffer is full (backpressure). */
    readonly emit: (rec: OpenCDCRecord, bytes?: number) => Promise<void> | undefined,
    readonly fail: (e: unknown) => void,
  ) {
    this.patterns = parseTablePatterns(config.tables);
  }

  /** Stopping or failed: producers (snapshot, pump, backfills) stop. */
  get halted(): boolean {
    return this.stopping || this.failed;
  }

  get slot(): string {
    return this.config['logrepl.slotName'];
  }
  get publication(): string {
    return this.config['logrepl.publicationName'];
  }

  async connectMeta(): Promise<pg.Client> {
    const meta = newClient({ url: this.config.url, options: CLIENT_OPTIONS }, (e) => this.fail(e));
    this.meta = meta;
    await connect(meta, this.config.url);
    return meta;
  }

  /** The walsender connection, made on first use. */
  async replicationClient(): Promise<pg.Client> {
    if (this.repl) return this.repl;
    const repl = newClient(
      { url: this.config.url, options: CLIENT_OPTIONS, replication: 'database' },
      (e) => this.fail(e),
    );
    this.repl = repl;
    await connect(repl, this.config.url);
    return repl;
  }

  async loadTypes(oids: number[]): Promise<void> {
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

  tableByOid(oid: number): TableInfo | undefined {
    for (const t of this.tables.values()) if (t.oid === oid) return t;
    return undefined;
  }

  /** Closes both connections. */
  async end(): Promise<void> {
    await Promise.allSettled([this.repl?.end(), this.meta?.end()]);
  }
}
