/**
 * Encoding a record as OpenCDC JSON: byte for byte what Go's `Record.Bytes()` (conduit-commons,
 * which serializes with goccy/go-json) writes for the upstream record.
 */
import { EncodeError } from '../errors.js';
import { isOperation, OPERATIONS, type OpenCDCRecord } from '../record.js';
import { encodeExact } from './encode-exact.js';
import { encodeFast } from './encode-fast.js';

export { encodeExact };

/**
 * Encodes a record as OpenCDC JSON, byte for byte as the upstream Go encoder does: fields in
 * the order position, operation, metadata, key, payload{before, after}; object keys sorted by
 * UTF-8 bytes; Go's string escaping (`\u0008`, `\u000c`, `\u003c`...) and float formatting
 * (`1e-07`, `1e+21`); raw data and bytes as standard base64; a `Date` as Go writes a
 * `time.Time` (`2024-01-02T09:00:05.1Z`); empty metadata as `null` when it is
 * `Metadata.absent()` (Go's nil map), else `{}`. `bigint` is written as a JSON integer.
 *
 * @throws {EncodeError} naming the field: an unknown operation, a non-finite number (Go
 *   refuses one too), a `Date` outside the years 0-9999, a value that is not structured data,
 *   or structured data nested deeper than `MAX_DEPTH`.
 */
export function toOpenCDCJSON(record: OpenCDCRecord): string {
  const { operation } = record;
  if (!isOperation(operation)) {
    throw new EncodeError(
      'operation',
      `unknown operation ${JSON.stringify(operation)}: expected one of ${OPERATIONS.join(', ')}`,
    );
  }
  return encodeFast(record) ?? encodeExact(record);
}
