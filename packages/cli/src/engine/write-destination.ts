import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { type Destination, RecordError } from '@opencdc-ts/sdk';
import type { AppLogger } from '../log.js';
import type { DeadLetterHandler } from './dead-letter.js';
import type { PluginInfo } from './metadata-keys.js';
import {
  ConnectorConfigError,
  configErrorsOf,
  dataErrorReason,
  isDataError,
  PipelineStopError,
} from './retry.js';

/** A destination finished (wrote or dead-lettered) the first `done` records, then failed. */
export class PartialWriteError extends Error {
  constructor(
    readonly done: number,
    override readonly cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/**
 * A configuration error is tagged with the connector that threw it, so the run reports which
 * one and exits 2 (it is never retried); any other error is returned as it is.
 */
export function tagConfigError(c: { fullId: string; plugin: PluginInfo }, err: unknown): unknown {
  const errors = err instanceof ConnectorConfigError ? undefined : configErrorsOf(err);
  return errors ? new ConnectorConfigError(c.fullId, c.plugin.name, errors, { cause: err }) : err;
}

/** Dead-letters one record per the window (counting it); throws to stop the pipeline. */
export type DeadLetterOne = (record: OpenCDCRecord, err: Error, nodeId: string) => Promise<void>;

/**
 * Writes `records` to one destination, dead-lettering refused records per the window; throws
 * `PartialWriteError` with how many records are finished when it cannot go on.
 *
 * A `RecordError` names its record. A data error without an index (a codec's `EncodeError`, a
 * `RangeError` such as a stack overflow on a deeply nested value) comes from some record of
 * the batch but the connector did not say which: the batch is split in halves, recursively,
 * until the record is alone, which is then dead-lettered with the reason (a few more writes
 * for a bad batch, none for a good one). Records written before the error in a failed attempt
 * may be written again: at least once.
 */
export async function writeRecords(
  dest: Destination,
  d: { fullId: string; plugin: PluginInfo },
  records: readonly OpenCDCRecord[],
  dlq: DeadLetterHandler,
  deadLetter: DeadLetterOne,
  logger: AppLogger,
): Promise<void> {
  const dead = async (record: OpenCDCRecord, err: Error, at: number) => {
    try {
      await deadLetter(record, err, d.fullId);
    } catch (stopErr) {
      throw new PartialWriteError(at, stopErr);
    }
  };
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
        await dead(rest[err.index]!, err, offset + err.index);
        offset += err.index + 1;
        continue;
      }
      if (!isDataError(err)) throw new PartialWriteError(offset, tagConfigError(d, err));
      if (rest.length === 1) {
        const reason = new RecordError(dataErrorReason(err, d.fullId), 0, { cause: err });
        await dead(rest[0]!, reason, offset);
        offset += 1;
        continue;
      }
      // Which record? Write the first half on its own (splitting further if it fails the
      // same way); the loop then writes the second half, which splits likewise.
      const half = Math.ceil(rest.length / 2);
      logger.debug('a record of the batch cannot be converted; isolating it', {
        destination: d.fullId,
        records: rest.length,
        error: (err as Error).message,
      });
      try {
        await writeRecords(dest, d, rest.slice(0, half), dlq, deadLetter, logger);
      } catch (e) {
        if (e instanceof PartialWriteError) throw new PartialWriteError(offset + e.done, e.cause);
        throw e;
      }
      offset += half;
    }
  }
}
