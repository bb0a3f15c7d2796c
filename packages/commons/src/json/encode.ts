/** Encoding a record as OpenCDC JSON: byte for byte what Go's encoding/json writes for the upstream record. */
import { EncodeError } from '../errors.js';
import { isOperation, OPERATIONS, type OpenCDCRecord } from '../record.js';
import { encodeExact } from './encode-exact.js';
import { encodeFast } from './encode-fast.js';

export { encodeExact };

/**
 * Encodes a record as OpenCDC JSON, byte for byte as the upstream Go encoder does: fields in
 * the order position, operation, metadata, key, payload{before, after}; object keys sorted; Go's
 * string escaping and float formatting; raw data and bytes as standard base64. `bigint` is
 * written as a JSON integer.
 *
 * @throws {EncodeError} naming the field: an unknown operation, a non-finite number, a value
 *   that is not structured data, or structured data nested deeper than `MAX_DEPTH`.
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
