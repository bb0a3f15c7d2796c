// The reference protobuf codec for the tests: @bufbuild/protobuf's reflective codec over the
// generated schema. The shipped codec (proto-wire.ts) is checked against it both ways; it is
// not part of the build (see tsconfig.json).
import { create, fromBinary, type JsonObject, type JsonValue, toBinary } from '@bufbuild/protobuf';
import { encodeBase64 } from './base64.js';
import { EncodeError } from './errors.js';
import { type Data as DataMessage, DataSchema, RecordSchema } from './gen/opencdc/v1/opencdc_pb.js';
import { Metadata } from './metadata.js';
import { malformed, toEnum, toOperation } from './proto.js';
import type { Data, OpenCDCRecord } from './record.js';

// google.protobuf.Struct holds null, booleans, doubles, strings, lists and structs only. Most
// records are already that, so they are checked first and passed through without a copy.
function isJson(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) return v.every(isJson);
      if (v instanceof Uint8Array || v instanceof Date) return false;
      const o = v as { [k: string]: unknown };
      for (const k in o) if (!isJson(o[k])) return false;
      return true;
    }
    default:
      return false;
  }
}

/** Same mapping as the JSON encoding, except `bigint` becomes a double (Struct has no integers). */
function toJson(v: unknown, path: string): JsonValue | undefined {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'bigint':
      return Number(v);
    case 'undefined':
      return undefined;
    case 'object': {
      if (v === null) return null;
      if (v instanceof Uint8Array) return encodeBase64(v);
      if (v instanceof Date) return v.toISOString();
      if (Array.isArray(v)) return v.map((item, i) => toJson(item, `${path}[${i}]`) ?? null);
      const entries: [string, JsonValue][] = [];
      for (const [k, item] of Object.entries(v)) {
        const json = toJson(item, `${path}.${k}`);
        if (json !== undefined) entries.push([k, json]);
      }
      // fromEntries defines properties, so a `__proto__` field stays a field.
      return Object.fromEntries(entries);
    }
    default:
      throw new EncodeError(path, `a ${typeof v} is not a structured data value`);
  }
}

function toDataMessage(data: Data | null | undefined, path: string): DataMessage | undefined {
  if (data == null) return undefined;
  if (data instanceof Uint8Array) {
    return create(DataSchema, { data: { case: 'rawData', value: data } });
  }
  const value = isJson(data) ? (data as JsonObject) : (toJson(data, path) as JsonObject);
  return create(DataSchema, { data: { case: 'structuredData', value } });
}

function fromDataMessage(data: DataMessage | undefined): Data | null {
  if (data === undefined || data.data.case === undefined) return null;
  return data.data.value;
}

/** {@link toProto} through @bufbuild/protobuf's reflective codec: the reference for the tests. */
export function toProtoReflect(record: OpenCDCRecord): Uint8Array {
  const operation = toEnum(record.operation);
  const message = create(RecordSchema, {
    position: record.position,
    operation,
    metadata: Object.fromEntries(record.metadata),
    key: toDataMessage(record.key, 'key'),
    payload: {
      before: toDataMessage(record.payload.before, 'payload.before'),
      after: toDataMessage(record.payload.after, 'payload.after'),
    },
  });
  return toBinary(RecordSchema, message);
}

/** {@link fromProto} through @bufbuild/protobuf's reflective codec: the reference for the tests. */
export function fromProtoReflect(bytes: Uint8Array): OpenCDCRecord {
  let message: ReturnType<typeof fromBinary<typeof RecordSchema>>;
  try {
    message = fromBinary(RecordSchema, bytes);
  } catch (e) {
    throw malformed(e);
  }
  return {
    position: message.position,
    operation: toOperation(message.operation),
    metadata: new Metadata(Object.entries(message.metadata)),
    key: fromDataMessage(message.key),
    payload: {
      before: fromDataMessage(message.payload?.before),
      after: fromDataMessage(message.payload?.after),
    },
  };
}
