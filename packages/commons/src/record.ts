import { Metadata } from './metadata.js';

/** What happened to the data. Text forms are the OpenCDC JSON forms. */
export type Operation = 'create' | 'update' | 'delete' | 'snapshot';

export const OPERATIONS: readonly Operation[] = ['create', 'update', 'delete', 'snapshot'];

/**
 * A structured value. Integers beyond ±(2^53 − 1) are `bigint` so they never lose precision;
 * bytes are `Uint8Array` (base64 in OpenCDC JSON, like Go's `[]byte`).
 */
export type StructuredValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | StructuredValue[]
  | { [field: string]: StructuredValue };

/** Structured data: a JSON-like object (proto `google.protobuf.Struct`). */
export type StructuredData = { [field: string]: StructuredValue };

/** Raw data: opaque bytes. */
export type RawData = Uint8Array;

/**
 * Either raw bytes or structured data. Tell them apart with {@link isRawData} /
 * {@link isStructuredData}; `null` means "no data".
 */
export type Data = RawData | StructuredData;

export interface Change {
  before: Data | null;
  after: Data | null;
}

/**
 * The OpenCDC record. Named `OpenCDCRecord` rather than `Record` so it never shadows
 * TypeScript's built-in `Record<K, V>` in user code.
 */
export interface OpenCDCRecord {
  /** Opaque bytes that let the source resume after this record (JSON inside by convention). */
  position: Uint8Array;
  operation: Operation;
  metadata: Metadata;
  key: Data | null;
  payload: Change;
}

export function isRawData(data: Data | null | undefined): data is RawData {
  return data instanceof Uint8Array;
}

export function isStructuredData(data: Data | null | undefined): data is StructuredData {
  return data != null && !(data instanceof Uint8Array);
}

export function isOperation(value: unknown): value is Operation {
  return value === 'create' || value === 'update' || value === 'delete' || value === 'snapshot';
}

export interface RecordInit {
  position: Uint8Array;
  metadata?: Metadata | Iterable<readonly [string, string]> | { [key: string]: string };
  key?: Data | null;
}

function toMetadata(init: RecordInit['metadata']): Metadata {
  if (init instanceof Metadata) return init;
  if (init == null) return new Metadata();
  if (Symbol.iterator in init) return new Metadata(init as Iterable<readonly [string, string]>);
  return new Metadata(Object.entries(init));
}

function build(
  operation: Operation,
  init: RecordInit,
  before: Data | null,
  after: Data | null,
): OpenCDCRecord {
  return {
    position: init.position,
    operation,
    metadata: toMetadata(init.metadata),
    key: init.key ?? null,
    payload: { before, after },
  };
}

/** A record for a row/message that was created. */
export function createRecord(init: RecordInit & { after: Data | null }): OpenCDCRecord {
  return build('create', init, null, init.after);
}

/** A record for a change; `before` is optional (sources often only know the new state). */
export function updateRecord(
  init: RecordInit & { before?: Data | null; after: Data | null },
): OpenCDCRecord {
  return build('update', init, init.before ?? null, init.after);
}

/** A record for a deletion; the key identifies what was deleted, `before` is optional. */
export function deleteRecord(init: RecordInit & { before?: Data | null }): OpenCDCRecord {
  return build('delete', init, init.before ?? null, null);
}

/** A record read by a snapshot (existing data, not a change). */
export function snapshotRecord(init: RecordInit & { after: Data | null }): OpenCDCRecord {
  return build('snapshot', init, null, init.after);
}
