import { Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import type { Destination } from '@opencdc-ts/sdk';
import type { AppLogger } from '../log.js';
import type { Chain } from './chain.js';
import type { DeadLetterHandler } from './dead-letter.js';
import { type PluginInfo, stampDestination } from './metadata-keys.js';
import { applyChain, inputsDone, type Stage } from './processing.js';
import { type DeadLetterOne, PartialWriteError, writeRecords } from './write-destination.js';

/** A destination of the running pipeline with its processors (if any). */
export interface DeliveryTarget {
  d: { fullId: string; plugin: PluginInfo };
  dest: Destination;
  chain: Chain | undefined;
  /** The runner stamped the destination keys when it read the batch (to prepare it ahead). */
  stampedAhead?: boolean;
}

/** What one source batch needs on its way to the destinations. */
export interface Delivery {
  pipelineId: string;
  /** The source's processors, then the pipeline's (either may be missing). */
  sourceChain: { chain: Chain; node: string } | undefined;
  pipelineChain: { chain: Chain; node: string } | undefined;
  destinations: readonly DeliveryTarget[];
  dlq: DeadLetterHandler;
  /** Dead-letters one record per the window (and counts it); throws to stop. */
  deadLetter: DeadLetterOne;
  logger: AppLogger;
}

/** How far a batch got: its first `done` inputs are finished everywhere; `failure` stops. */
export interface Delivered {
  done: number;
  failure: unknown;
}

/**
 * Runs a batch through its processors and writes it to every destination (each through its
 * own processors). The inputs before the first one some destination did not finish are done
 * (filtered, dead-lettered and split inputs included once all their records are); `failure`
 * is why the rest is not.
 */
export async function deliver(batch: OpenCDCRecord[], p: Delivery): Promise<Delivered> {
  let stage: Stage = { records: batch, origins: undefined };
  for (const step of [p.sourceChain, p.pipelineChain])
    if (step) stage = await run(step.chain, stage, step.node, p);
  const results = await Promise.allSettled(
    p.destinations.map((t, i) => writeTo(t, stage, i > 0, batch.length, p)),
  );
  // Inputs before the first unfinished one in ANY destination are safe to ack.
  let done = stage.stop ? stage.stop.at : batch.length;
  let failure: unknown = stage.stop?.error;
  for (const r of results) {
    if (r.status === 'fulfilled') {
      done = Math.min(done, r.value.done);
      failure ??= r.value.failure;
      continue;
    }
    const e = r.reason as { done?: number; cause?: unknown };
    done = Math.min(done, e instanceof PartialWriteError ? e.done : 0);
    failure ??= e instanceof PartialWriteError ? e.cause : e;
  }
  return { done, failure };
}

function run(chain: Chain, stage: Stage, node: string, p: Delivery): Promise<Stage> {
  return applyChain(chain, stage, { pipelineId: p.pipelineId, fallback: node }, p.deadLetter);
}

/**
 * Writes a stage to one destination (through its processors): how many inputs it finished,
 * and why it stopped if it did. Destinations after the first get their own copies.
 */
async function writeTo(
  t: DeliveryTarget,
  stage: Stage,
  copy: boolean,
  batchLength: number,
  p: Delivery,
): Promise<Delivered> {
  let own: Stage = copy ? { ...stage, records: stage.records.map(cloneRecord) } : stage;
  if (t.chain) own = await run(t.chain, own, t.d.fullId, p);
  if (!t.stampedAhead) stampDestination(own.records, t.d.plugin);
  try {
    await writeRecords(t.dest, t.d, own.records, p.dlq, p.deadLetter, p.logger);
  } catch (e) {
    if (e instanceof PartialWriteError)
      throw new PartialWriteError(inputsDone(own, e.done, batchLength), e.cause);
    throw e;
  }
  return { done: inputsDone(own, own.records.length, batchLength), failure: own.stop?.error };
}

/** Each destination gets its own metadata (destination keys differ); data is shared, read-only. */
function cloneRecord(r: OpenCDCRecord): OpenCDCRecord {
  return { ...r, metadata: new Metadata(r.metadata), payload: { ...r.payload } };
}
