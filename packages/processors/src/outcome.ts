/** Turns what a processor returned into one `ProcessedRecord` per input (the contract's shape). */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { ProcessedRecord, ProcessorFunction, ProcessorInstance } from '@opencdc-ts/sdk';

/** A plain function's entries: a record, `null` (filtered) or a list (split). */
export function fromFunctionResult(
  entry: OpenCDCRecord | null | readonly OpenCDCRecord[],
): ProcessedRecord {
  if (entry === null || entry === undefined) return { filter: true };
  if (Array.isArray(entry)) return { records: entry as readonly OpenCDCRecord[] };
  return entry as OpenCDCRecord;
}

/** A `ProcessorFunction` seen as a processor instance. */
export function functionInstance(fn: ProcessorFunction): ProcessorInstance {
  return {
    async process(records) {
      const out = await fn(records);
      if (!Array.isArray(out) || out.length !== records.length)
        throw new Error(
          `the function returned ${Array.isArray(out) ? `${out.length} entries` : typeof out} for ${records.length} records (one entry per record: a record, null or a list)`,
        );
      return out.map(fromFunctionResult);
    },
  };
}
