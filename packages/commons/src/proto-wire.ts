import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { encodeBase64 } from './base64.js';
import { EncodeError } from './errors.js';
import { ChangeSchema, DataSchema, RecordSchema } from './gen/opencdc/v1/opencdc_pb.js';
import { Metadata } from './metadata.js';
import type { Data, StructuredData, StructuredValue } from './record.js';
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

// Node's TextDecoder crosses into C++ per call, which dominates for the many short strings of a
// record; short ASCII strings are converted in JS, everything else by TextDecoder.
const textDecoder = new TextDecoder();
const SHORT = 64;

function decodeUtf8(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n > SHORT) return textDecoder.decode(bytes);
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c > 0x7f) return textDecoder.decode(bytes);
    s += String.fromCharCode(c);
  }
  return s;
}

// --- encoding ------------------------------------------------------------------------------

function writeValue(w: WireWriter, v: unknown, path: string): void {
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
      else if (v instanceof Date) w.tag(V_STRING, LD).string(v.toISOString());
      else if (Array.isArray(v)) {
        const list = w.tag(V_LIST, LD).begin();
        for (let i = 0; i < v.length; i++) {
          const item = w.tag(LIST_VALUES, LD).begin();
          writeValue(w, v[i], `${path}[${i}]`);
          w.end(item);
        }
        w.end(list);
      } else {
        const struct = w.tag(V_STRUCT, LD).begin();
        writeStruct(w, v as { [k: string]: unknown }, path);
        w.end(struct);
      }
      return;
    default:
      throw new EncodeError(path, `a ${typeof v} is not a structured data value`);
  }
}

function writeStruct(w: WireWriter, o: { [k: string]: unknown }, path: string): void {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) continue;
    const entry = w.tag(STRUCT_FIELDS, LD).begin();
    const value = w.tag(MAP_KEY, LD).string(k).tag(MAP_VALUE, LD).begin();
    writeValue(w, v, `${path}.${k}`);
    w.end(value).end(entry);
  }
}

function writeData(w: WireWriter, field: number, data: Data | null | undefined, path: string) {
  if (data == null) return;
  const body = w.tag(field, LD).begin();
  if (data instanceof Uint8Array) w.tag(F.rawData, LD).bytes(data);
  else {
    const struct = w.tag(F.structuredData, LD).begin();
    writeStruct(w, data, path);
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

/** Reads a length prefix and returns where the sub-message ends, checking it is in bounds. */
function end(r: BinaryReader): number {
  const len = r.uint32();
  const stop = r.pos + len;
  if (stop > r.len) throw new RangeError('premature EOF');
  return stop;
}

/** A sub-message's last field must end exactly where its length prefix said. */
function done(r: BinaryReader, stop: number): void {
  if (r.pos !== stop) throw new RangeError('a field overruns its enclosing message');
}

function expectWire(actual: WireType, expected: WireType, what: string): void {
  if (actual !== expected) throw new Error(`wire type ${actual} for ${what}, expected ${expected}`);
}

/** Reads a Value message body up to `stop`. */
function readValue(r: BinaryReader, stop: number): StructuredValue {
  let value: StructuredValue = null;
  while (r.pos < stop) {
    const [no, wt] = r.tag();
    switch (no) {
      case V_NULL:
        expectWire(wt, WireType.Varint, 'null_value');
        r.int32();
        value = null;
        break;
      case V_NUMBER:
        expectWire(wt, WireType.Bit64, 'number_value');
        value = r.double();
        break;
      case V_STRING:
        expectWire(wt, LD, 'string_value');
        value = r.string();
        break;
      case V_BOOL:
        expectWire(wt, WireType.Varint, 'bool_value');
        value = r.bool();
        break;
      case V_STRUCT:
        expectWire(wt, LD, 'struct_value');
        value = readStruct(r, end(r));
        break;
      case V_LIST: {
        expectWire(wt, LD, 'list_value');
        const listEnd = end(r);
        const list: StructuredValue[] = [];
        while (r.pos < listEnd) {
          const [lno, lwt] = r.tag();
          if (lno === LIST_VALUES) {
            expectWire(lwt, LD, 'ListValue.values');
            list.push(readValue(r, end(r)));
          } else r.skip(lwt, lno);
        }
        done(r, listEnd);
        value = list;
        break;
      }
      default:
        r.skip(wt, no);
    }
  }
  done(r, stop);
  return value;
}

/** Reads a Struct message body up to `stop`. */
function readStruct(r: BinaryReader, stop: number): StructuredData {
  const out: StructuredData = {};
  while (r.pos < stop) {
    const [no, wt] = r.tag();
    if (no !== STRUCT_FIELDS) {
      r.skip(wt, no);
      continue;
    }
    expectWire(wt, LD, 'Struct.fields');
    const entryEnd = end(r);
    let key = '';
    let value: StructuredValue = null;
    while (r.pos < entryEnd) {
      const [eno, ewt] = r.tag();
      if (eno === MAP_KEY) {
        expectWire(ewt, LD, 'Struct.fields key');
        key = r.string();
      } else if (eno === MAP_VALUE) {
        expectWire(ewt, LD, 'Struct.fields value');
        value = readValue(r, end(r));
      } else r.skip(ewt, eno);
    }
    done(r, entryEnd);
    // defineProperty, not assignment: a `__proto__` field stays a field.
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  done(r, stop);
  return out;
}

function readData(r: BinaryReader, stop: number): Data | null {
  let data: Data | null = null;
  while (r.pos < stop) {
    const [no, wt] = r.tag();
    if (no === F.rawData) {
      expectWire(wt, LD, 'raw_data');
      data = r.bytes().slice(); // a copy: the input buffer may be reused by its owner
    } else if (no === F.structuredData) {
      expectWire(wt, LD, 'structured_data');
      data = readStruct(r, end(r));
    } else r.skip(wt, no);
  }
  done(r, stop);
  return data;
}

export function readRecord(bytes: Uint8Array): WireRecord & { metadata: Metadata } {
  const r = new BinaryReader(bytes, decodeUtf8);
  const record: WireRecord & { metadata: Metadata } = {
    position: new Uint8Array(0),
    operation: 0,
    metadata: new Metadata(),
    key: null,
    before: null,
    after: null,
  };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    switch (no) {
      case F.position:
        expectWire(wt, LD, 'position');
        record.position = r.bytes().slice();
        break;
      case F.operation:
        expectWire(wt, WireType.Varint, 'operation');
        record.operation = r.int32();
        break;
      case F.metadata: {
        expectWire(wt, LD, 'metadata');
        const entryEnd = end(r);
        let key = '';
        let value = '';
        while (r.pos < entryEnd) {
          const [eno, ewt] = r.tag();
          if (eno === MAP_KEY || eno === MAP_VALUE) {
            expectWire(ewt, LD, 'metadata entry');
            if (eno === MAP_KEY) key = r.string();
            else value = r.string();
          } else r.skip(ewt, eno);
        }
        done(r, entryEnd);
        record.metadata.set(key, value);
        break;
      }
      case F.key:
        expectWire(wt, LD, 'key');
        record.key = readData(r, end(r));
        break;
      case F.payload: {
        expectWire(wt, LD, 'payload');
        const payloadEnd = end(r);
        while (r.pos < payloadEnd) {
          const [pno, pwt] = r.tag();
          if (pno === F.before || pno === F.after) {
            expectWire(pwt, LD, 'payload data');
            if (pno === F.before) record.before = readData(r, end(r));
            else record.after = readData(r, end(r));
          } else r.skip(pwt, pno);
        }
        done(r, payloadEnd);
        break;
      }
      default:
        r.skip(wt, no);
    }
  }
  if (r.pos !== r.len) throw new RangeError('premature EOF');
  return record;
}
