import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type {
  Connector,
  ConnectorContext,
  ConnectorSide,
  Destination,
  Features,
  Source,
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
import type { Chain, ChainFactory, ChainStep } from './chain.js';
import { DeadLetterHandler } from './dead-letter.js';
import { type Delivery, type DeliveryTarget, deliver } from './delivery.js';
import { type PluginInfo, stampDestination, stampSource } from './metadata-keys.js';
import { createChain } from './processors-package.js';
import { backoffMs, classify, sleep } from './retry.js';
import { PipelineStats } from './stats.js';
import { tagConfigError } from './write-destination.js';

/** A connector of a pipeline with its plugin loaded and its settings parsed. */
export interface ResolvedConnector<T> {
  /** `<pipeline>:<connector>`; the dead-letter destination uses `<pipeline>:dlq`. */
  fullId: string;
  plugin: PluginInfo;
  /** What the connector declares (its specification's features). */
  features: Features;
  side: ConnectorSide<unknown, T>;
  config: unknown;
  /** The connector's processors: after this source, before this destination; empty: none. */
  processors?: readonly ChainStep[];
}

export interface ResolvedPipeline {
  config: PipelineConfig;
  /** Every source, in file order (fan-in: each keeps and acks its own position). */
  sources: ResolvedConnector<Source>[];
  /** The first source (what single-source callers such as `validate` show). */
  source: ResolvedConnector<Source>;
  destinations: ResolvedConnector<Destination>[];
  deadLetter: ResolvedConnector<Destination>;
  /** Pipeline processors (after each source's, before each destination's); empty: none. */
  processors?: readonly ChainStep[];
}

export interface RunnerOptions {
  /** Records asked of the source per read (the batch size). */
  batchSize?: number;
  /** Consecutive restarts allowed for errors that are neither transient nor fatal. */
  maxUnknownRestarts?: number;
  /** Backoff cap between restarts. */
  maxBackoffMs?: number;
  /** Builds processor chains (`@opencdc-ts/processors`' `createChain`; tests pass a fake). */
  createChain?: ChainFactory;
}

export function resolvePluginInfo(ref: string, connector: Connector): PluginInfo {
  return { name: ref, version: connector.specification.version };
}

/** A source of the running pipeline with what it needs per attempt. */
interface OpenSource {
  r: ResolvedConnector<Source>;
  source: Source;
  chain: Chain | undefined;
  /** Where its batches go (set once the attempt's chains are built). */
  delivery: Delivery;
  /** The ack (state save, then the source's ack) of the batch written last, while it runs. */
  acking?: Promise<void> | undefined;
}

/** A destination of the running pipeline with its processors for this attempt. */
interface OpenDestination extends DeliveryTarget {
  d: ResolvedConnector<Destination>;
}

/** What one attempt holds open (torn down at its end). */
interface Attempt {
  sources: OpenSource[];
  destinations: OpenDestination[];
  pipelineChain: Chain | undefined;
  /** Any processor at all: without one, batches go straight to the destinations. */
  processing: boolean;
  dlq: DeadLetterHandler;
  /** Set by the first source loop that fails: the others stop without delivering more. */
  failed: boolean;
}

/**
 * Runs one pipeline: sources → processors → destinations → ack, at least once.
 *
 * Flow control: per source, one read is in flight while a batch is written (read-ahead of one
 * batch), so memory stays within two batches per source and a slow destination slows the
 * sources down. With several sources, batches are delivered one at a time (destinations see
 * one writer) and each source's acks stay in its own order.
 */
export class PipelineRunner {
  readonly stats: PipelineStats;
  private state: PipelineState = emptyState();
  private dirty = false;
  private readonly batchSize: number;
  private readonly chains: ChainFactory;
  /** The delivery in progress (several sources take turns). */
  private delivering: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pipeline: ResolvedPipeline,
    private readonly store: StateStore,
    private readonly logger: AppLogger,
    private readonly options: RunnerOptions = {},
  ) {
    this.stats = new PipelineStats(pipeline.config.id, pipeline.sources.length);
    this.batchSize = options.batchSize ?? 2048;
    this.chains = options.createChain ?? createChain;
  }

  get id(): string {
    return this.pipeline.config.id;
  }

  /** Runs until `stop` aborts (then resolves after a clean flush) or a fatal error (rejects). */
  async run(stop: AbortSignal): Promise<void> {
    this.state = (await this.store.load(this.id)) ?? emptyState();
    this.adoptSinglePosition();
    await this.runLifecycleHooks();
    let attempt = 0;
    let unknownRestarts = 0;
    for (;;) {
      const before = this.stats.total + this.stats.deadLettered;
      try {
        // `running` once every connector is open (see runOnce): while a server is unreachable the
        // status stays `starting` or `retrying`, never `running`.
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

  /**
   * State written before positions were kept per source has one `position`: it belongs to the
   * pipeline's only source, or, once sources were added, to the one source the state already
   * knew (the others are new and start from their beginning).
   */
  private adoptSinglePosition(): void {
    const s = this.state;
    if (s.positions || s.position === undefined) return;
    const sources = this.pipeline.sources;
    const known = sources.filter((c) => s.connectors[c.fullId]);
    const owner = sources.length === 1 ? sources[0] : known.length === 1 ? known[0] : undefined;
    if (owner) s.positions = { [owner.fullId]: s.position };
    else
      this.logger.warn(
        'the saved position cannot be tied to one of the sources; they start from their beginning',
        { sources: sources.map((c) => c.fullId) },
      );
  }

  /** `onCreated` runs once per connector: when the state has no entry for it yet. */
  private async runLifecycleHooks(): Promise<void> {
    const p = this.pipeline;
    for (const c of [
      ...p.sources,
      ...p.destinations,
      p.deadLetter,
    ] as ResolvedConnector<unknown>[]) {
      if (this.state.connectors[c.fullId]) continue;
      await opening(c, () => c.side.onCreated?.(c.config, this.context(c.fullId)));
      this.state.connectors[c.fullId] = { createdAt: new Date().toISOString() };
      this.dirty = true;
    }
    await this.save();
  }

  /** Saves run one at a time (an ack of one source may overlap another source's delivery). */
  private saving: Promise<void> = Promise.resolve();

  private save(): Promise<void> {
    const run = this.saving.then(() => this.saveNow());
    this.saving = run.catch(() => {});
    return run;
  }

  private async saveNow(): Promise<void> {
    if (!this.dirty) return;
    this.state.updatedAt = new Date().toISOString();
    this.dirty = false;
    await this.store.save(this.id, this.state);
  }

  /** Builds a chain for processors, when there are any. */
  private async chain(
    steps: readonly ChainStep[] | undefined,
    owner: string,
  ): Promise<Chain | undefined> {
    if (!steps || steps.length === 0) return undefined;
    try {
      return await this.chains(steps, {
        logger: this.logger.child({ processors: owner }),
        pipelineId: this.id,
      });
    } catch (err) {
      throw tagConfigError({ fullId: owner, plugin: { name: 'processors', version: '' } }, err);
    }
  }

  private async runOnce(stop: AbortSignal): Promise<void> {
    const p = this.pipeline;
    const dlqDest = p.deadLetter.side.create(
      p.deadLetter.config,
      this.context(p.deadLetter.fullId),
    );
    const a: Attempt = {
      sources: p.sources.map((r) => ({
        r,
        source: r.side.create(r.config, this.context(r.fullId)),
        chain: undefined,
        delivery: undefined as unknown as Delivery,
      })),
      destinations: p.destinations.map((d) => ({
        d,
        dest: d.side.create(d.config, this.context(d.fullId)),
        chain: undefined,
      })),
      pipelineChain: undefined,
      processing: false,
      dlq: new DeadLetterHandler(
        p.config.deadLetter.windowSize,
        p.config.deadLetter.windowNackThreshold,
        dlqDest,
        this.logger,
      ),
      failed: false,
    };
    const reading = new AbortController();
    const onStop = () => reading.abort();
    stop.addEventListener('abort', onStop, { once: true });
    try {
      for (const s of a.sources) s.chain = await this.chain(s.r.processors, s.r.fullId);
      a.pipelineChain = await this.chain(p.processors, `${p.config.id}:processors`);
      for (const d of a.destinations) d.chain = await this.chain(d.d.processors, d.d.fullId);
      a.processing =
        a.pipelineChain !== undefined ||
        a.sources.some((s) => s.chain) ||
        a.destinations.some((d) => d.chain);
      const pipelineChain = a.pipelineChain && {
        chain: a.pipelineChain,
        node: `${p.config.id}:processors`,
      };
      for (const s of a.sources)
        s.delivery = {
          pipelineId: this.id,
          sourceChain: s.chain && { chain: s.chain, node: s.r.fullId },
          pipelineChain,
          destinations: a.destinations,
          dlq: a.dlq,
          deadLetter: (r, e, n) => this.deadLetter(a.dlq, r, e, n),
          logger: this.logger,
        };
      await opening(p.deadLetter, () => dlqDest.open(stop));
      for (const { d, dest } of a.destinations) await opening(d, () => dest.open(stop));
      for (const s of a.sources) {
        const saved = this.state.positions?.[s.r.fullId];
        const from = saved === undefined ? undefined : decodePosition(saved);
        await opening(s.r, () => s.source.open(from, stop));
        this.stats.opened(s.r.fullId, s.source);
        this.logger.info(
          from ? 'pipeline resumed from the saved position' : 'pipeline started from the beginning',
          a.sources.length > 1 ? { source: s.r.fullId } : undefined,
        );
      }
      this.stats.status = 'running';
      const loops = a.sources.map((s) =>
        this.readLoop(s, a, reading).catch((err: unknown) => {
          // One source failing restarts the whole attempt from the acked positions; the other
          // sources stop reading and deliver nothing more.
          a.failed = true;
          reading.abort();
          throw err;
        }),
      );
      const results = await Promise.allSettled(loops);
      const failure = results.find((r) => r.status === 'rejected');
      if (failure) throw (failure as PromiseRejectedResult).reason;
    } finally {
      stop.removeEventListener('abort', onStop);
      reading.abort();
      await this.save().catch((err: unknown) =>
        this.logger.error('could not save state', { error: (err as Error).message }),
      );
      const chains = [
        ...a.sources.map((s) => s.chain),
        a.pipelineChain,
        ...a.destinations.map((d) => d.chain),
      ];
      for (const c of chains) {
        await c
          ?.teardown()
          .catch((err: unknown) =>
            this.logger.warn('processor teardown failed', { error: (err as Error).message }),
          );
      }
      for (const c of [...a.sources.map((s) => s.source), ...a.destinations.map((d) => d.dest)]) {
        await c
          .teardown()
          .catch((err: unknown) =>
            this.logger.warn('teardown failed', { error: (err as Error).message }),
          );
      }
      await dlqDest
        .teardown()
        .catch((err: unknown) =>
          this.logger.warn('teardown failed', { error: (err as Error).message }),
        );
    }
  }

  /** Reads one source until reading stops, delivering each batch (read-ahead of one). */
  private async readLoop(s: OpenSource, a: Attempt, reading: AbortController): Promise<void> {
    // One source, no processors, one destination that can prepare: the batch read ahead is
    // stamped and encoded as soon as it arrives, while the previous write waits for the
    // downstream system (otherwise that CPU work would wait for the write to finish, and the
    // process would idle during every write). Writes stay one at a time, in order.
    const only = a.destinations.length === 1 ? a.destinations[0]! : undefined;
    const ahead = a.sources.length === 1 && !a.processing && only?.dest.prepare ? only : undefined;
    // Stamped once, in `take` (prepare encodes the destination keys too), not again per write.
    if (ahead) ahead.stampedAhead = true;
    const take = (batch: OpenCDCRecord[]): OpenCDCRecord[] => {
      if (batch.length === 0) return batch;
      // `opencdc.readAt` and the source connector: one clock reading per batch.
      stampSource(batch, s.r.fullId, s.r.plugin);
      if (ahead) {
        stampDestination(batch, ahead.d.plugin);
        // After I/O: the write in flight gets its request onto the socket first (preparing at
        // once would delay it by the whole encoding), then this runs while the broker works.
        preparing = setImmediate(() => {
          preparing = undefined;
          try {
            ahead.dest.prepare!(batch);
          } catch {
            // The contract says prepare never throws; if it does, write does the work itself.
          }
        });
      }
      return batch;
    };
    let preparing: NodeJS.Immediate | undefined;
    const read = (): Promise<OpenCDCRecord[]> => {
      const pr = s.source.read(this.batchSize, reading.signal).then(take);
      pr.catch(() => {}); // handled where awaited; avoids an unhandled rejection meanwhile
      return pr;
    };
    let next: Promise<OpenCDCRecord[]> | undefined = read();
    let ended = false;
    try {
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
          throw tagConfigError(s.r, err);
        }
        // Read ahead while this batch is written: at most one batch waits. Once stopping,
        // nothing new is read; what was already read is still written and acked.
        next = reading.signal.aborted ? undefined : read();
        if (batch.length === 0) continue; // a source that still resolves empty on abort
        // Counted when its turn comes, not when it arrives: a batch read ahead and dropped by a
        // failed attempt is read again after the restart, and counted once, then.
        this.stats.read(batch);
        // Not prepared yet (the previous write ended first): write does the work, once.
        if (preparing) clearImmediate(preparing);
        preparing = undefined;
        if (a.sources.length === 1) await this.deliver(batch, s, a);
        else {
          // Sources take turns: one delivery at a time, each source's batches in read order.
          const turn = this.delivering
            .then(() => (a.failed ? undefined : this.deliver(batch, s, a)))
            .catch((err: unknown) => {
              a.failed = true; // before the next turn starts: it must not deliver
              throw err;
            });
          this.delivering = turn.catch(() => {});
          await turn;
          if (a.failed) break;
        }
      }
      ended = true;
    } finally {
      if (preparing) clearImmediate(preparing);
      if (next) await next.catch(() => {});
      // The last batch's ack: what was written is saved and acked before the source is torn
      // down (its failure is this loop's failure, unless the loop already failed otherwise).
      const acking = s.acking;
      s.acking = undefined;
      if (acking) await (ended ? acking : acking.catch(() => {}));
    }
  }

  /**
   * Delivers a batch, then acks, in order, the inputs every destination finished. The ack (state
   * save, then the source's ack) runs while the next batch is written, off the path from one
   * write to the next (a save is file system round trips and an fdatasync, or a database
   * round trip; with the state file's slots this took W1 and W4 from ~51k/53k to ~55k/58k
   * records/s). Still, a position is saved and acked only after every destination wrote it,
   * acks stay in order, and one ack at most is pending: it is awaited after the next write (it
   * has long finished by then) and its failure fails the loop there.
   */
  private async deliver(batch: OpenCDCRecord[], s: OpenSource, a: Attempt): Promise<void> {
    // Processors may hand back other records; the source needs its own positions back.
    const positions = a.processing ? batch.map((r) => r.position) : undefined;
    const { done, failure } = await deliver(batch, s.delivery);
    const previous = s.acking;
    s.acking = undefined;
    if (previous) await previous;
    if (done > 0) {
      const acking = this.ack(s, batch, positions, done);
      acking.catch(() => {}); // awaited after the next write, or when the loop ends
      s.acking = acking;
    }
    if (failure !== undefined) throw failure;
  }

  /** Saves, then acks the first `done` inputs of the batch to their source. */
  private async ack(
    s: OpenSource,
    batch: OpenCDCRecord[],
    positions: Uint8Array[] | undefined,
    done: number,
  ): Promise<void> {
    const inputs = done === batch.length ? batch : batch.slice(0, done);
    const acked = positions ? positions.slice(0, done) : inputs.map((r) => r.position);
    // State first, then the upstream ack: the saved position is never behind what the
    // upstream forgot (a Postgres slot or a committed offset cannot rewind), so a restart
    // after a crash between the two only re-reads records, it never skips any.
    const last = encodePosition(acked[acked.length - 1]!);
    this.state.positions ??= {};
    this.state.positions[s.r.fullId] = last;
    // One source: the single-position form stays in step (readable by earlier versions).
    if (this.pipeline.sources.length === 1) this.state.position = last;
    else delete this.state.position;
    this.dirty = true;
    await this.save();
    await s.source.ack(acked);
    this.stats.delivered(inputs);
  }

  /** Dead-letters one record per the window; throws (`PipelineStopError`) to stop. */
  private async deadLetter(
    dlq: DeadLetterHandler,
    record: OpenCDCRecord,
    err: Error,
    nodeId: string,
  ): Promise<void> {
    await dlq.nack(record, err, nodeId);
    this.stats.deadLettered++;
  }
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
