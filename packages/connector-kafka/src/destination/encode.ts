import {
  type Data,
  EncodeError,
  findTooDeep,
  isRawData,
  MAX_DEPTH,
  type OpenCDCRecord,
  type StructuredValue,
} from '@opencdc-ts/commons';
import { recordBytes } from '@opencdc-ts/sdk';
import type { OutgoingMessage } from '../client/types.js';

/** What a message value holds. */
export type DestinationValueFormat = 'opencdc' | 'payload';

/**
 * JSON for structured data with sorted object keys (so equal keys give equal bytes and land on
 * the same partition), `bigint` as a JSON integer and bytes as base64 (as OpenCDC JSON does).
 *
 * @throws {EncodeError} when the value nests deeper than commons' `MAX_DEPTH` (recursion
 *   without a limit overflows the stack on a hostile value; the destination turns the error
 *   into a `RecordError` for that record).
 */
export function structuredJSON(v: StructuredValue, path = ''): string {
  try {
    return structuredAt(v, 1);
  } catch (e) {
    if (e !== TOO_DEEP) throw e;
    // The path is found only now, so the common case builds no path strings.
    const at = `${path}${findTooDeep(v) ?? ''}`;
    throw new EncodeError(
      at.length <= 120 ? at : `${at.slice(0, 100)}…`,
      `nested more than ${MAX_DEPTH} objects/arrays deep (the limit MAX_DEPTH)`,
    );
  }
}

/** Thrown by structuredAt, one shared instance: no stack trace is captured per record. */
const TOO_DEEP = new Error('too deep');

// `depth` is the level `v` has when it is an object or array (the data object is 1).
function structuredAt(v: StructuredValue, depth: number): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'));
  if (depth > MAX_DEPTH) throw TOO_DEEP;
  if (Array.isArray(v)) return `[${v.map((x) => structuredAt(x, depth + 1)).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${structuredAt(v[k] as StructuredValue, depth + 1)}`).join(',')}}`;
}

function dataBytes(d: Data | null, path: string): Buffer | null {
  if (d === null) return null;
  if (isRawData(d)) return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  return Buffer.from(structuredJSON(d, path));
}

/**
 * A record as a Kafka message: key = the record key (raw bytes, structured as JSON); value =
 * the OpenCDC JSON record, or only `payload.after` (a delete then becomes a tombstone, and the
 * metadata travels as headers).
 *
 * @throws {EncodeError} when the record cannot be encoded (e.g. nested deeper than `MAX_DEPTH`).
 */
export function toMessage(r: OpenCDCRecord, format: DestinationValueFormat): OutgoingMessage {
  const key = dataBytes(r.key, 'key');
  if (format === 'opencdc') {
    // The record as sdk.record.format asks (OpenCDC JSON unless configured otherwise).
    const v = recordBytes(r);
    return {
      key,
      value: Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength),
    };
  }
  const headers: { [name: string]: Buffer } = {};
  for (const [k, v] of r.metadata) headers[k] = Buffer.from(v);
  headers['opencdc.operation'] = Buffer.from(r.operation);
  return { key, value: dataBytes(r.payload.after, 'payload.after'), headers };
}

/** Approximate size on the wire (for batching by bytes). */
export function messageSize(m: OutgoingMessage): number {
  let n = 70 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
  if (m.headers) for (const [k, v] of Object.entries(m.headers)) n += k.length + v.length + 2;
  return n;
}
