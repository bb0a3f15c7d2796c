import {
  METADATA_COLLECTION,
  METADATA_CONDUIT_DESTINATION_PLUGIN_NAME,
  METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION,
  METADATA_CONDUIT_DLQ_NACK_ERROR,
  METADATA_CONDUIT_DLQ_NACK_NODE_ID,
  METADATA_CONDUIT_SOURCE_CONNECTOR_ID,
  METADATA_CONDUIT_SOURCE_PLUGIN_NAME,
  METADATA_CONDUIT_SOURCE_PLUGIN_VERSION,
  METADATA_CREATED_AT,
  METADATA_FILE_CHUNK_COUNT,
  METADATA_FILE_CHUNK_INDEX,
  METADATA_FILE_CHUNKED,
  METADATA_FILE_HASH,
  METADATA_FILE_NAME,
  METADATA_FILE_SIZE,
  METADATA_KEY_SCHEMA_SUBJECT,
  METADATA_KEY_SCHEMA_VERSION,
  METADATA_PAYLOAD_SCHEMA_SUBJECT,
  METADATA_PAYLOAD_SCHEMA_VERSION,
  METADATA_READ_AT,
  METADATA_VERSION,
  OPENCDC_VERSION,
} from './constants.js';
import { MetadataValueError } from './errors.js';

const INTEGER = /^[+-]?\d+$/;
const NS_PER_MS = 1_000_000n;

/** A point in time for the timestamp setters: unix nanoseconds or a `Date` (millisecond precision). */
export type Timestamp = bigint | Date;

// The metadata made by Metadata.absent(). Not a field: an instance field slows down every
// `new Metadata()` (measured ~1.5x on JSON decode) and would make records compare unequal.
const ABSENT = new WeakSet<Metadata>();

const isInt64 = (n: bigint): boolean => BigInt.asIntN(64, n) === n;

function toNanos(key: string, t: Timestamp): bigint {
  if (typeof t !== 'bigint' && Number.isNaN(t.getTime())) {
    throw new RangeError(`metadata "${key}": cannot store an invalid Date as a timestamp`);
  }
  const ns = typeof t === 'bigint' ? t : BigInt(t.getTime()) * NS_PER_MS;
  // Go reads it with strconv.ParseInt(v, 10, 64) (and time.Time.UnixNano wraps outside it).
  if (!isInt64(ns)) {
    const shown = typeof t === 'bigint' ? `${t}` : t.toISOString();
    throw new RangeError(
      `metadata "${key}": ${shown} is outside the unix nanoseconds a 64-bit integer holds (years 1677-2262)`,
    );
  }
  return ns;
}

/**
 * Record metadata: string keys to string values (Go `map[string]string`), with a typed getter
 * and setter for every OpenCDC and Conduit key.
 *
 * Not found: a getter returns `undefined` when the key is missing OR holds the empty string
 * (upstream treats both as "not found"). A present but malformed value throws
 * {@link MetadataValueError} naming the key and the value.
 *
 * Empty metadata is written to OpenCDC JSON as `{}`, or as `null` when it is
 * {@link Metadata.absent} (Go's nil map: what the decoders make of a record without metadata).
 */
export class Metadata extends Map<string, string> {
  /**
   * Empty metadata that stands for Go's nil map: written to OpenCDC JSON as `"metadata":null`,
   * as Go writes a record decoded from protobuf without metadata, or from JSON whose metadata
   * is `null` or missing. `new Metadata()` is Go's empty, non-nil map and is written as `{}`.
   */
  static absent(): Metadata {
    const m = new Metadata();
    ABSENT.add(m);
    return m;
  }

  /** True while metadata made by {@link Metadata.absent} has no entries. */
  isAbsent(): boolean {
    return this.size === 0 && ABSENT.has(this);
  }

  /** The raw value, or `undefined` when missing or empty (the not-found rule). */
  getString(key: string): string | undefined {
    const v = this.get(key);
    return v === '' ? undefined : v;
  }

  /**
   * A decimal integer value, read as Go reads it (`strconv.ParseInt(v, 10, 64)`): the whole
   * 64-bit range, a `number` within ±(2^53 − 1) and a `bigint` beyond, where a number would
   * round.
   */
  getInteger(key: string): number | bigint | undefined {
    const v = this.getString(key);
    if (v === undefined) return undefined;
    if (!INTEGER.test(v)) throw new MetadataValueError(key, v, 'a decimal integer');
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n; // "-0" is 0, as in Go
    const big = BigInt(v);
    if (!isInt64(big)) throw new MetadataValueError(key, v, 'a decimal 64-bit integer');
    return big;
  }

  /** A boolean value, in the forms Go's `strconv.ParseBool` accepts (`true`, `1`, `T`, ...). */
  getBoolean(key: string): boolean | undefined {
    const v = this.getString(key);
    switch (v) {
      case undefined:
        return undefined;
      case 'true':
      case 'TRUE':
      case 'True':
      case 't':
      case 'T':
      case '1':
        return true;
      case 'false':
      case 'FALSE':
      case 'False':
      case 'f':
      case 'F':
      case '0':
        return false;
      default:
        throw new MetadataValueError(key, v, 'a boolean (true or false)');
    }
  }

  /** A timestamp stored as unix nanoseconds in decimal, as a `bigint`. */
  getTimestamp(key: string): bigint | undefined {
    const v = this.getString(key);
    if (v === undefined) return undefined;
    const ns = INTEGER.test(v) ? BigInt(v) : undefined;
    // Go reads it with strconv.ParseInt(v, 10, 64): keep to the same int64 range.
    if (ns === undefined || !isInt64(ns)) {
      throw new MetadataValueError(key, v, 'unix nanoseconds as a decimal 64-bit integer');
    }
    return ns;
  }

  /** A timestamp as a `Date` (truncated to milliseconds, rounding towards the past). */
  getTimestampDate(key: string): Date | undefined {
    const ns = this.getTimestamp(key);
    if (ns === undefined) return undefined;
    let ms = ns / NS_PER_MS;
    if (ns < 0n && ms * NS_PER_MS !== ns) ms -= 1n; // bigint division truncates towards zero
    return new Date(Number(ms));
  }

  /** Stores a safe integer `number`, or a `bigint` within the 64-bit range Go reads. */
  setInteger(key: string, value: number | bigint): this {
    if (typeof value === 'bigint' ? !isInt64(value) : !Number.isSafeInteger(value)) {
      throw new RangeError(
        `metadata "${key}" must be a safe integer or a 64-bit bigint, got ${value}`,
      );
    }
    return this.set(key, String(value));
  }

  setBoolean(key: string, value: boolean): this {
    return this.set(key, value ? 'true' : 'false');
  }

  setTimestamp(key: string, value: Timestamp): this {
    return this.set(key, toNanos(key, value).toString());
  }

  // --- opencdc.* ---------------------------------------------------------------------------

  /** `opencdc.collection`: the table, topic, ... the record belongs to. */
  getCollection(): string | undefined {
    return this.getString(METADATA_COLLECTION);
  }
  setCollection(collection: string): this {
    return this.set(METADATA_COLLECTION, collection);
  }

  /** `opencdc.version`: the OpenCDC version of the record (`v1`). */
  getOpenCDCVersion(): string | undefined {
    return this.getString(METADATA_VERSION);
  }
  /** Sets `opencdc.version`, by default to the version this package writes. */
  setOpenCDCVersion(version: string = OPENCDC_VERSION): this {
    return this.set(METADATA_VERSION, version);
  }

  /** `opencdc.createdAt` in unix nanoseconds. */
  getCreatedAt(): bigint | undefined {
    return this.getTimestamp(METADATA_CREATED_AT);
  }
  getCreatedAtDate(): Date | undefined {
    return this.getTimestampDate(METADATA_CREATED_AT);
  }
  setCreatedAt(at: Timestamp): this {
    return this.setTimestamp(METADATA_CREATED_AT, at);
  }

  /** `opencdc.readAt` in unix nanoseconds. */
  getReadAt(): bigint | undefined {
    return this.getTimestamp(METADATA_READ_AT);
  }
  getReadAtDate(): Date | undefined {
    return this.getTimestampDate(METADATA_READ_AT);
  }
  setReadAt(at: Timestamp): this {
    return this.setTimestamp(METADATA_READ_AT, at);
  }

  getKeySchemaSubject(): string | undefined {
    return this.getString(METADATA_KEY_SCHEMA_SUBJECT);
  }
  setKeySchemaSubject(subject: string): this {
    return this.set(METADATA_KEY_SCHEMA_SUBJECT, subject);
  }

  getKeySchemaVersion(): number | bigint | undefined {
    return this.getInteger(METADATA_KEY_SCHEMA_VERSION);
  }
  setKeySchemaVersion(version: number | bigint): this {
    return this.setInteger(METADATA_KEY_SCHEMA_VERSION, version);
  }

  getPayloadSchemaSubject(): string | undefined {
    return this.getString(METADATA_PAYLOAD_SCHEMA_SUBJECT);
  }
  setPayloadSchemaSubject(subject: string): this {
    return this.set(METADATA_PAYLOAD_SCHEMA_SUBJECT, subject);
  }

  getPayloadSchemaVersion(): number | bigint | undefined {
    return this.getInteger(METADATA_PAYLOAD_SCHEMA_VERSION);
  }
  setPayloadSchemaVersion(version: number | bigint): this {
    return this.setInteger(METADATA_PAYLOAD_SCHEMA_VERSION, version);
  }

  getFileName(): string | undefined {
    return this.getString(METADATA_FILE_NAME);
  }
  setFileName(name: string): this {
    return this.set(METADATA_FILE_NAME, name);
  }

  /** `opencdc.file.size`: the whole file's size in bytes. */
  getFileSize(): number | bigint | undefined {
    return this.getInteger(METADATA_FILE_SIZE);
  }
  setFileSize(bytes: number | bigint): this {
    return this.setInteger(METADATA_FILE_SIZE, bytes);
  }

  getFileHash(): string | undefined {
    return this.getString(METADATA_FILE_HASH);
  }
  setFileHash(hash: string): this {
    return this.set(METADATA_FILE_HASH, hash);
  }

  getFileChunked(): boolean | undefined {
    return this.getBoolean(METADATA_FILE_CHUNKED);
  }
  setFileChunked(chunked: boolean): this {
    return this.setBoolean(METADATA_FILE_CHUNKED, chunked);
  }

  /** `opencdc.file.chunk.index`: one-based. */
  getFileChunkIndex(): number | bigint | undefined {
    return this.getInteger(METADATA_FILE_CHUNK_INDEX);
  }
  setFileChunkIndex(index: number | bigint): this {
    return this.setInteger(METADATA_FILE_CHUNK_INDEX, index);
  }

  getFileChunkCount(): number | bigint | undefined {
    return this.getInteger(METADATA_FILE_CHUNK_COUNT);
  }
  setFileChunkCount(count: number | bigint): this {
    return this.setInteger(METADATA_FILE_CHUNK_COUNT, count);
  }

  // --- conduit.* (set by the runtime) ---------------------------------------------------------

  getConduitSourcePluginName(): string | undefined {
    return this.getString(METADATA_CONDUIT_SOURCE_PLUGIN_NAME);
  }
  setConduitSourcePluginName(name: string): this {
    return this.set(METADATA_CONDUIT_SOURCE_PLUGIN_NAME, name);
  }

  getConduitSourcePluginVersion(): string | undefined {
    return this.getString(METADATA_CONDUIT_SOURCE_PLUGIN_VERSION);
  }
  setConduitSourcePluginVersion(version: string): this {
    return this.set(METADATA_CONDUIT_SOURCE_PLUGIN_VERSION, version);
  }

  getConduitDestinationPluginName(): string | undefined {
    return this.getString(METADATA_CONDUIT_DESTINATION_PLUGIN_NAME);
  }
  setConduitDestinationPluginName(name: string): this {
    return this.set(METADATA_CONDUIT_DESTINATION_PLUGIN_NAME, name);
  }

  getConduitDestinationPluginVersion(): string | undefined {
    return this.getString(METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION);
  }
  setConduitDestinationPluginVersion(version: string): this {
    return this.set(METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION, version);
  }

  getConduitSourceConnectorId(): string | undefined {
    return this.getString(METADATA_CONDUIT_SOURCE_CONNECTOR_ID);
  }
  setConduitSourceConnectorId(id: string): this {
    return this.set(METADATA_CONDUIT_SOURCE_CONNECTOR_ID, id);
  }

  getConduitDlqNackError(): string | undefined {
    return this.getString(METADATA_CONDUIT_DLQ_NACK_ERROR);
  }
  setConduitDlqNackError(error: string): this {
    return this.set(METADATA_CONDUIT_DLQ_NACK_ERROR, error);
  }

  getConduitDlqNackNodeId(): string | undefined {
    return this.getString(METADATA_CONDUIT_DLQ_NACK_NODE_ID);
  }
  setConduitDlqNackNodeId(id: string): this {
    return this.set(METADATA_CONDUIT_DLQ_NACK_NODE_ID, id);
  }
}
