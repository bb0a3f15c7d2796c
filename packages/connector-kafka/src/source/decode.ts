import {
  type Data,
  findTooDeep,
  fromOpenCDCJSON,
  METADATA_CREATED_AT,
  Metadata,
  type OpenCDCRecord,
  type StructuredData,
} from '@opencdc-ts/commons';
import type { ConsumedMessage } from '../client/types.js';

/** How a message value becomes record data. */
export type ValueFormat = 'raw' | 'json' | 'opencdc';

/**
 * Copies of message bytes, carved out of shared 256 KB slabs. kafkajs hands out views into the
 * whole fetch response, and keeping one would pin that response (megabytes) in memory: copy. But
 * a separate copy per key, value and position costs an ArrayBuffer (an off-heap allocation the
 * GC tracks) each; a slab costs one per ~250 records of 1 KB. A kept record pins at most its
 * slab. Large values get their own copy (they would waste a slab).
 */
const SLAB = 256 * 1024;
const OWN_COPY = 32 * 1024;

export class Slab {
  private buf = new ArrayBuffer(0);
  private used = 0;

  /** `n` fresh bytes (zeroed). */
  alloc(n: number): Uint8Array {
    if (n > OWN_COPY) return new Uint8Array(n);
    if (this.used + n > this.buf.byteLength) {
      this.buf = new ArrayBuffer(SLAB);
      this.used = 0;
    }
    const out = new Uint8Array(this.buf, this.used, n);
    this.used += n;
    return out;
  }

  copy(src: Uint8Array): Uint8Array {
    const out = this.alloc(src.length);
    out.set(src);
    return out;
  }

  /** Copies `a`, the ASCII digits of `n` (a non-negative integer) and `b` into one array. */
  concatNumber(a: Uint8Array, n: number, b: Uint8Array): Uint8Array {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    const out = this.alloc(a.length + digits + b.length);
    out.set(a, 0);
    let i = a.length + digits;
    for (let x = n; ; x = Math.floor(x / 10)) {
      out[--i] = 48 + (x % 10);
      if (x < 10) break;
    }
    out.set(b, a.length + digits);
    return out;
  }
}

type Headers = ConsumedMessage['headers'];

function headerText(v: Buffer | string | (Buffer | string)[]): string {
  if (Array.isArray(v)) return v.map((x) => x.toString()).join(',');
  return v.toString();
}

function addHeaders(md: Metadata, headers: Headers | undefined): void {
  // No Object.entries: most messages have no headers, and that must cost nothing.
  if (headers === undefined) return;
  for (const name in headers) {
    const v = headers[name];
    if (v !== undefined) md.set(`kafka.header.${name}`, headerText(v));
  }
}

function json(value: Buffer): Data {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return new Uint8Array(value); // not JSON: keep the bytes (see README)
  }
  // JSON.parse reads any depth, but what comes after it (a destination's encoder, the dead-letter
  // record, a log line) recurses: a value nested deeper than MAX_DEPTH stays raw bytes, like
  // text that is not JSON, instead of becoming a record nothing downstream can write.
  return parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    findTooDeep(parsed) === undefined
    ? (parsed as StructuredData)
    : new Uint8Array(value);
}

const utf8 = new TextEncoder();

/**
 * Turns the messages of one partition into records. Everything that is the same for every message
 * of the partition (the position's JSON around the offset, the partition as text) is built once.
 */
export class PartitionDecoder {
  private readonly partitionText: string;
  private readonly positionHead: Uint8Array;
  private readonly positionTail: Uint8Array;

  constructor(
    private readonly topic: string,
    partition: number,
    groupID: string,
    private readonly format: ValueFormat,
    private readonly slab: Slab,
  ) {
    this.partitionText = String(partition);
    // Same bytes as encodePosition (JSON.stringify of the position, fixed field order).
    this.positionHead = utf8.encode(
      `{"topic":${JSON.stringify(topic)},"partition":${partition},"offset":`,
    );
    this.positionTail = utf8.encode(`,"groupID":${JSON.stringify(groupID)}}`);
  }

  /**
   * Turns a Kafka message into a record. A message without a value (a tombstone) is a delete of
   * its key. With `opencdc`, a value holding an OpenCDC JSON record is unwrapped (its operation,
   * key, payload and metadata); a value that is not one (not JSON, not a record, or any
   * `DecodeError` such as structured data nested deeper than `MAX_DEPTH`) is read as `raw`:
   * the message is never lost and never stops the source. `offset` is `Number(m.offset)`.
   */
  decode(m: ConsumedMessage, offset: number): OpenCDCRecord {
    const topic = this.topic;
    const slab = this.slab;
    const position = slab.concatNumber(this.positionHead, offset, this.positionTail);
    const value = m.value;
    let record: OpenCDCRecord | undefined;
    if (this.format === 'opencdc' && value !== null) {
      try {
        const inner = fromOpenCDCJSON(value);
        record = { ...inner, position };
        // The unwrapped record keeps its own collection (e.g. the source table), so a
        // Postgres → Kafka → Postgres pipeline writes back to the same tables.
        if (!inner.metadata.getCollection()) inner.metadata.setCollection(topic);
      } catch {
        record = undefined;
      }
    }
    if (record === undefined) {
      const md = new Metadata();
      md.setCollection(topic);
      record = {
        position,
        operation: value === null ? 'delete' : 'create',
        metadata: md,
        key: m.key == null ? null : slab.copy(m.key),
        payload: {
          before: null,
          after: value === null ? null : this.format === 'json' ? json(value) : slab.copy(value),
        },
      };
    }
    const md = record.metadata;
    md.set('kafka.topic', topic);
    md.set('kafka.partition', this.partitionText);
    md.set('kafka.offset', m.offset);
    // ms → ns by appending six zeros (exact, no BigInt per record); -1 means "no timestamp".
    const ts = m.timestamp;
    if (ts.length > 0 && ts.charCodeAt(0) > 48 && ts.charCodeAt(0) <= 57)
      md.set(METADATA_CREATED_AT, `${ts}000000`);
    addHeaders(md, m.headers);
    return record;
  }
}

/** One message alone (tests, tools); the source decodes through a PartitionDecoder per batch. */
export function toRecord(
  m: ConsumedMessage,
  topic: string,
  partition: number,
  groupID: string,
  format: ValueFormat,
): OpenCDCRecord {
  return new PartitionDecoder(topic, partition, groupID, format, new Slab()).decode(
    m,
    Number(m.offset),
  );
}
