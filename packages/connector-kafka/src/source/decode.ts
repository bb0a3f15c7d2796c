import {
  type Data,
  fromOpenCDCJSON,
  Metadata,
  type OpenCDCRecord,
  type StructuredData,
} from '@opencdc-ts/commons';
import type { ConsumedMessage } from '../client/types.js';
import { encodePosition } from './position.js';

/** How a message value becomes record data. */
export type ValueFormat = 'raw' | 'json' | 'opencdc';

/** `opencdc.readAt` text, recomputed at most once per millisecond (the clock's resolution). */
let lastMs = 0;
let lastText = '';
function readAtNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = `${ms}000000`;
  }
  return lastText;
}

function bytes(b: Buffer | null): Uint8Array | null {
  // Copy: kafkajs slices share the whole fetch response; keeping a slice would pin it in memory.
  return b === null ? null : new Uint8Array(b);
}

function headerText(v: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((x) => x.toString()).join(',');
  return v.toString();
}

function json(value: Buffer): Data {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return new Uint8Array(value); // not JSON: keep the bytes (see README)
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as StructuredData)
    : new Uint8Array(value);
}

/**
 * Turns a Kafka message into a record. A message without a value (a tombstone) is a delete of
 * its key. With `opencdc`, a value holding an OpenCDC JSON record is unwrapped (its operation,
 * key, payload and metadata); a value that is not one is read as `raw`.
 */
export function toRecord(
  m: ConsumedMessage,
  topic: string,
  partition: number,
  groupID: string,
  format: ValueFormat,
): OpenCDCRecord {
  const position = encodePosition({ topic, partition, offset: Number(m.offset), groupID });
  const readAt = readAtNow();
  let record: OpenCDCRecord | undefined;
  if (format === 'opencdc' && m.value !== null) {
    try {
      const inner = fromOpenCDCJSON(m.value);
      record = { ...inner, position };
      // The unwrapped record keeps its own collection (e.g. the source table), so a
      // Postgres → Kafka → Postgres pipeline writes back to the same tables.
      if (!inner.metadata.getCollection()) inner.metadata.setCollection(topic);
    } catch {
      record = undefined;
    }
  }
  if (record === undefined) {
    const key = bytes(m.key);
    const after =
      m.value === null ? null : format === 'json' ? json(m.value) : new Uint8Array(m.value);
    record = {
      position,
      operation: m.value === null ? 'delete' : 'create',
      metadata: new Metadata(),
      key,
      payload: { before: null, after },
    };
    record.metadata.setCollection(topic);
  }
  const md = record.metadata;
  md.set('kafka.topic', topic);
  md.set('kafka.partition', String(partition));
  md.set('kafka.offset', m.offset);
  // ms → ns by appending six zeros (exact, no BigInt per record).
  if (/^[1-9]\d*$/.test(m.timestamp)) md.set('opencdc.createdAt', `${m.timestamp}000000`);
  md.set('opencdc.readAt', readAt);
  for (const [name, v] of Object.entries(m.headers)) {
    const text = headerText(v);
    if (text !== undefined) md.set(`kafka.header.${name}`, text);
  }
  return record;
}
