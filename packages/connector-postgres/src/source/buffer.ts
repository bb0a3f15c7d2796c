/**
 * Records handed to `read()`: bounded by a number of records AND bytes (row text size), so the
 * snapshot pauses and the replication socket stops being read when the pipeline lags.
 */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { AbortedError } from '@opencdc-ts/sdk';

export class RecordBuffer {
  private buf: OpenCDCRecord[] = [];
  /** Estimated size of each buffered record (parallel to `buf`) and their sum. */
  private sizes: number[] = [];
  private bytes = 0;
  private dataWaiter: (() => void) | undefined;
  private spaceWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly maxRecords: number,
    private readonly maxBytes: number,
  ) {}

  /** Queues a record; a promise (resolved when there is room again) only when full. */
  push(rec: OpenCDCRecord, bytes: number): Promise<void> | undefined {
    this.buf.push(rec);
    this.sizes.push(bytes);
    this.bytes += bytes;
    this.wakeReader();
    if (!this.full() || this.closed) return undefined;
    return new Promise<void>((r) => {
      this.spaceWaiters.push(r);
    });
  }

  /** 1..max records; waits for one. `failure` is checked while empty (and thrown). */
  async read(
    max: number,
    signal: AbortSignal,
    failure: () => Error | undefined,
  ): Promise<OpenCDCRecord[]> {
    while (this.buf.length === 0) {
      const f = failure();
      if (f) throw f;
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
    const all = this.buf.length <= max;
    const out = all ? this.buf : this.buf.slice(0, max);
    if (all) {
      this.buf = [];
      this.sizes = [];
      this.bytes = 0;
    } else {
      for (let i = 0; i < max; i++) this.bytes -= this.sizes[i]!;
      this.buf = this.buf.slice(max);
      this.sizes = this.sizes.slice(max);
    }
    if (!this.full()) this.wakeProducers();
    return out;
  }

  /** Wakes a waiting `read` (new data, or a failure to report). */
  wakeReader(): void {
    const w = this.dataWaiter;
    this.dataWaiter = undefined;
    w?.();
  }

  /** Stops backpressure for good and wakes everyone (teardown). */
  close(): void {
    this.closed = true;
    this.wakeProducers();
    this.wakeReader();
  }

  private full(): boolean {
    return this.buf.length >= this.maxRecords || this.bytes >= this.maxBytes;
  }

  private wakeProducers(): void {
    const ws = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of ws) w();
  }
}
