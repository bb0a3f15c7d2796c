import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { Logger } from '../connector.js';
import type { ConfigSchema, Parameters } from '../params/types.js';

/**
 * What one input record became after a processor ran on it (Conduit's `ProcessedRecord`):
 * - a record (kept or changed),
 * - `{ filter: true }`: dropped; its position is still acknowledged, in source order,
 * - `{ records }`: several (split, clone); the input is acknowledged once all of them are written,
 *   an empty list is the same as a filter,
 * - `{ error }`: a record error (dead letter per the pipeline's window), never a crash.
 */
export type ProcessedRecord =
  | OpenCDCRecord
  | { readonly filter: true }
  | { readonly records: readonly OpenCDCRecord[] }
  | { readonly error: Error };

/** Context handed to a processor instance by the runtime (or by a library user's chain). */
export interface ProcessorContext {
  /** Unique id of this processor in its pipeline (its `id` in the pipeline file). */
  readonly processorId: string;
  readonly logger: Logger;
}

/** A processor's published description: Conduit's processor specification shape. */
export interface ProcessorSpecification {
  /** Plugin name, e.g. `field.set` or `my-org.mask` (letters, digits, `-`, `_`, `.`). */
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  readonly version: string;
  readonly author: string;
  readonly parameters: Parameters;
}

/**
 * A running processor.
 *
 * Contract:
 * - `process(records)` returns exactly one `ProcessedRecord` per input, in input order. Returning
 *   fewer means the remaining inputs were not processed: the runtime fails them as record errors.
 * - It must not mutate its inputs' shared parts it did not create; return new records (the runtime
 *   may hold an input for a dead letter).
 * - A thrown error fails every record of the batch as a record error.
 * - `teardown()` is called once, also after failures.
 */
export interface ProcessorInstance {
  process(
    records: readonly OpenCDCRecord[],
    signal?: AbortSignal,
  ): Promise<readonly ProcessedRecord[]> | readonly ProcessedRecord[];
  teardown?(): Promise<void> | void;
}

/** What a processor package exports (as its default export and as `processor`). */
export interface Processor<C = unknown> {
  readonly kind: 'processor';
  readonly specification: ProcessorSpecification;
  /** Declared parameters: the spec's `parameters` and a parser to the typed config `C`. */
  readonly config: ConfigSchema<C>;
  create(config: C, ctx: ProcessorContext): Promise<ProcessorInstance> | ProcessorInstance;
}

/**
 * The one-file form: a plain function over a batch. Each returned entry is the outcome of the
 * input at the same index: a record, `null` (filtered) or an array (split). A different length is
 * a record error for the batch.
 */
export type ProcessorFunction = (
  records: readonly OpenCDCRecord[],
) =>
  | readonly (OpenCDCRecord | null | readonly OpenCDCRecord[])[]
  | Promise<readonly (OpenCDCRecord | null | readonly OpenCDCRecord[])[]>;

export function isFiltered(p: ProcessedRecord): p is { readonly filter: true } {
  return typeof p === 'object' && p !== null && 'filter' in p && p.filter === true;
}

export function isSplit(p: ProcessedRecord): p is { readonly records: readonly OpenCDCRecord[] } {
  return typeof p === 'object' && p !== null && 'records' in p && Array.isArray(p.records);
}

export function isProcessError(p: ProcessedRecord): p is { readonly error: Error } {
  return typeof p === 'object' && p !== null && 'error' in p && p.error instanceof Error;
}
