import type { Data, OpenCDCRecord, StructuredData, StructuredValue } from '@opencdc-ts/commons';

/**
 * A record as structured data, like Conduit's `Record.Map()`: used as the payload of a
 * dead-letter record. Raw data and the position stay bytes (base64 in OpenCDC JSON), so the
 * failed record can be rebuilt exactly.
 */
export function recordToStructured(record: OpenCDCRecord): StructuredData {
  const metadata: { [k: string]: StructuredValue } = {};
  for (const [k, v] of record.metadata) metadata[k] = v;
  return {
    position: record.position,
    operation: record.operation,
    metadata,
    key: dataValue(record.key),
    payload: { before: dataValue(record.payload.before), after: dataValue(record.payload.after) },
  };
}

function dataValue(d: Data | null): StructuredValue {
  return d ?? null;
}

/** JSON.stringify replacer for records in logs: bytes as base64, bigint as digits, Map as object. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}
