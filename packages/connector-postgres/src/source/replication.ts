/**
 * The CopyBoth side of a logical replication connection (the `pg` driver gives us the socket
 * and the CopyData frames; the replication sub-protocol is ours): XLogData ('w') and primary
 * keepalive ('k') in, standby status updates ('r') out.
 *
 * The flushed LSN we report is ONLY what the owner sets through `setFlushed` (what the pipeline
 * acknowledged); received data is reported as `write`, never as `flush`.
 */
import type pg from 'pg';
import { literal, quote } from '../sql.js';
import { decodePgOutput, type PgOutputMessage } from './pgoutput.js';

/** Microseconds between the Unix epoch and Postgres' epoch (2000-01-01). */
export const PG_EPOCH_MICROS = 946_684_800_000_000n;

export type WalMessage =
  | { kind: 'data'; walStart: bigint; walEnd: bigint; message: PgOutputMessage }
  | { kind: 'keepalive'; walEnd: bigint; replyRequested: boolean };

/** What `pg` exposes on `client.connection` (typed loosely by @types/pg). */
interface CopyConnection {
  on(event: 'copyData', fn: (msg: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: NodeJS.ReadableStream & { pause(): void; resume(): void };
}

export class ReplicationStream {
  private flushed = 0n;
  private written = 0n;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private readonly conn: CopyConnection;
  /** Settles when replication ends (error or server-side end). */
  done: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: pg.Client,
    private readonly onMessage: (m: WalMessage) => void,
    private readonly statusIntervalMs = 10_000,
  ) {
    // `connection` is pg's internal protocol connection; @types/pg does not declare copyData.
    this.conn = (client as unknown as { connection: CopyConnection }).connection;
  }

  /** `messages`: also receive `pg_logical_emit_message` messages (PostgreSQL 14+). */
  start(slot: string, publication: string, startLsn: string, messages = false): void {
    this.conn.on('copyData', ({ chunk }) => this.handle(chunk));
    this.done = this.client
      .query(
        `START_REPLICATION SLOT ${quote(slot)} LOGICAL ${startLsn} (proto_version '1', publication_names ${literal(publication)}${messages ? ", messages 'true'" : ''})`,
      )
      .then(() => undefined);
    this.timer = setInterval(() => this.sendStatus(false), this.statusIntervalMs);
    this.timer.unref();
  }

  private handle(chunk: Buffer): void {
    const tag = chunk[0];
    if (tag === 0x77 /* w */) {
      const walStart = chunk.readBigUInt64BE(1);
      const walEnd = chunk.readBigUInt64BE(9);
      if (walStart > this.written) this.written = walStart;
      // Decode now: pg's parser reuses its buffer, so `chunk` is only valid during this call.
      this.onMessage({
        kind: 'data',
        walStart,
        walEnd,
        message: decodePgOutput(chunk.subarray(25)),
      });
    } else if (tag === 0x6b /* k */) {
      const walEnd = chunk.readBigUInt64BE(1);
      const replyRequested = chunk[17] === 1;
      // Answer at once (the server may be waiting) with what is flushed now; the owner may
      // advance the flushed position after processing the keepalive in order.
      if (replyRequested) this.sendStatus(false);
      this.onMessage({ kind: 'keepalive', walEnd, replyRequested });
    }
  }

  /** Sets the LSN the server may consider durably processed (never moves backwards). */
  setFlushed(lsn: bigint, sendNow = true): void {
    if (lsn <= this.flushed) return;
    this.flushed = lsn;
    if (lsn > this.written) this.written = lsn;
    if (sendNow) this.sendStatus(false);
  }

  get flushedLsn(): bigint {
    return this.flushed;
  }

  sendStatus(replyNow: boolean): void {
    const buf = Buffer.alloc(34);
    buf[0] = 0x72; // r
    buf.writeBigUInt64BE(this.written, 1);
    buf.writeBigUInt64BE(this.flushed, 9);
    buf.writeBigUInt64BE(this.flushed, 17);
    buf.writeBigInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_MICROS, 25);
    buf[33] = replyNow ? 1 : 0;
    try {
      this.conn.sendCopyFromChunk(buf);
    } catch {
      // The connection is gone; `done` reports why.
    }
  }

  /** Stops reading the socket (backpressure); TCP flow control then slows the server. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.conn.stream.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.conn.stream.resume();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
