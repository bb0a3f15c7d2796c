import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { METADATA_COLLECTION, METADATA_CREATED_AT, METADATA_READ_AT } from '@opencdc-ts/commons';
import type { Source, SourceGauge } from '@opencdc-ts/sdk';

export type PipelineStatus =
  | 'starting'
  | 'running'
  | 'retrying'
  | 'stopping'
  | 'stopped'
  | 'failed';

/**
 * Live counters of one pipeline, read by the progress display and the HTTP server (`/metrics`,
 * `/readyz`, the JSON API). The runner reports to it; nothing here blocks the pipeline.
 */
export class PipelineStats {
  private current: PipelineStatus = 'starting';
  /** Records written (and acked) per collection. */
  readonly perCollection = new Map<string, number>();
  /** Records read from the source per collection (before processors and writes). */
  readonly readPerCollection = new Map<string, number>();
  total = 0;
  totalRead = 0;
  deadLettered = 0;
  /** Batches delivered (total / batches = the average batch the source returns). */
  batches = 0;
  retries = 0;
  /** Milliseconds between the newest written record's creation and its write, when known. */
  lagMs: number | undefined;
  /** The same, per collection (from each collection's newest written record). */
  readonly lagPerCollection = new Map<string, number | undefined>();
  lastError: string | undefined;
  readonly startedAt = Date.now();
  /** Sources opened since the connectors were last (re)opened (by connector id). */
  private readonly openSources = new Map<string, Source>();
  private readonly batchListeners = new Set<(seconds: number) => void>();

  constructor(
    readonly pipelineId: string,
    /** Sources of the pipeline: all of them open before it is ready. */
    readonly sourceCount = 1,
  ) {}

  get status(): PipelineStatus {
    return this.current;
  }

  /**
   * A new status; any status but `running` means the connectors are closed or being reopened.
   * The runner sets `running` after its sources opened, so opening keeps them.
   */
  set status(s: PipelineStatus) {
    if (s !== 'running') this.openSources.clear();
    this.current = s;
  }

  /**
   * `running` and every source opened: what `/readyz` asks of every pipeline (the runner sets
   * `running` only once all its connectors are open).
   */
  get open(): boolean {
    return this.current === 'running' && this.openSources.size >= Math.max(1, this.sourceCount);
  }

  /** The runner opened `source` (its connectors are open): its gauges are read from now on. */
  opened(connectorId: string, source: Source): void {
    this.openSources.set(connectorId, source);
  }

  /** The connector-specific gauges of the open sources (`Source.metrics`), by connector id. */
  async sourceGauges(): Promise<{ connector: string; gauges: readonly SourceGauge[] }[]> {
    const out: { connector: string; gauges: readonly SourceGauge[] }[] = [];
    for (const [connector, source] of this.openSources) {
      if (!source.metrics) continue;
      out.push({ connector, gauges: await source.metrics() });
    }
    return out;
  }

  count(collection: string, n = 1): void {
    this.perCollection.set(collection, (this.perCollection.get(collection) ?? 0) + n);
    this.total += n;
  }

  /** A batch came from the source. */
  read(batch: readonly OpenCDCRecord[]): void {
    // On the hot path: one map update per run of records of the same collection, not per record.
    let run = '';
    let n = 0;
    for (const r of batch) {
      const c = r.metadata.get(METADATA_COLLECTION) || '(none)';
      if (c === run) {
        n++;
        continue;
      }
      if (n > 0) this.readPerCollection.set(run, (this.readPerCollection.get(run) ?? 0) + n);
      run = c;
      n = 1;
    }
    if (n > 0) this.readPerCollection.set(run, (this.readPerCollection.get(run) ?? 0) + n);
    this.totalRead += batch.length;
  }

  /**
   * A batch was written by every destination and acked to the source: counts, the lag (from its
   * newest record's creation) and the batch latency (from its read: `opencdc.readAt`).
   */
  delivered(acked: readonly OpenCDCRecord[]): void {
    if (acked.length === 0) return;
    this.batches++;
    // The newest record of each collection in the batch: one time parse per collection.
    const newest = new Map<string, OpenCDCRecord>();
    for (const r of acked) {
      const c = r.metadata.get(METADATA_COLLECTION) || '(none)';
      this.count(c);
      newest.set(c, r);
    }
    const now = Date.now();
    for (const [c, r] of newest) this.lagPerCollection.set(c, lagOf(r, now));
    this.lagMs = lagOf(acked[acked.length - 1]!, now);
    const readAt = nanosToMs(acked[0]!.metadata.get(METADATA_READ_AT));
    if (readAt !== undefined && now >= readAt)
      for (const f of this.batchListeners) f((now - readAt) / 1000);
  }

  /** Calls `f` with each delivered batch's latency in seconds, from read to ack. */
  onBatch(f: (seconds: number) => void): () => void {
    this.batchListeners.add(f);
    return () => this.batchListeners.delete(f);
  }
}

/** Milliseconds from the record's creation to `now`, when that is a recent change time. */
function lagOf(r: OpenCDCRecord, now: number): number | undefined {
  const createdAt = nanosToMs(r.metadata.get(METADATA_CREATED_AT));
  if (createdAt === undefined) return undefined;
  const lag = now - createdAt;
  // A creation time over a day old is not a change time (generated or replayed data).
  return lag >= 0 && lag < 86_400_000 ? lag : undefined;
}

/** Unix nanoseconds as a decimal string (`opencdc.createdAt`, `opencdc.readAt`) → ms. */
function nanosToMs(v: string | undefined): number | undefined {
  if (!v || !/^\d+$/.test(v)) return undefined;
  return Number(BigInt(v) / 1_000_000n);
}
