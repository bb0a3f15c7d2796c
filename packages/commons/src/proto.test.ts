import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from './errors.js';
import { type Operation as OperationEnum, RecordSchema } from './gen/opencdc/v1/opencdc_pb.js';
import { fromOpenCDCJSON, toOpenCDCJSON } from './json.js';
import { Metadata } from './metadata.js';
import { fromProto, toProto } from './proto.js';
import { fromProtoReflect, toProtoReflect } from './proto-reflect.test-helper.js';
import { createRecord, deleteRecord, type OpenCDCRecord } from './record.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function decodeError(input: Uint8Array): DecodeError {
  try {
    fromProto(input);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}

describe('protobuf encoding', () => {
  it('round trips raw and structured data, metadata and every operation', () => {
    const record = createRecord({
      position: bytes('pos'),
      metadata: new Metadata().setCollection('users').setReadAt(1713950000000000001n),
      key: { id: 1 },
      after: { name: 'Ann', tags: ['a', null, true, 1.5, { nested: {} }] },
    });
    const back = fromProto(toProto(record));
    expect(back).toEqual(record);
    expect(back.metadata).toBeInstanceOf(Metadata);
    expect(back.metadata.getReadAt()).toBe(1713950000000000001n);

    for (const op of ['update', 'delete', 'snapshot'] as const) {
      const r: OpenCDCRecord = { ...record, operation: op, key: bytes('k') };
      expect(fromProto(toProto(r))).toEqual(r);
    }
  });

  it('writes long, non-ASCII and deeply nested values like the reflective codec', () => {
    const big = 'x'.repeat(20_000); // a three-byte length prefix
    const record = createRecord({
      position: new Uint8Array(300).fill(7),
      metadata: { long: 'é'.repeat(100), ключ: 'значение 😀' },
      key: { s: 'a'.repeat(127), t: 'b'.repeat(128), u: `${'c'.repeat(126)}é` },
      after: { nested: { deeper: { list: [big, { big }, 'ü'.repeat(70)] } }, n: -1.5e-300 },
    });
    expect(fromProtoReflect(toProto(record))).toEqual(record);
    expect(fromProto(toProtoReflect(record))).toEqual(record);
    expect(fromProto(toProto(record))).toEqual(record);
  });

  it('keeps absent data absent', () => {
    const record = deleteRecord({ position: new Uint8Array() });
    expect(fromProto(toProto(record))).toEqual(record);
  });

  it('maps bigint to a double and bytes to base64 (Struct has neither)', () => {
    const record = createRecord({
      position: new Uint8Array(),
      after: { big: 12345678901234567891n, small: 5n, bin: new Uint8Array([1, 2, 3]) },
    });
    expect(fromProto(toProto(record)).payload.after).toEqual({
      big: 12345678901234567000,
      small: 5,
      bin: 'AQID',
    });
  });

  it('carries the golden JSON records unchanged', () => {
    const json =
      '{"position":"c3RhbmRpbmc=","operation":"update","metadata":{"foo":"bar"},"key":"cGFkbG9jay1rZXk=","payload":{"before":"eWVsbG93","after":{"bool":true,"float32":1.2,"float64":1.2,"int":1,"int32":1,"int64":1,"string":"orange"}}}';
    expect(toOpenCDCJSON(fromProto(toProto(fromOpenCDCJSON(json))))).toBe(json);
  });

  it('uses the upstream wire format (field numbers and enum values)', () => {
    const encoded = toProto(createRecord({ position: bytes('p'), after: null }));
    // field 1 (position, bytes) = "p"; field 2 (operation, varint) = 1 (OPERATION_CREATE);
    // field 5 (payload) = an empty Change
    expect([...encoded]).toEqual([0x0a, 0x01, 0x70, 0x10, 0x01, 0x2a, 0x00]);
  });

  it('rejects bytes that are not a record with MALFORMED_PROTO', () => {
    for (const input of [
      bytes('{"position":"AQ=="}'),
      new Uint8Array([0x0a, 0x05, 0x70]), // truncated
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    ]) {
      const e = decodeError(input);
      expect(e.code).toBe('MALFORMED_PROTO');
      expect(e.message).toMatch(/not a protobuf opencdc.v1.Record/);
    }
  });

  it('skips unknown fields (forward compatibility) and rejects known fields of the wrong type', () => {
    const record = createRecord({ position: bytes('p'), key: { a: [1, 'x'] }, after: null });
    const encoded = toProto(record);
    // field 99 varint 1, field 98 fixed64, field 97 bytes "zz", field 96 fixed32, then a group
    const unknown = [0x98, 0x06, 0x01, 0x91, 0x06, 1, 2, 3, 4, 5, 6, 7, 8];
    const more = [0x8a, 0x06, 0x02, 0x7a, 0x7a, 0x85, 0x06, 1, 2, 3, 4, 0xfb, 0x05, 0xfc, 0x05];
    expect(fromProto(new Uint8Array([...encoded, ...unknown, ...more]))).toEqual(record);
    // operation (field 2) as a length-delimited field
    expect(decodeError(new Uint8Array([0x12, 0x01, 0x01])).message).toMatch(/wire type 2/);
    // a metadata entry whose inner field overruns the entry
    expect(decodeError(new Uint8Array([0x1a, 0x02, 0x0a, 0x05, 0x61])).code).toBe(
      'MALFORMED_PROTO',
    );
  });

  it('rejects an unspecified or unknown operation with UNKNOWN_OPERATION', () => {
    const unspecified = toBinary(RecordSchema, create(RecordSchema, { position: bytes('p') }));
    expect(decodeError(unspecified)).toMatchObject({
      code: 'UNKNOWN_OPERATION',
      path: 'operation',
    });
    expect(decodeError(unspecified).message).toMatch(/UNSPECIFIED/);
    const unknown = toBinary(RecordSchema, create(RecordSchema, { operation: 9 as OperationEnum }));
    expect(decodeError(unknown).message).toMatch(/unknown operation 9/);
  });

  it('rejects an unknown operation on encode', () => {
    const bad = { ...deleteRecord({ position: new Uint8Array() }), operation: 'upsert' };
    expect(() => toProto(bad as unknown as OpenCDCRecord)).toThrow(/unknown operation "upsert"/);
  });

  it('refuses a Date in structured data, as Go refuses a time.Time, naming the field', () => {
    const record = createRecord({
      position: bytes('p'),
      after: { a: [{ when: new Date(0) as unknown as string }] },
    });
    expect(() => toProto(record)).toThrow(EncodeError);
    expect(() => toProto(record)).toThrow(
      /payload\.after\.a\[0\]\.when.*a Date cannot be written as protobuf/,
    );
  });
});
