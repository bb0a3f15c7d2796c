export type PipelineStatus =
  | 'starting'
  | 'running'
  | 'retrying'
  | 'stopping'
  | 'stopped'
  | 'failed';

/** Live counters of one pipeline, read by the progress display. */
export class PipelineStats {
  status: PipelineStatus = 'starting';
  /** Records written (and acked) per collection. */
  readonly perCollection = new Map<string, number>();
  total = 0;
  deadLettered = 0;
  /** Batches delivered (total / batches = the average batch the source returns). */
  batches = 0;
  retries = 0;
  /** Milliseconds between the newest written record's creation and its write, when known. */
  lagMs: number | undefined;
  lastError: string | undefined;
  readonly startedAt = Date.now();

  constructor(readonly pipelineId: string) {}

  count(collection: string, n = 1): void {
    this.perCollection.set(collection, (this.perCollection.get(collection) ?? 0) + n);
    this.total += n;
  }
}
