import { DecodeError, EncodeError } from './errors.js';
import { Operation as OperationEnum } from './gen/opencdc/v1/opencdc_pb.js';
import { readRecord, writeRecord } from './proto-wire.js';
import { OPERATIONS, type OpenCDCRecord, type Operation } from './record.js';

const TO_ENUM: { readonly [op in Operation]: OperationEnum } = {
  create: OperationEnum.CREATE,
  update: OperationEnum.UPDATE,
  delete: OperationEnum.DELETE,
  snapshot: OperationEnum.SNAPSHOT,
};
const FROM_ENUM: readonly (Operation | undefined)[] = [
  undefined,
  'create',
  'update',
  'delete',
  'snapshot',
];

/**
 * Encodes a record as protobuf binary (`opencdc.v1.Record`). Structured data becomes a
 * `google.protobuf.Struct`, whose numbers are doubles: a `bigint` is converted to the nearest
 * double (exact only within ±2^53) and bytes become base64 strings, the mapping upstream's
 * `structpb` applies.
 *
 * @throws {EncodeError} naming the field: a `Date` in structured data (refused, as Go's
 *   `structpb` refuses a `time.Time`), a value that is not structured data, or structured data
 *   nested deeper than `MAX_DEPTH`.
 */
export function toProto(record: OpenCDCRecord): Uint8Array {
  return writeRecord({
    position: record.position,
    operation: toEnum(record.operation),
    metadata: record.metadata,
    key: record.key,
    before: record.payload.before,
    after: record.payload.after,
  });
}

export function toEnum(operation: Operation): OperationEnum {
  const value = TO_ENUM[operation];
  if (value === undefined) {
    throw new EncodeError(
      'operation',
      `unknown operation ${JSON.stringify(operation)}: expected one of ${OPERATIONS.join(', ')}`,
    );
  }
  return value;
}

export function toOperation(value: number): Operation {
  const operation = FROM_ENUM[value];
  if (operation === undefined) {
    throw new DecodeError(
      'UNKNOWN_OPERATION',
      'operation',
      `unknown operation ${value} (${OperationEnum[value] ?? 'not in opencdc.v1.Operation'}): expected 1-4 (create, update, delete, snapshot)`,
    );
  }
  return operation;
}

export function malformed(e: unknown): DecodeError {
  const reason = e instanceof Error ? e.message : String(e);
  return new DecodeError(
    'MALFORMED_PROTO',
    '',
    `not a protobuf opencdc.v1.Record (${reason}); is the input OpenCDC JSON or truncated?`,
    { cause: e },
  );
}

/**
 * Decodes protobuf binary (`opencdc.v1.Record`). As in Go, a Struct number that is NaN or
 * ±Infinity becomes the string `"NaN"`, `"Infinity"` or `"-Infinity"`, and a record without
 * metadata has `Metadata.absent()` metadata (written to OpenCDC JSON as `null`).
 *
 * @throws {DecodeError} `MALFORMED_PROTO` when the bytes do not parse, `UNKNOWN_OPERATION` when
 *   the operation is unspecified or unknown, `TOO_DEEP` when structured data nests deeper than
 *   `MAX_DEPTH`; never returns a partial record.
 */
export function fromProto(bytes: Uint8Array): OpenCDCRecord {
  let wire: ReturnType<typeof readRecord>;
  try {
    wire = readRecord(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw e; // already says what and where (e.g. TOO_DEEP)
    throw malformed(e);
  }
  return {
    position: wire.position,
    operation: toOperation(wire.operation),
    metadata: wire.metadata,
    key: wire.key,
    payload: { before: wire.before, after: wire.after },
  };
}
