import {
  createRecord,
  MAX_DEPTH,
  METADATA_COLLECTION,
  METADATA_CONDUIT_DLQ_NACK_ERROR,
  METADATA_CONDUIT_DLQ_NACK_NODE_ID,
  METADATA_CREATED_AT,
  Metadata,
  type OpenCDCRecord,
  type StructuredData,
  truncateDepth,
} from '@opencdc-ts/commons';
import type { Destination } from '@opencdc-ts/sdk';
import type { AppLogger } from '../log.js';
import { recordToStructured } from '../plugins/record-map.js';
import { nowNanos } from './metadata-keys.js';
import { NackWindow } from './nack-window.js';
import { PipelineStopError } from './retry.js';

/**
 * The failed record as structured data, with any part nested deeper than the codecs allow
 * replaced by a marker: a record refused for being too deep must not make its dead-letter record
 * (which holds it two levels further down) or the log line that shows it fail the same way.
 */
export function failedRecordData(failed: OpenCDCRecord): StructuredData {
  return truncateDepth(
    recordToStructured(failed),
    MAX_DEPTH,
    `(cut: nested more than ${MAX_DEPTH} levels)`,
  );
}

/** The dead-letter record Conduit writes for a failed record. */
export function deadLetterRecord(
  failed: OpenCDCRecord,
  error: string,
  nodeId: string,
): OpenCDCRecord {
  return createRecord({
    position: failed.position,
    metadata: new Metadata([
      [METADATA_CREATED_AT, nowNanos()],
      [METADATA_CONDUIT_DLQ_NACK_ERROR, error],
      [METADATA_CONDUIT_DLQ_NACK_NODE_ID, nodeId],
    ]),
    after: failedRecordData(failed),
  });
}

/**
 * Handles records a destination refused (RecordError): counts them in the nack window and
 * writes them to the dead-letter destination, or stops the pipeline when the window says so.
 */
export class DeadLetterHandler {
  readonly window: NackWindow;

  constructor(
    size: number,
    threshold: number,
    private readonly destination: Destination,
    private readonly logger: AppLogger,
  ) {
    this.window = new NackWindow(size, threshold);
  }

  ack(n: number): void {
    this.window.ack(n);
  }

  /** Resolves once the record is dead-lettered; throws `PipelineStopError` to stop. */
  async nack(failed: OpenCDCRecord, error: Error, nodeId: string): Promise<void> {
    const collection = failed.metadata.get(METADATA_COLLECTION);
    if (!this.window.nack()) {
      this.logger.error(
        'record could not be written; dead-letter window exceeded, stopping the pipeline',
        {
          node: nodeId,
          error: error.message,
          collection,
          window: `${this.window.size}/${this.window.threshold}`,
          record: failedRecordData(failed),
        },
      );
      throw new PipelineStopError(
        `record could not be written by ${nodeId}: ${error.message} (dead-letter-queue window-size ${this.window.size}, window-nack-threshold ${this.window.threshold} exceeded)`,
        { cause: error },
      );
    }
    try {
      await this.destination.write([deadLetterRecord(failed, error.message, nodeId)]);
    } catch (err) {
      throw new PipelineStopError(
        `dead-letter write failed: ${(err as Error).message} (while handling: ${error.message})`,
        { cause: err },
      );
    }
    this.logger.warn('record dead-lettered', { node: nodeId, error: error.message, collection });
  }
}
