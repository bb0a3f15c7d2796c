import { WireType } from '@bufbuild/protobuf/wire';
import { encodeBase64 } from './base64.js';
import { MAX_DEPTH, pathSegment, shortPath, TOO_DEEP_MESSAGE } from './depth.js';
import { DecodeError, EncodeError } from './errors.js';
import { ChangeSchema, DataSchema, RecordSchema } from './gen/opencdc/v1/opencdc_pb.js';
import { Metadata } from './metadata.js';
import type { Data, StructuredData, StructuredValue } from './record.js';
import { WIRE_BIT64, WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader } from './wire-reader.js';
import { WireWriter } from './wire-writer.js';

// A direct wire codec for opencdc.v1.Record. The reflective codec of @bufbuild/protobuf turns
// every Struct value into a message object and walks it by reflection, ~20x slower for a 1 KB
// record. Field numbers come from the generated schema; google.protobuf.Struct, Value and
// ListValue are fixed well-known types. The tests check this against the reflective codec.
const F = {
  position: RecordSchema.field.position!.number,
  operation: RecordSchema.field.operation!.number,
  metadata: RecordSchema.field.metadata!.number,
  key: RecordSchema.field.key!.number,
  payload: RecordSchema.field.payload!.number,
  before: ChangeSchema.field.before!.number,
  after: ChangeSchema.field.after!.number,
  rawData: DataSchema.field.rawData!.number,
  structuredData: DataSchema.field.structuredData!.number,
} as const;
// map<string,string> entry, google.protobuf.Struct / Value / ListValue field numbers.
const MAP_KEY = 1;
const MAP_VALUE = 2;
const STRUCT_FIELDS = 1;
const LIST_VALUES = 1;
const V_NULL = 1;
const V_NUMBER = 2;
const V_STRING = 3;
const V_BOOL = 4;
const V_STRUCT = 5;
const V_LIST = 6;

const LD = WireType.LengthDelimited;

// --- encoding ------------------------------------------------------------------------------

// `depth` is the nesting level of the Struct or list holding `v` (the data Struct is 1).
function writeValue(w: WireWriter, v: unknown, path: string, depth: number): void {
  switch (typeof v) {
    case 'string':
      w.tag(V_STRING, LD).string(v);
      return;
    case 'number':
      w.tag(V_NUMBER, WireType.Bit64).double(v);
      return;
    case 'boolean':
      w.tag(V_BOOL, WireType.Varint).varint(v ? 1 : 0);
      return;
    case 'bigint':
      w.tag(V_NUMBER, WireType.Bit64).double(Number(v)); // Struct numbers are doubles
      return;
    case 'undefined':
      w.tag(V_NULL, WireType.Varint).varint(0); // only reachable in arrays, as in JSON
      return;
    case 'object':
      if (v === null) w.tag(V_NULL, WireType.Varint).varint(0);
      else if (v instanceof Uint8Array) w.tag(V_STRING, LD).string(encodeBase64(v));
      else if (v instanceof Date) {
        // Go refuses a time.Time here (structpb: "invalid type: time.Time"): a Struct has no
        // time, and silently writing a string would not read back as the same record.
        throw new EncodeError(
          shortPath(path),
          'a Date cannot be written as protobuf (google.protobuf.Struct has no time type); store it as a string (e.g. toISOString()) or a number',
        );
      } else if (depth >= MAX_DEPTH) throw new EncodeError(shortPath(path), TOO_DEEP_MESSAGE);
      else if (Array.isArray(v)) {
        const list = w.tag(V_LIST, LD).begin();
        for (let i = 0; i < v.length; i++) {
          const item = w.tag(LIST_VALUES, LD).begin();
          writeValue(w, v[i], `${path}[${i}]`, depth + 1);
          w.end(item);
        }
        w.end(list);
      } else {
        const struct = w.tag(V_STRUCT, LD).begin();
        writeStruct(w, v as { [k: string]: unknown }, path, depth + 1);
        w.end(struct);
      }
      return;
    default:
      throw new EncodeError(path, `a ${typeof v} is not a structured data value`);
  }
}

function writeStruct(
  w: WireWriter,
  o: { [k: string]: unknown },
  path: string,
  depth: number,
): void {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) continue;
    const entry = w.tag(STRUCT_FIELDS, LD).begin();
    const value = w.tag(MAP_KEY, LD).string(k).tag(MAP_VALUE, LD).begin();
    writeValue(w, v, `${path}.${k}`, depth);
    w.end(value).end(entry);
  }
}

function writeData(w: WireWriter, field: number, data: Data | null | undefined, path: string) {
  if (data == null) return;
  const body = w.tag(field, LD).begin();
  if (data instanceof Uint8Array) w.tag(F.rawData, LD).bytes(data);
  else {
    const struct = w.tag(F.structuredData, LD).begin();
    writeStruct(w, data, path, 1);
    w.end(struct);
  }
  w.end(body);
}

export interface WireRecord {
  position: Uint8Array;
  operation: number;
  metadata: Map<string, string>;
  key: Data | null;
  before: Data | null;
  after: Data | null;
}

export function writeRecord(r: WireRecord): Uint8Array {
  const w = new WireWriter();
  if (r.position.length > 0) w.tag(F.position, LD).bytes(r.position);
  if (r.operation !== 0) w.tag(F.operation, WireType.Varint).varint(r.operation);
  for (const [k, v] of r.metadata) {
    const entry = w.tag(F.metadata, LD).begin();
    w.tag(MAP_KEY, LD).string(k).tag(MAP_VALUE, LD).string(v).end(entry);
  }
  writeData(w, F.key, r.key, 'key');
  const payload = w.tag(F.payload, LD).begin();
  writeData(w, F.before, r.before, 'payload.before');
  writeData(w, F.after, r.after, 'payload.after');
  w.end(payload);
  return w.finish();
}

// --- decoding ------------------------------------------------------------------------------

const tagOf = (field: number, wireType: number): number => ((field << 3) | wireType) >>> 0;
const T = {
  position: tagOf(F.position, WIRE_LENGTH_DELIMITED),
  operation: tagOf(F.operation, WIRE_VARINT),
  metadata: tagOf(F.metadata, WIRE_LENGTH_DELIMITED),
  key: tagOf(F.key, WIRE_LENGTH_DELIMITED),
  payload: tagOf(F.payload, WIRE_LENGTH_DELIMITED),
  before: tagOf(F.before, WIRE_LENGTH_DELIMITED),
  after: tagOf(F.after, WIRE_LENGTH_DELIMITED),
  rawData: tagOf(F.rawData, WIRE_LENGTH_DELIMITED),
  structuredData: tagOf(F.structuredData, WIRE_LENGTH_DELIMITED),
  mapKey: tagOf(MAP_KEY, WIRE_LENGTH_DELIMITED),
  mapValue: tagOf(MAP_VALUE, WIRE_LENGTH_DELIMITED),
  structFields: tagOf(STRUCT_FIELDS, WIRE_LENGTH_DELIMITED),
  listValues: tagOf(LIST_VALUES, WIRE_LENGTH_DELIMITED),
  vNull: tagOf(V_NULL, WIRE_VARINT),
  vNumber: tagOf(V_NUMBER, WIRE_BIT64),
  vString: tagOf(V_STRING, WIRE_LENGTH_DELIMITED),
  vBool: tagOf(V_BOOL, WIRE_VARINT),
  vStruct: tagOf(V_STRUCT, WIRE_LENGTH_DELIMITED),
  vList: tagOf(V_LIST, WIRE_LENGTH_DELIMITED),
} as const;

/** A sub-message's last field must end exactly where its length prefix said. */
function done(r: WireReader, stop: number): void {
  if (r.pos !== stop) throw new RangeError('a field overruns its enclosing message');
}

/** A known field with the wrong wire type is malformed input, not an unknown field to skip. */
function unexpected(r: WireReader, tag: number, known: readonly number[]): void {
  if (known.includes(tag >>> 3)) {
    throw new Error(`wire type ${tag & 7} is wrong for field ${tag >>> 3}`);
  }
  r.skip(tag);
}

const VALUE_FIELDS = [V_NULL, V_NUMBER, V_STRING, V_BOOL, V_STRUCT, V_LIST];
const ONE = [1];
const TWO = [1, 2];
const RECORD_FIELDS = [F.position, F.operation, F.metadata, F.key, F.payload];

/**
 * Thrown when a Struct or list nests deeper than MAX_DEPTH; each level adds its step of the
 * path on the way out (so the hot path builds no path strings).
 */
class TooDeep extends Error {
  readonly steps: string[] = [];
}

/**
 * Reads a google.protobuf.Value body up to `stop` (an unset kind reads as null). `depth` is
 * the level of the Struct or list holding it (the data Struct is 1).
 */
function readValue(r: WireReader, stop: number, depth: number): StructuredValue {
  let value: StructuredValue = null;
  while (r.pos < stop) {
    const tag = r.tag();
    switch (tag) {
      case T.vString:
        value = r.string();
        break;
      case T.vNumber:
        value = r.double();
        // Go's structpb turns these into strings (Value.AsInterface), JSON having no form
        // for them: do the same, so the record reads and writes as it does in Go.
        if (!Number.isFinite(value))
          value = value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
        break;
      case T.vBool:
        value = r.varint() !== 0;
        break;
      case T.vNull:
        r.varint();
        value = null;
        break;
      case T.vStruct:
        if (depth >= MAX_DEPTH) throw new TooDeep();
        value = readStruct(r, r.end(), depth + 1);
        break;
      case T.vList: {
        if (depth >= MAX_DEPTH) throw new TooDeep();
        const listEnd = r.end();
        const list: StructuredValue[] = [];
        while (r.pos < listEnd) {
          const t = r.tag();
          if (t !== T.listValues) {
            unexpected(r, t, ONE);
            continue;
          }
          try {
            list.push(readValue(r, r.end(), depth + 1));
          } catch (e) {
            if (e instanceof TooDeep) e.steps.push(pathSegment(list.length));
            throw e;
          }
        }
        done(r, listEnd);
        value = list;
        break;
      }
      default:
        unexpected(r, tag, VALUE_FIELDS);
    }
  }
  done(r, stop);
  return value;
}

/** Reads a google.protobuf.Struct body up to `stop`; `depth` is its level. */
function readStruct(r: WireReader, stop: number, depth: number): StructuredData {
  const out: StructuredData = {};
  while (r.pos < stop) {
    const tag = r.tag();
    if (tag !== T.structFields) {
      unexpected(r, tag, ONE);
      continue;
    }
    const entryEnd = r.end();
    let key = '';
    let value: StructuredValue = null;
    while (r.pos < entryEnd) {
      const t = r.tag();
      if (t === T.mapKey) key = r.string();
      else if (t === T.mapValue) {
        try {
          value = readValue(r, r.end(), depth);
        } catch (e) {
          if (e instanceof TooDeep) e.steps.push(pathSegment(key));
          throw e;
        }
      } else unexpected(r, t, TWO);
    }
    done(r, entryEnd);
    // Assigning `__proto__` would set the prototype: define it so the field stays a field.
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[key] = value;
  }
  done(r, stop);
  return out;
}

/** Reads an opencdc.v1.Data body up to `stop`; `path` names it in errors. */
function readData(r: WireReader, stop: number, path: string): Data | null {
  let data: Data | null = null;
  while (r.pos < stop) {
    const tag = r.tag();
    if (tag === T.rawData) data = r.bytes();
    else if (tag === T.structuredData) {
      try {
        data = readStruct(r, r.end(), 1);
      } catch (e) {
        if (!(e instanceof TooDeep)) throw e;
        const at = shortPath(path + e.steps.reverse().join(''));
        throw new DecodeError('TOO_DEEP', at, TOO_DEEP_MESSAGE);
      }
    } else unexpected(r, tag, [F.rawData, F.structuredData]);
  }
  done(r, stop);
  return data;
}

export function readRecord(bytes: Uint8Array): WireRecord & { metadata: Metadata } {
  const r = new WireReader(bytes);
  const record: WireRecord & { metadata: Metadata } = {
    position: new Uint8Array(0),
    operation: 0,
    // Go's nil map until an entry is read: written to OpenCDC JSON as `null`, like Go does.
    metadata: Metadata.absent(),
    key: null,
    before: null,
    after: null,
  };
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case T.position:
        record.position = r.bytes();
        break;
      case T.operation:
        record.operation = r.varint();
        break;
      case T.metadata: {
        const entryEnd = r.end();
        let key = '';
        let value = '';
        while (r.pos < entryEnd) {
          const t = r.tag();
          if (t === T.mapKey) key = r.string();
          else if (t === T.mapValue) value = r.string();
          else unexpected(r, t, TWO);
        }
        done(r, entryEnd);
        record.metadata.set(key, value);
        break;
      }
      case T.key:
        record.key = readData(r, r.end(), 'key');
        break;
      case T.payload: {
        const payloadEnd = r.end();
        while (r.pos < payloadEnd) {
          const t = r.tag();
          if (t === T.before) record.before = readData(r, r.end(), 'payload.before');
          else if (t === T.after) record.after = readData(r, r.end(), 'payload.after');
          else unexpected(r, t, [F.before, F.after]);
        }
        done(r, payloadEnd);
        break;
      }
      default:
        unexpected(r, tag, RECORD_FIELDS);
    }
  }
  done(r, r.len);
  return record;
}
