/**
 * How a record becomes the bytes of its line: the one place the destination formats records.
 * It is the sdk's `recordBytes`, so `sdk.record.format` (`opencdc/json` by default,
 * `debezium/json`, `template`) applies as in Conduit, where the file destination writes
 * `record.Bytes()`.
 */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { recordBytes } from '@opencdc-ts/sdk';

export function formatRecord(record: OpenCDCRecord): Uint8Array {
  return recordBytes(record);
}
