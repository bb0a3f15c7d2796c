import type { OpenCDCRecord } from '@opencdc-ts/commons';

/**
 * The bounded hand-over between the consumer (producer side, `eachBatch`) and `read()`.
 * When full, the consumer pauses the partition; when drained to the low-water mark, `read()`
 * resumes every paused partition.
 */
export class RecordBuffer {
  private items: OpenCDCRecord[] = [];
  private head = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.size >= this.capacity;
  }

  /** At or below half full: time to resume paused partitions. */
  get low(): boolean {
    return this.size <= this.capacity / 2;
  }

  push(r: OpenCDCRecord): void {
    this.items.push(r);
    this.wake();
  }

  take(max: number): OpenCDCRecord[] {
    const n = Math.min(max, this.size);
    const out = this.items.slice(this.head, this.head + n);
    this.head += n;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** Resolves at the next push or `wake()`, or when the signal aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  wake(): void {
    if (this.waiters.length === 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
