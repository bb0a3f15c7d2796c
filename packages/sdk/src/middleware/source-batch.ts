import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { Position, Source } from '../connector.js';
import { type Clock, systemClock } from './clock.js';

/** `sdk.batch.size` / `sdk.batch.delay` as the runtime applies them to one source. */
export interface BatchSettings {
  /** Records per batch at most (0: no bound but the runtime's read size). */
  readonly size: number;
  /** Milliseconds to wait for more records after a batch's first one (0: no wait). */
  readonly delay: number;
  /** Records per read at most, without waiting for more (a rate-limited destination's burst). */
  readonly cap?: number;
}

/**
 * A source whose reads collect batches as Conduit's source batching does: a read returns once
 * `size` records are there, or `delay` after its first record, whichever comes first (only
 * `size`: it waits until the batch is full; only `delay`: it collects for `delay`). A read
 * never returns more than the runtime asked for. Without batching the source is returned as it
 * is.
 */
export function withSourceBatching(
  source: Source,
  settings: BatchSettings,
  clock: Clock = systemClock,
): Source {
  if (settings.size <= 0 && settings.delay <= 0 && !(settings.cap && settings.cap > 0))
    return source;
  return new BatchingSource(source, settings, clock);
}

class BatchingSource implements Source {
  /** A read failed after records were collected: those are returned, the error comes next. */
  private pending: unknown;
  private failed = false;

  constructor(
    private readonly inner: Source,
    private readonly settings: BatchSettings,
    private readonly clock: Clock,
  ) {
    if (inner.metrics) this.metrics = () => inner.metrics!();
    if (inner.check) this.check = (signal) => inner.check!(signal);
  }

  metrics?: Source['metrics'];
  check?: Source['check'];

  open(position: Position | undefined, signal?: AbortSignal): Promise<void> {
    return this.inner.open(position, signal);
  }

  async read(maxRecords: number, signal: AbortSignal): Promise<OpenCDCRecord[]> {
    if (this.failed) {
      this.failed = false;
      throw this.pending;
    }
    const { size, delay, cap = 0 } = this.settings;
    const limit = Math.min(size > 0 ? size : maxRecords, cap > 0 ? cap : maxRecords, maxRecords);
    const batch = await this.inner.read(limit, signal);
    if (size <= 0 && delay <= 0) return batch; // only capped
    const deadline = delay > 0 ? this.clock.now() + delay : Number.POSITIVE_INFINITY;
    while (batch.length < limit && !signal.aborted) {
      const left = deadline - this.clock.now();
      if (left <= 0) break;
      const more = await this.readUntil(limit - batch.length, left, signal);
      if (more === undefined) break;
      for (const r of more) batch.push(r);
    }
    return batch;
  }

  /**
   * Reads up to `max` records, waiting at most `ms` (infinite: until some arrive). `undefined`
   * when the time ran out, the runtime stopped reading, or the read failed (the error is kept
   * for the next read, so the records already collected are delivered first).
   */
  private async readUntil(
    max: number,
    ms: number,
    signal: AbortSignal,
  ): Promise<OpenCDCRecord[] | undefined> {
    const timeout = new AbortController();
    const both = AbortSignal.any([signal, timeout.signal]);
    const stopTimer = new AbortController();
    if (Number.isFinite(ms))
      this.clock.sleep(ms, stopTimer.signal).then(
        () => timeout.abort(),
        () => {},
      );
    try {
      return await this.inner.read(max, both);
    } catch (err) {
      // Aborted by the timeout or the runtime: not a failure (the Source contract's abort rule).
      if (!both.aborted) {
        this.pending = err;
        this.failed = true;
      }
      return undefined;
    } finally {
      stopTimer.abort();
    }
  }

  ack(positions: readonly Position[]): Promise<void> {
    return this.inner.ack(positions);
  }

  teardown(): Promise<void> {
    return this.inner.teardown();
  }
}
