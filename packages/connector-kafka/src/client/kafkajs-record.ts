/**
 * kafkajs' `protocol/recordBatch/record/v0` (one record of a record batch) for our private copy
 * (`kafkajs-fixes.ts`). kafkajs builds each record with an `Encoder` that starts at 10 bytes and
 * grows by copying, one more `Encoder` per header, a `Long` per timestamp delta and an array per
 * varint: ~10 % of a Postgres → Kafka pipeline's CPU, and much of its garbage. Here a record whose
 * key, value and header values are `Buffer`s or null (what the destination sends) is sized first
 * and written once into a buffer of its exact size; anything else goes to kafkajs' own function.
 * The bytes are the same (`kafkajs-fixes.test.ts` compares them).
 */

/** What kafkajs' record function is called with. */
export interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: unknown;
  value?: unknown;
  headers?: { [key: string]: unknown };
}

/** What kafkajs' record batch reads from an encoder: `buf` (checked) and `buffer` (written). */
export interface EncodedRecord {
  buf: Buffer;
  buffer: Buffer;
}

/** ZigZag of a safe integer: as kafkajs' 32-bit `encodeZigZag` and 64-bit `Long` one give it. */
const zigZag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

function uvarintSize(u: number): number {
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

function writeUVarint(out: Buffer, at: number, u: number): number {
  while (u >= 128) {
    out[at++] = (u % 128) | 128;
    u = Math.floor(u / 128);
  }
  out[at++] = u;
  return at;
}

function writeBytes(out: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return writeUVarint(out, at, 1); // ZigZag(-1): null
  at = writeUVarint(out, at, b.length * 2);
  return at + b.copy(out, at);
}

const bytesSize = (b: Buffer | null): number =>
  b === null ? 1 : uvarintSize(b.length * 2) + b.length;

const isBytes = (v: unknown): v is Buffer | null => v === null || Buffer.isBuffer(v);

/**
 * The fast record function, falling back to kafkajs' `original` outside its case. Called as
 * kafkajs does (one object), or as our copy's produce request does (`PRODUCE_RECORD_CALL` in
 * `kafkajs-fixes.ts`): the message and its deltas apart, with no object spread per message.
 */
export function fastRecord(
  original: (args: RecordArgs) => EncodedRecord,
): (message: RecordArgs, offsetDelta?: number, timestampDelta?: number) => EncodedRecord {
  return (message, offsetDelta, timestampDelta) =>
    offsetDelta === undefined
      ? encode(original, message, message.offsetDelta ?? 0, message.timestampDelta ?? 0, false)
      : encode(original, message, offsetDelta, timestampDelta ?? 0, true);
}

function encode(
  original: (args: RecordArgs) => EncodedRecord,
  m: RecordArgs,
  offsetDelta: number,
  timestampDelta: number,
  apart: boolean,
): EncodedRecord {
  const { key, value, headers = {} } = m;
  if (
    !isBytes(key ?? null) ||
    !isBytes(value ?? null) ||
    !Number.isSafeInteger(timestampDelta) ||
    !Number.isInteger(offsetDelta) ||
    offsetDelta < 0 ||
    offsetDelta > 0x7fffffff
  )
    return original(apart ? { ...m, offsetDelta, timestampDelta } : m);
  const k = (key ?? null) as Buffer | null;
  const v = (value ?? null) as Buffer | null;
  const names = Object.keys(headers);
  let headersSize = uvarintSize(names.length * 2);
  for (const name of names) {
    const h = headers[name];
    // Arrays, strings, null: kafkajs' way.
    if (!Buffer.isBuffer(h)) return original(apart ? { ...m, offsetDelta, timestampDelta } : m);
    const n = Buffer.byteLength(name);
    headersSize += uvarintSize(n * 2) + n + bytesSize(h);
  }
  const ts = zigZag(timestampDelta);
  const body =
    1 + uvarintSize(ts) + uvarintSize(offsetDelta * 2) + bytesSize(k) + bytesSize(v) + headersSize;
  const out = Buffer.allocUnsafe(uvarintSize(body * 2) + body);
  let at = writeUVarint(out, 0, body * 2);
  out[at++] = 0; // attributes: none used
  at = writeUVarint(out, at, ts);
  at = writeUVarint(out, at, offsetDelta * 2);
  at = writeBytes(out, at, k);
  at = writeBytes(out, at, v);
  at = writeUVarint(out, at, names.length * 2);
  for (const name of names) {
    const n = Buffer.byteLength(name);
    at = writeUVarint(out, at, n * 2);
    at += out.write(name, at);
    at = writeBytes(out, at, headers[name] as Buffer);
  }
  return { buf: out, buffer: out };
}
