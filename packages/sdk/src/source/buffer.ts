import { AbortedError } from '../errors.js';

export interface SourceBufferOptions {
  /** Records held at most: `push` asks its producer to wait once the buffer holds this many. */
  readonly maxRecords: number;
  /** Bytes held at most (the sizes given to `push`); default: no bound on bytes. */
  readonly maxBytes?: number;
  /**
   * Hysteresis: a waiting producer continues once the buffer has drained to this fraction of
   * both bounds (e.g. `0.5`: half full, so a paused upstream is not resumed and paused again on
   * every read). Default `1`: as soon as there is room.
   */
  readonly resumeAt?: number;
}

/**
 * The hand-over between a source's producer (a WAL pump, a consumer callback) and `read()`:
 * first in, first out, bounded in records and in bytes.
 *
 * - `push(item, bytes)` never refuses an item: it returns `undefined` while there is room, and
 *   once the buffer is full a promise that resolves when the producer may continue (one shared
 *   promise per full period, so pushing costs no allocation).
 * - `read(max, signal)` resolves with 1..max items, waiting until at least one is there. When
 *   `signal` aborts while it waits (or before), it rejects with `AbortedError`: the Source
 *   contract's abort rule.
 * - `fail(err)`: the producer broke. Reads still get what is buffered, then (and any read
 *   waiting now) reject with `err`. Waiting producers are released and later pushes are
 *   dropped: those records were never read, so never acked, so read again after a restart.
 * - `close()` (teardown): drops what is buffered, releases waiting producers, later pushes are
 *   dropped and reads reject with `AbortedError`.
 */
export class SourceBuffer<T> {
  private items: T[] = [];
  /** Per item its size, parallel to `items`; only kept when bytes are bounded. */
  private sizes: number[] = [];
  private head = 0;
  private held = 0;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly lowRecords: number;
  private readonly lowBytes: number;
  private readonly countBytes: boolean;
  private readers: (() => void)[] = [];
  private room: Promise<void> | undefined;
  private roomResolve: (() => void) | undefined;
  private failure: unknown;
  private failed = false;
  private closed = false;

  constructor(options: SourceBufferOptions) {
    const { maxRecords, maxBytes = Number.POSITIVE_INFINITY, resumeAt = 1 } = options;
    if (!(maxRecords >= 1))
      throw new RangeError(`maxRecords must be at least 1, got ${maxRecords}`);
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
    if (!(resumeAt > 0 && resumeAt <= 1))
      throw new RangeError(`resumeAt must be in (0, 1], got ${resumeAt}`);
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.lowRecords = maxRecords * resumeAt;
    this.lowBytes = maxBytes * resumeAt;
    this.countBytes = Number.isFinite(maxBytes);
  }

  /** Items buffered. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Bytes buffered (0 when bytes are not bounded). */
  get bytes(): number {
    return this.held;
  }

  /** At a bound: a push now would be told to wait. */
  get full(): boolean {
    return this.size >= this.maxRecords || this.held >= this.maxBytes;
  }

  /**
   * Appends `item` (of `bytes` bytes, an estimate is fine). Returns `undefined` while there is
   * room, else a promise that resolves once the buffer drained (see `resumeAt`), or at
   * `fail`/`close`. After `fail` or `close` the item is dropped.
   */
  push(item: T, bytes = 0): Promise<void> | undefined {
    if (this.failed || this.closed) return undefined;
    this.items.push(item);
    if (this.countBytes) {
      this.sizes.push(bytes);
      this.held += bytes;
    }
    if (this.readers.length > 0) this.wakeReaders();
    if (this.items.length - this.head < this.maxRecords && this.held < this.maxBytes)
      return undefined;
    if (this.room === undefined)
      this.room = new Promise<void>((resolve) => {
        this.roomResolve = resolve;
      });
    return this.room;
  }

  /**
   * Resolves with 1..max items in push order, waiting until at least one is buffered. Rejects
   * with `AbortedError` when `signal` aborts first, with the `fail` error once the buffer is
   * empty after a failure, and with `AbortedError` after `close`.
   */
  async read(max: number, signal?: AbortSignal): Promise<T[]> {
    while (this.items.length === this.head) {
      if (this.failed) throw this.failure;
      if (this.closed) throw new AbortedError('source closed');
      if (signal?.aborted) throw new AbortedError();
      await this.waitForItems(signal);
    }
    return this.take(max);
  }

  /** Up to `max` items now, without waiting (possibly none). */
  take(max: number): T[] {
    const size = this.items.length - this.head;
    const n = Math.min(Math.max(0, Math.floor(max)), size);
    let out: T[];
    if (this.head === 0 && n === size) {
      // Everything: hand the array itself out, no copy.
      out = this.items;
      this.items = [];
      if (this.countBytes) this.sizes = [];
      this.held = 0;
    } else {
      const from = this.head;
      out = this.items.slice(from, from + n);
      if (this.countBytes) for (let i = from; i < from + n; i++) this.held -= this.sizes[i]!;
      this.head = from + n;
      if (this.head === this.items.length) {
        this.items = [];
        if (this.countBytes) this.sizes = [];
        this.head = 0;
        this.held = 0;
      } else if (this.head > 4096 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        if (this.countBytes) this.sizes = this.sizes.slice(this.head);
        this.head = 0;
      }
    }
    if (
      this.room !== undefined &&
      this.items.length - this.head <= this.lowRecords &&
      this.held <= this.lowBytes &&
      !this.full
    )
      this.releaseProducers();
    return out;
  }

  /** The producer failed: see the class comment. The first error wins. */
  fail(err: unknown): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.failure = err;
    this.wakeReaders();
    this.releaseProducers();
  }

  /** Teardown: see the class comment. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.held = 0;
    this.wakeReaders();
    this.releaseProducers();
  }

  private waitForItems(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal === undefined) {
        this.readers.push(resolve);
        return;
      }
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.readers.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wakeReaders(): void {
    const readers = this.readers;
    if (readers.length === 0) return;
    this.readers = [];
    for (const wake of readers) wake();
  }

  private releaseProducers(): void {
    const resolve = this.roomResolve;
    this.room = undefined;
    this.roomResolve = undefined;
    resolve?.();
  }
}
