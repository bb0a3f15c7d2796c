import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { isFiltered, isProcessError, isSplit, type ProcessedRecord } from '@opencdc-ts/sdk';
import type { Chain } from './chain.js';

/**
 * Records on their way from one source batch to the destinations, each tied to the input it came
 * from: a source record is acknowledged once everything derived from it is finished (written,
 * dead-lettered or filtered), in source order.
 */
export interface Stage {
  records: OpenCDCRecord[];
  /**
   * For each record, the index of its input in the source batch (non-decreasing: processors keep
   * order). Undefined: the identity, no processor ran (the hot path allocates nothing for it).
   */
  origins: number[] | undefined;
  /** Dead-lettering stopped the pipeline at input `at`: nothing from it on is delivered. */
  stop?: { at: number; error: unknown };
}

/** Dead-letters one record per the pipeline's window; throws to stop the pipeline. */
export type Nack = (record: OpenCDCRecord, error: Error, nodeId: string) => Promise<void>;

/**
 * Runs `chain` over a stage. Outcomes map back to source inputs: a filtered record leaves no
 * record (its input is finished), a split one leaves its parts (all tied to the input), an error
 * outcome is a record error dead-lettered as `nodeId` (or the failing processor's id when the
 * error names one). A chain that rejects fails each record of the batch, as the processor
 * contract says a thrown error does: dead letters, never a crash.
 */
export async function applyChain(
  chain: Chain,
  stage: Stage,
  node: { pipelineId: string; fallback: string },
  nack: Nack,
): Promise<Stage> {
  const input = stage.records;
  if (input.length === 0) return stage;
  let outcomes: readonly ProcessedRecord[];
  try {
    outcomes = await chain.process(input);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    outcomes = input.map(() => ({ error }));
  }
  if (allRecords(outcomes, input.length))
    // Every input became one record: the origins stay as they were (no arrays built).
    return stage.stop
      ? { records: outcomes as OpenCDCRecord[], origins: stage.origins, stop: stage.stop }
      : { records: outcomes as OpenCDCRecord[], origins: stage.origins };
  const records: OpenCDCRecord[] = [];
  const origins: number[] = [];
  for (let k = 0; k < input.length; k++) {
    const origin = stage.origins ? stage.origins[k]! : k;
    const o: ProcessedRecord = outcomes[k] ?? {
      error: new Error(
        `the processor chain returned ${outcomes.length} outcomes for ${input.length} records`,
      ),
    };
    if (isProcessError(o)) {
      try {
        await nack(input[k]!, o.error, nodeOf(o.error, node));
      } catch (stopErr) {
        // Parts of this input already kept must not be written: the input will not be acked.
        while (origins.length > 0 && origins[origins.length - 1]! >= origin) {
          origins.pop();
          records.pop();
        }
        return { records, origins, stop: { at: origin, error: stopErr } };
      }
    } else if (isFiltered(o)) {
      // Nothing to write; the input is finished.
    } else if (isSplit(o)) {
      for (const r of o.records) {
        records.push(r);
        origins.push(origin);
      }
    } else {
      records.push(o as OpenCDCRecord);
      origins.push(origin);
    }
  }
  return stage.stop ? { records, origins, stop: stage.stop } : { records, origins };
}

/** One record per input: filter, split and error outcomes have no `operation`. */
function allRecords(outcomes: readonly ProcessedRecord[], n: number): boolean {
  if (outcomes.length !== n) return false;
  for (let k = 0; k < n; k++)
    if ((outcomes[k] as Partial<OpenCDCRecord>).operation === undefined) return false;
  return true;
}

/**
 * The DLQ node id: `<pipeline>:<processor>` when the error names the processor that failed (the
 * chain tags its errors with `processorId`), else the chain's owner.
 */
function nodeOf(err: Error, node: { pipelineId: string; fallback: string }): string {
  const id = (err as { processorId?: unknown }).processorId;
  return typeof id === 'string' ? `${node.pipelineId}:${id}` : node.fallback;
}

/**
 * How many inputs of the batch are finished when the first `done` of `stage.records` are: every
 * input before the first unfinished record's input (filtered and dead-lettered ones included).
 */
export function inputsDone(stage: Stage, done: number, batchLength: number): number {
  const upTo = stage.stop ? stage.stop.at : batchLength;
  if (done >= stage.records.length) return upTo;
  const at = stage.origins ? stage.origins[done]! : done;
  return Math.min(at, upTo);
}
