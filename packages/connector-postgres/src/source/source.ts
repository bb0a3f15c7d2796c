/**
 * The Postgres source: one consistent snapshot of the selected tables (exported by the slot),
 * then CDC from the slot's consistent point over `pgoutput`, with acks turned into flushed LSNs
 * only for what the pipeline acknowledged. This file wires the parts: the start plan
 * (`start.ts`), the snapshot (`snapshot.ts`), the WAL pump (`wal.ts`) with its backfills
 * (`backfill.ts`) and record decoding (`decode.ts`), the buffer (the sdk's `SourceBuffer`) and
 * acks (`acks.ts`, on the sdk's `AckLedger`).
 *
 * Every error leaving it is a `TransientError` (the session or connection was lost), a
 * `ConfigError` (found at open), or a plain `Error` for what retrying cannot fix.
 */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import {
  type ConnectorContext,
  type Position,
  type Source,
  SourceBuffer,
  type SourceGauge,
  TransientError,
} from '@opencdc-ts/sdk';
import { classify } from '../errors.js';
import { Acks } from './acks.js';
import { Backfills } from './backfill.js';
import type { SourceConfig } from './config.js';
import { CLIENT_OPTIONS } from './connection.js';
import { slotGauges } from './metrics.js';
import { decodePosition, snapshotPosition } from './position.js';
import { ReplicationStream } from './replication.js';
import { Session } from './session.js';
import { runSnapshot } from './snapshot.js';
import { checkStart, planStart, type StartPlan, snapshotDeps } from './start.js';
import { WalPump } from './wal.js';

export class PostgresSource implements Source {
  private readonly s: Session;
  private readonly buffer: SourceBuffer<OpenCDCRecord>;
  private readonly acks: Acks;
  private stream: ReplicationStream | undefined;
  private pump: WalPump | undefined;
  private producer: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly config: SourceConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.buffer = new SourceBuffer({
      maxRecords: config.bufferSize,
      maxBytes: config.bufferBytes,
    });
    this.acks = new Acks((lsn) => this.stream?.setFlushed(lsn));
    this.s = new Session(
      config,
      ctx,
      (rec, bytes = 0) => this.emit(rec, bytes),
      (e) => this.fail(e),
    );
  }

  /** Checks what `open` would, changing nothing (see `checkStart`); then `teardown`. */
  async check(): Promise<void> {
    try {
      await checkStart(this.s);
    } catch (e) {
      throw classify(e);
    }
  }

  async open(position: Position | undefined): Promise<void> {
    let plan: StartPlan;
    try {
      const pos = position && position.length > 0 ? decodePosition(position) : undefined;
      plan = await planStart(this.s, pos);
    } catch (e) {
      throw classify(e);
    }
    this.producer = this.produce(plan).catch((e: unknown) => this.fail(e));
  }

  private emit(rec: OpenCDCRecord, bytes: number): Promise<void> | undefined {
    this.acks.emitted(rec.position);
    return this.buffer.push(rec, bytes);
  }

  private async produce(plan: StartPlan): Promise<void> {
    const s = this.s;
    if (plan.snapState) {
      const deps = await snapshotDeps(s);
      await runSnapshot({
        deps,
        url: this.config.url,
        clientOptions: CLIENT_OPTIONS,
        tables: [...s.tables.values()],
        state: plan.snapState,
        snapshotName: plan.snapshotName,
        fetchSize: this.config['snapshot.fetchSize'],
        concurrency: this.config['snapshot.concurrency'],
        types: s.types,
        emit: s.emit,
        position: snapshotPosition,
        stopped: () => s.halted,
        onConnectionError: (e) => this.fail(e),
      });
      this.ctx.logger.info('snapshot done', { tables: s.tables.size });
    }
    if (s.halted) return;
    const backfills = new Backfills(s, plan.backfills, plan.resume?.lsn ?? 0n, () =>
      this.pump?.wake(),
    );
    const pump = new WalPump(s, this.acks, backfills, plan.resume);
    this.pump = pump;
    const repl = await s.replicationClient();
    const stream = new ReplicationStream(repl, (m) => pump.onWal(m));
    this.stream = stream;
    pump.stream = stream;
    stream.start(s.slot, s.publication, '0/0', s.messages);
    stream.done.then(
      () => this.fail(new TransientError('the server ended replication')),
      (e: unknown) => this.fail(e),
    );
    this.startTimers(pump, backfills);
    await pump.run();
  }

  private startTimers(pump: WalPump, backfills: Backfills): void {
    const s = this.s;
    const hb = this.config['logrepl.heartbeatInterval'];
    if (hb > 0) {
      const t = setInterval(() => {
        if (pump.walSeen) {
          pump.walSeen = false;
          return;
        }
        s.meta
          ?.query("SELECT pg_logical_emit_message(false, 'opencdc-heartbeat', '')")
          .catch((e: unknown) => this.ctx.logger.warn('heartbeat failed', { error: String(e) }));
      }, hb);
      t.unref();
      this.timers.push(t);
    }
    const disc = this.config['logrepl.tableDiscoveryInterval'];
    if (disc > 0 && s.patterns.some((p) => !p.exclude && !p.exact)) {
      let running = false;
      const t = setInterval(() => {
        if (running) return;
        running = true;
        backfills
          .discover()
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

  read(maxRecords: number, signal: AbortSignal): Promise<OpenCDCRecord[]> {
    // The sdk's abort rule: an aborted read with nothing to return rejects with AbortedError.
    return this.buffer.read(maxRecords, signal);
  }

  async ack(positions: readonly Position[]): Promise<void> {
    this.acks.ack(positions);
  }

  /** The slot's retained WAL and confirmed LSN (`metrics.ts`), on the catalog connection. */
  async metrics(): Promise<readonly SourceGauge[]> {
    return this.s.meta && !this.s.halted ? slotGauges(this.s.meta, this.s.slot) : [];
  }

  private fail(e: unknown): void {
    if (this.s.halted) return;
    const err = classify(e);
    this.s.failed = true;
    this.ctx.logger.error('postgres source failed', {
      error: err.message,
      transient: err instanceof TransientError,
    });
    // Reads get what is buffered, then this error; the producers stop (`halted`).
    this.buffer.fail(err);
  }

  async teardown(): Promise<void> {
    this.s.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.stream?.stop();
    this.pump?.wake();
    this.buffer.close();
    // Tell the server what is flushed before leaving (the last status may be up to 10 s old).
    this.stream?.sendStatus(false);
    await this.s.end();
    await Promise.race([this.producer, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}
