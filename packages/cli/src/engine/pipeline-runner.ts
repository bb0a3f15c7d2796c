import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { METADATA_COLLECTION, METADATA_CREATED_AT, Metadata } from '@opencdc-ts/commons';
import {
  type Connector,
  type ConnectorContext,
  type ConnectorSide,
  type Destination,
  type Features,
  RecordError,
  type Source,
} from '@opencdc-ts/sdk';
import type { PipelineConfig } from '../config/pipeline-file.js';
import type { AppLogger } from '../log.js';
import {
  decodePosition,
  emptyState,
  encodePosition,
  type PipelineState,
  type StateStore,
} from '../state/store.js';
import { DeadLetterHandler } from './dead-letter.js';
import { type PluginInfo, stampDestination, stampSource } from './metadata-keys.js';
import {
  backoffMs,
  ConnectorConfigError,
  classify,
  configErrorsOf,
  dataErrorReason,
  isDataError,
  PipelineStopError,
  sleep,
} from './retry.js';
import { PipelineStats } from './stats.js';

/** A connector of a pipeline with its plugin loaded and its settings parsed. */
export interface ResolvedConnector<T> {
  /** `<pipeline>:<connector>`; the dead-letter destination uses `<pipeline>:dlq`. */
  fullId: string;
  plugin: PluginInfo;
  /** What the connector declares (its specification's features). */
  features: Features;
  side: ConnectorSide<unknown, T>;
  config: unknown;
}

export interface ResolvedPipeline {
  config: PipelineConfig;
  source: ResolvedConnector<Source>;
  destinations: ResolvedConnector<Destination>[];
  deadLetter: ResolvedConnector<Destination>;
}

export interface RunnerOptions {
  /** Records asked of the source per read (the batch size). */
  batchSize?: number;
  /** Consecutive restarts allowed for errors that are neither transient nor fatal. */
  maxUnknownRestarts?: number;
  /** Backoff cap between restarts. */
  maxBackoffMs?: number;
}

export function resolvePluginInfo(ref: string, connector: Connector): PluginInfo {
  return { name: ref, version: connector.specification.version };
}

/**
 * Runs one pipeline: source → destinations → ack, at least once.
 *
 * Flow control: one read is in flight while a batch is written (read-ahead of one batch), so
 * memory stays within two batches and a slow destination slows the source down.
 */
export class PipelineRunner {
  readonly stats: PipelineStats;
  private state: PipelineState = emptyState();
  private dirty = false;
  private readonly batchSize: number;

  constructor(
    private readonly pipeline: ResolvedPipeline,
    private readonly store: StateStore,
    private readonly logger: AppLogger,
    private readonly options: RunnerOptions = {},
  ) {
    this.stats = new PipelineStats(pipeline.config.id);
    this.batchSize = options.batchSize ?? 2048;
  }

  get id(): string {
    return this.pipeline.config.id;
  }

  /** Runs until `stop` aborts (then resolves after a clean flush) or a fatal error (rejects). */
  async run(stop: AbortSignal): Promise<void> {
    this.state = (await this.store.load(this.id)) ?? emptyState();
    await this.runLifecycleHooks();
    let attempt = 0;
    let unknownRestarts = 0;
    for (;;) {
      const before = this.stats.total + this.stats.deadLettered;
      try {
        this.stats.status = 'running';
        await this.runOnce(stop);
        this.stats.status = 'stopped';
        return;
      } catch (err) {
        const kind = classify(err);
        if (this.stats.total + this.stats.deadLettered > before) {
          attempt = 0;
          unknownRestarts = 0;
        }
        this.stats.lastError = (err as Error).message;
        if (stop.aborted && kind !== 'fatal') {
          // Stopping anyway: nothing more to retry; acked positions are saved.
          this.stats.status = 'stopped';
          return;
        }
        if (
          kind === 'fatal' ||
          (kind === 'unknown' && ++unknownRestarts > (this.options.maxUnknownRestarts ?? 3))
        ) {
          this.stats.status = 'failed';
          throw err;
        }
        const wait = backoffMs(attempt++, this.options.maxBackoffMs);
        this.stats.retries++;
        this.stats.status = 'retrying';
        this.logger.warn(
          `${kind === 'transient' ? 'connection problem' : 'unexpected error'}; restarting from the last acked position`,
          {
            error: (err as Error).message,
            retryInMs: wait,
            attempt,
          },
        );
        await sleep(wait, stop);
        if (stop.aborted) {
          this.stats.status = 'stopped';
          return;
        }
      }
    }
  }

  private context(fullId: string): ConnectorContext {
    return { connectorId: fullId, logger: this.logger.child({ connector: fullId }) };
  }

  /** `onCreated` runs once per connector: when the state has no entry for it yet. */
  private async runLifecycleHooks(): Promise<void> {
    const p = this.pipeline;
    for (const c of [p.source, ...p.destinations, p.deadLetter] as ResolvedConnector<unknown>[]) {
      if (this.state.connectors[c.fullId]) continue;
      await opening(c, () => c.side.onCreated?.(c.config, this.context(c.fullId)));
      this.state.connectors[c.fullId] = { createdAt: new Date().toISOString() };
      this.dirty = true;
    }
    await this.save();
  }

  private async save(): Promise<void> {
    if (!this.dirty) return;
    this.state.updatedAt = new Date().toISOString();
    this.dirty = false;
    await this.store.save(this.id, this.state);
  }

  private async runOnce(stop: AbortSignal): Promise<void> {
    const p = this.pipeline;
    const source = p.source.side.create(p.source.config, this.context(p.source.fullId));
    const destinations = p.destinations.map((d) => ({
      d,
      dest: d.side.create(d.config, this.context(d.fullId)),
    }));
    const dlqDest = p.deadLetter.side.create(
      p.deadLetter.config,
      this.context(p.deadLetter.fullId),
    );
    const dlq = new DeadLetterHandler(
      p.config.deadLetter.windowSize,
      p.config.deadLetter.windowNackThreshold,
      dlqDest,
      this.logger,
    );
    const reading = new AbortController();
    const onStop = () => reading.abort();
    stop.addEventListener('abort', onStop, { once: true });
    let next: Promise<OpenCDCRecord[]> | undefined;
    try {
      await opening(p.deadLetter, () => dlqDest.open(stop));
      for (const { d, dest } of destinations) await opening(d, () => dest.open(stop));
      const from =
        this.state.position === undefined ? undefined : decodePosition(this.state.position);
      await opening(p.source, () => source.open(from, stop));
      this.logger.info(
        from ? 'pipeline resumed from the saved position' : 'pipeline started from the beginning',
      );
      const read = (): Promise<OpenCDCRecord[]> => {
        const pr = source.read(this.batchSize, reading.signal);
        pr.catch(() => {}); // handled where awaited; avoids an unhandled rejection meanwhile
        return pr;
      };
      next = read();
      while (next) {
        const current: Promise<OpenCDCRecord[]> = next;
        let batch: OpenCDCRecord[];
        try {
          batch = await current;
        } catch (err) {
          next = undefined;
          // The Source contract's abort rule: once reading is aborted, a read with nothing to
          // return rejects with `AbortedError`; that is "stopped reading", not a failure.
          if (reading.signal.aborted) break;
          throw tagConfigError(p.source, err);
        }
        // Read ahead while this batch is written: at most one batch waits. Once stopping,
        // nothing new is read; what was already read is still written and acked.
        next = reading.signal.aborted ? undefined : read();
        if (batch.length === 0) continue; // a source that still resolves empty on abort
        // `opencdc.readAt` and the source connector: one clock reading per batch.
        stampSource(batch, p.source.fullId, p.source.plugin);
        await this.deliver(batch, source, destinations, dlq);
      }
    } finally {
      stop.removeEventListener('abort', onStop);
      reading.abort();
      if (next) await next.catch(() => {});
      await this.save().catch((err: unknown) =>
        this.logger.error('could not save state', { error: (err as Error).message }),
      );
      for (const c of [source, ...destinations.map((d) => d.dest), dlqDest]) {
        await c
          .teardown()
          .catch((err: unknown) =>
            this.logger.warn('teardown failed', { error: (err as Error).message }),
          );
      }
    }
  }

  /** Writes a batch to every destination, then acks what all of them finished, in order. */
  private async deliver(
    batch: OpenCDCRecord[],
    source: Source,
    destinations: { d: ResolvedConnector<Destination>; dest: Destination }[],
    dlq: DeadLetterHandler,
  ): Promise<void> {
    const results = await Promise.allSettled(
      destinations.map(({ d, dest }, i) =>
        this.writeTo(dest, d, i === 0 ? batch : batch.map(cloneRecord), dlq),
      ),
    );
    // Records before the first unfinished one in ANY destination are safe to ack.
    let done = batch.length;
    let failure: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      const e = r.reason as { done?: number; cause?: unknown };
      done = Math.min(done, e instanceof PartialWriteError ? e.done : 0);
      failure ??= e instanceof PartialWriteError ? e.cause : e;
    }
    if (done > 0) {
      const acked = batch.slice(0, done);
      // State first, then the upstream ack: the saved position is never behind what the
      // upstream forgot (a Postgres slot or a committed offset cannot rewind), so a restart
      // after a crash between the two only re-reads records, it never skips any.
      this.state.position = encodePosition(acked[acked.length - 1]!.position);
      this.dirty = true;
      await this.save();
      await source.ack(acked.map((r) => r.position));
      this.stats.batches++;
      for (const r of acked) this.stats.count(r.metadata.get(METADATA_COLLECTION) || '(none)');
      const createdAt = acked[acked.length - 1]!.metadata.get(METADATA_CREATED_AT);
      if (createdAt && /^\d+$/.test(createdAt)) {
        const lag = Date.now() - Number(BigInt(createdAt) / 1_000_000n);
        // A creation time over a day old is not a change time (generated or replayed data).
        this.stats.lagMs = lag >= 0 && lag < 86_400_000 ? lag : undefined;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * Writes `records` to one destination, dead-lettering refused records per the window.
   *
   * A `RecordError` names its record. A data error without an index (a codec's `EncodeError`, a
   * `RangeError` such as a stack overflow on a deeply nested value) comes from some record of
   * the batch but the connector did not say which: the batch is split in halves, recursively,
   * until the record is alone, which is then dead-lettered with the reason (a few more writes
   * for a bad batch, none for a good one). Records written before the error in a failed attempt
   * may be written again: at least once.
   */
  private async writeTo(
    dest: Destination,
    d: ResolvedConnector<Destination>,
    records: OpenCDCRecord[],
    dlq: DeadLetterHandler,
  ): Promise<void> {
    stampDestination(records, d.plugin);
    await this.writeRecords(dest, d, records, dlq);
  }

  private async writeRecords(
    dest: Destination,
    d: ResolvedConnector<Destination>,
    records: OpenCDCRecord[],
    dlq: DeadLetterHandler,
  ): Promise<void> {
    let offset = 0;
    while (offset < records.length) {
      const rest = offset === 0 ? records : records.slice(offset);
      try {
        await dest.write(rest);
        dlq.ack(rest.length);
        return;
      } catch (err) {
        if (err instanceof RecordError) {
          if (!Number.isInteger(err.index) || err.index < 0 || err.index >= rest.length) {
            throw new PartialWriteError(
              offset,
              new PipelineStopError(
                `${d.fullId} reported a RecordError with an invalid index ${err.index}: ${err.message}`,
              ),
            );
          }
          dlq.ack(err.index);
          await this.deadLetter(dlq, rest[err.index]!, err, d, offset + err.index);
          offset += err.index + 1;
          continue;
        }
        if (!isDataError(err)) throw new PartialWriteError(offset, tagConfigError(d, err));
        if (rest.length === 1) {
          const reason = new RecordError(dataErrorReason(err, d.fullId), 0, { cause: err });
          await this.deadLetter(dlq, rest[0]!, reason, d, offset);
          offset += 1;
          continue;
        }
        // Which record? Write the first half on its own (splitting further if it fails the
        // same way); the loop then writes the second half, which splits likewise.
        const half = Math.ceil(rest.length / 2);
        this.logger.debug('a record of the batch cannot be converted; isolating it', {
          destination: d.fullId,
          records: rest.length,
          error: (err as Error).message,
        });
        try {
          await this.writeRecords(dest, d, rest.slice(0, half), dlq);
        } catch (e) {
          if (e instanceof PartialWriteError) throw new PartialWriteError(offset + e.done, e.cause);
          throw e;
        }
        offset += half;
      }
    }
  }

  /** Dead-letters one record per the window; `at` is its index in the records being written. */
  private async deadLetter(
    dlq: DeadLetterHandler,
    record: OpenCDCRecord,
    err: Error,
    d: ResolvedConnector<Destination>,
    at: number,
  ): Promise<void> {
    try {
      await dlq.nack(record, err, d.fullId);
    } catch (stopErr) {
      throw new PartialWriteError(at, stopErr);
    }
    this.stats.deadLettered++;
  }
}

/**
 * A configuration error is tagged with the connector that threw it, so the run reports which
 * one and exits 2 (it is never retried); any other error is returned as it is.
 */
function tagConfigError(c: { fullId: string; plugin: PluginInfo }, err: unknown): unknown {
  const errors = err instanceof ConnectorConfigError ? undefined : configErrorsOf(err);
  return errors ? new ConnectorConfigError(c.fullId, c.plugin.name, errors, { cause: err }) : err;
}

/** Runs a connector's `open`/`onCreated`, tagging a configuration error with the connector. */
async function opening(
  c: { fullId: string; plugin: PluginInfo },
  f: () => Promise<unknown> | undefined,
): Promise<void> {
  try {
    await f();
  } catch (err) {
    throw tagConfigError(c, err);
  }
}

/** A destination finished (wrote or dead-lettered) the first `done` records, then failed. */
class PartialWriteError extends Error {
  constructor(
    readonly done: number,
    override readonly cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/** Each destination gets its own metadata (destination keys differ); data is shared, read-only. */
function cloneRecord(r: OpenCDCRecord): OpenCDCRecord {
  return { ...r, metadata: new Metadata(r.metadata), payload: { ...r.payload } };
}
