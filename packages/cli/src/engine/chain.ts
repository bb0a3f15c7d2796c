import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { Logger, ProcessedRecord, Processor, ProcessorFunction } from '@opencdc-ts/sdk';

/**
 * The runtime's view of `@opencdc-ts/processors`: a chain of processors over a batch, one outcome
 * per input. The runner only needs this shape, so unit tests hand it a small fake.
 */
export interface ChainStep {
  id: string;
  processor: Processor | ProcessorFunction;
  settings: { [k: string]: string };
  condition?: string;
  workers?: number;
  /** Where the processor can be imported from (worker threads for `workers` > 1). */
  module?: { specifier: string; export?: string };
}

export interface Chain {
  process(records: readonly OpenCDCRecord[], signal?: AbortSignal): Promise<ProcessedRecord[]>;
  teardown(): Promise<void>;
}

export type ChainFactory = (
  steps: readonly ChainStep[],
  options: { logger: Logger; pipelineId?: string },
) => Promise<Chain>;
