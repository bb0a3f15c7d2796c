/** `unwrap.opencdc`, `unwrap.debezium`, `unwrap.kafkaconnect`: records wrapped in a payload. */
import {
  type Data,
  isOperation,
  METADATA_READ_AT,
  Metadata,
  type OpenCDCRecord,
  type Operation,
} from '@opencdc-ts/commons';
import { copyMetadata, type FieldReference, param } from '@opencdc-ts/sdk';
import { builtin, perRecord, REFERENCE_DOC, reference } from './define.js';
import { toGoString } from './values.js';

type Obj = { [k: string]: unknown };
const isObject = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const utf8 = new TextDecoder();
const enc = new TextEncoder();

/** The wrapped value as an object: structured data as is, raw data or a string as JSON. */
function wrapped(ref: FieldReference, r: OpenCDCRecord, allowNil = false): Obj {
  const v = ref.get(r);
  if (isObject(v)) return v;
  if (v instanceof Uint8Array || typeof v === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof v === 'string' ? v : utf8.decode(v));
    } catch (e) {
      throw new Error(`failed to unmarshal raw data as JSON: ${(e as Error).message}`);
    }
    if (!isObject(parsed)) throw new Error('the wrapped data is not a JSON object');
    return parsed;
  }
  if ((v === null || v === undefined) && !allowNil) throw new Error('field to unmarshal is nil');
  throw new Error(`unexpected data type ${Array.isArray(v) ? 'list' : typeof v}`);
}

const fieldParam = (what: string, regex?: RegExp) =>
  param.string({
    default: '.Payload.After',
    ...(regex ? { regex } : {}),
    description: `The field holding the ${what}. ${REFERENCE_DOC}`,
  });

/** The wrapped OpenCDC record's key/payload: objects as structured data, text as base64 bytes. */
function openCDCData(m: Obj, key: string): Data | null {
  const d = m[key];
  if (d === null || d === undefined) return null;
  if (isObject(d)) return d as Data;
  if (d instanceof Uint8Array) return d;
  if (typeof d === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(d))
      throw new Error(`couldn't decode ${key}: illegal base64 data`);
    return new Uint8Array(Buffer.from(d, 'base64'));
  }
  throw new Error(`expected an object or a string for ${key}, got ${typeof d}`);
}

export const unwrapOpenCDC = builtin({
  name: 'unwrap.opencdc',
  summary: "Unwraps an OpenCDC record saved in one of the record's fields.",
  description:
    "Replaces the record with the OpenCDC record held in a field (structured, or JSON in raw data), e.g. after it went through Kafka. The position stays the outer record's (it is what the source acknowledges).",
  params: { field: fieldParam('OpenCDC record') },
  create(config) {
    const ref = reference('field', config.field);
    return perRecord((r) => {
      const m = wrapped(ref, r);
      const op = m.operation;
      if (op === undefined) throw new Error('failed unmarshalling operation: no operation');
      if (typeof op !== 'string' || !isOperation(op))
        throw new Error(`failed unmarshalling operation: invalid operation ${JSON.stringify(op)}`);
      const meta = m.metadata;
      if (meta === undefined) throw new Error('failed unmarshalling metadata: no metadata');
      if (!isObject(meta) && meta !== null)
        throw new Error(`failed unmarshalling metadata: expected an object, got ${typeof meta}`);
      const metadata = new Metadata();
      for (const [k, v] of Object.entries(meta ?? {})) metadata.set(k, toGoString(v));
      const payload = isObject(m.payload) ? m.payload : {};
      return {
        position: r.position,
        operation: op,
        metadata,
        key: openCDCData(m, 'key'),
        payload: { before: openCDCData(payload, 'before'), after: openCDCData(payload, 'after') },
      };
    });
  },
});

/** Debezium's and Kafka Connect's key: `{"payload": ...}` (maybe as JSON) gives its payload. */
function unwrapKey(key: Data | null): Data | null {
  let structured: Obj | undefined;
  if (key instanceof Uint8Array) {
    try {
      const parsed: unknown = JSON.parse(utf8.decode(key));
      if (isObject(parsed)) structured = parsed;
    } catch {
      return key;
    }
  } else if (isObject(key)) structured = key;
  if (!structured || !Object.hasOwn(structured, 'payload')) return key;
  const p = structured.payload;
  return isObject(p) ? (p as Data) : enc.encode(p === null ? '<nil>' : toGoString(p));
}

const DEBEZIUM_OPS: { [op: string]: Operation } = {
  c: 'create',
  u: 'update',
  d: 'delete',
  r: 'snapshot',
  $unset: 'update',
};

/** Debezium's nested `source` and extra fields as flat metadata (`a.b.c`). */
function flatten(key: string, v: unknown, out: Map<string, string>): void {
  if (v === null || v === undefined) return;
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) flatten(key === '' ? k : `${key}.${k}`, x, out);
    return;
  }
  out.set(key, toGoString(v));
}

function debeziumData(v: unknown, field: string): Data | null {
  if (v === null || v === undefined) return null;
  if (isObject(v)) return v as Data;
  if (typeof v === 'string') return enc.encode(v);
  throw new Error(`failed to parse field ${field}: expected a map or a string, got ${typeof v}`);
}

export const unwrapDebezium = builtin({
  name: 'unwrap.debezium',
  summary: 'Unwraps a Debezium record from the input OpenCDC record.',
  description:
    "Turns a Debezium change event (in a field, structured or JSON) into an OpenCDC record: before/after, the operation (c, u, d, r), `source` and other fields as metadata, `ts_ms` as opencdc.readAt, and the key's `payload` as the key.",
  params: { field: fieldParam('Debezium record', /^.Payload/) },
  create(config) {
    const ref = reference('field', config.field);
    return perRecord((r) => {
      const event = wrapped(ref, r, false);
      const rec = event.payload;
      if (!isObject(rec)) throw new Error("data to be unwrapped doesn't contain a payload field");
      const missing = ['after', 'source', 'op']
        .filter((f) => !Object.hasOwn(rec, f))
        .map((f) => `the "${f}" field is missing from debezium payload`);
      if (missing.length > 0) throw new Error(`invalid record: ${missing.join('; ')}`);
      if (typeof rec.op !== 'string') throw new Error('the operation is not a string');
      const operation = DEBEZIUM_OPS[rec.op];
      if (!operation)
        throw new Error(`error unwrapping operation: "${rec.op}" is an invalid operation`);
      const metadata = copyMetadata(r.metadata);
      let source = new Map<string, string>();
      for (const [field, val] of Object.entries(rec)) {
        if (field === 'after' || field === 'before' || field === 'op') continue;
        if (field === 'ts_ms') {
          if (typeof val !== 'number') throw new Error('ts_ms is not a number');
          metadata.set(METADATA_READ_AT, String(BigInt(Math.trunc(val)) * 1_000_000n));
        } else if (field === 'source') {
          source = new Map();
          flatten('', val, source);
        } else {
          const flat = new Map<string, string>();
          flatten(`debezium.${field}`, val, flat);
          for (const [k, v] of flat) metadata.set(k, v);
        }
      }
      for (const [k, v] of source) metadata.set(k, v);
      return {
        position: r.position,
        operation,
        metadata,
        key: unwrapKey(r.key),
        payload: {
          before: debeziumData(rec.before, 'before'),
          after: debeziumData(rec.after, 'after'),
        },
      };
    });
  },
});

export const unwrapKafkaConnect = builtin({
  name: 'unwrap.kafkaconnect',
  summary: 'Unwraps a Kafka Connect record from an OpenCDC record.',
  description:
    'Turns a Kafka Connect record (`{"schema": ..., "payload": ...}` in a field, structured or JSON) into an OpenCDC create record whose payload is the `payload`; a key with a `payload` field is unwrapped the same way.',
  params: { field: fieldParam('Kafka Connect record', /^.Payload/) },
  create(config) {
    const ref = reference('field', config.field);
    return perRecord((r) => {
      const kc = wrapped(ref, r, false);
      if (!isObject(kc.payload))
        throw new Error("referenced record field doesn't contain a payload field");
      return {
        position: r.position,
        operation: 'create',
        metadata: r.metadata,
        key: unwrapKey(r.key),
        payload: { before: null, after: kc.payload as Data },
      };
    });
  },
});
