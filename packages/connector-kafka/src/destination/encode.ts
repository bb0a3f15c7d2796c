import {
  type Data,
  isRawData,
  type OpenCDCRecord,
  type StructuredValue,
  toOpenCDCJSON,
} from '@opencdc-ts/commons';
import type { OutgoingMessage } from '../client/types.js';

/** What a message value holds. */
export type DestinationValueFormat = 'opencdc' | 'payload';

/**
 * JSON for structured data with sorted object keys (so equal keys give equal bytes and land on
 * the same partition), `bigint` as a JSON integer and bytes as base64 (as OpenCDC JSON does).
 */
export function structuredJSON(v: StructuredValue): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'));
  if (Array.isArray(v)) return `[${v.map(structuredJSON).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${structuredJSON(v[k] as StructuredValue)}`).join(',')}}`;
}

function dataBytes(d: Data | null): Buffer | null {
  if (d === null) return null;
  if (isRawData(d)) return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  return Buffer.from(structuredJSON(d));
}

/**
 * A record as a Kafka message: key = the record key (raw bytes, structured as JSON); value =
 * the OpenCDC JSON record, or only `payload.after` (a delete then becomes a tombstone, and the
 * metadata travels as headers).
 */
export function toMessage(r: OpenCDCRecord, format: DestinationValueFormat): OutgoingMessage {
  const key = dataBytes(r.key);
  if (format === 'opencdc') return { key, value: Buffer.from(toOpenCDCJSON(r)) };
  const headers: { [name: string]: Buffer } = {};
  for (const [k, v] of r.metadata) headers[k] = Buffer.from(v);
  headers['opencdc.operation'] = Buffer.from(r.operation);
  return { key, value: dataBytes(r.payload.after), headers };
}

/** Approximate size on the wire (for batching by bytes). */
export function messageSize(m: OutgoingMessage): number {
  let n = 70 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
  if (m.headers) for (const [k, v] of Object.entries(m.headers)) n += k.length + v.length + 2;
  return n;
}
