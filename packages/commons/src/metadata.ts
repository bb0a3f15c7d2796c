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

function toNanos(t: Timestamp): bigint {
  if (typeof t === 'bigint') return t;
  const ms = t.getTime();
  if (Number.isNaN(ms)) throw new RangeError('cannot store an invalid Date as a timestamp');
  return BigInt(ms) * NS_PER_MS;
}

/**
 * Record metadata: string keys to string values (Go `map[string]string`), with a typed getter
 * and setter for every OpenCDC and Conduit key.
 *
 * Not found: a getter returns `undefined` when the key is missing OR holds the empty string
 * (upstream treats both as "not found"). A present but malformed value throws
 * {@link MetadataValueError} naming the key and the value.
 */
export class Metadata extends Map<string, string> {
  /** The raw value, or `undefined` when missing or empty (the not-found rule). */
  getString(key: string): string | undefined {
    const v = this.get(key);
    return v === '' ? undefined : v;
  }

  /** A decimal integer value (Go `strconv.Atoi` syntax), within ±(2^53 − 1). */
  getInteger(key: string): number | undefined {
    const v = this.getString(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!INTEGER.test(v) || !Number.isSafeInteger(n)) {
      throw new MetadataValueError(key, v, 'a decimal integer');
    }
    return n;
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
    if (ns === undefined || BigInt.asIntN(64, ns) !== ns) {
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

  setInteger(key: string, value: number): this {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`metadata "${key}" must be a safe integer, got ${value}`);
    }
    return this.set(key, String(value));
  }

  setBoolean(key: string, value: boolean): this {
    return this.set(key, value ? 'true' : 'false');
  }

  setTimestamp(key: string, value: Timestamp): this {
    return this.set(key, toNanos(value).toString());
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

  getKeySchemaVersion(): number | undefined {
    return this.getInteger(METADATA_KEY_SCHEMA_VERSION);
  }
  setKeySchemaVersion(version: number): this {
    return this.setInteger(METADATA_KEY_SCHEMA_VERSION, version);
  }

  getPayloadSchemaSubject(): string | undefined {
    return this.getString(METADATA_PAYLOAD_SCHEMA_SUBJECT);
  }
  setPayloadSchemaSubject(subject: string): this {
    return this.set(METADATA_PAYLOAD_SCHEMA_SUBJECT, subject);
  }

  getPayloadSchemaVersion(): number | undefined {
    return this.getInteger(METADATA_PAYLOAD_SCHEMA_VERSION);
  }
  setPayloadSchemaVersion(version: number): this {
    return this.setInteger(METADATA_PAYLOAD_SCHEMA_VERSION, version);
  }

  getFileName(): string | undefined {
    return this.getString(METADATA_FILE_NAME);
  }
  setFileName(name: string): this {
    return this.set(METADATA_FILE_NAME, name);
  }

  /** `opencdc.file.size`: the whole file's size in bytes. */
  getFileSize(): number | undefined {
    return this.getInteger(METADATA_FILE_SIZE);
  }
  setFileSize(bytes: number): this {
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
  getFileChunkIndex(): number | undefined {
    return this.getInteger(METADATA_FILE_CHUNK_INDEX);
  }
  setFileChunkIndex(index: number): this {
    return this.setInteger(METADATA_FILE_CHUNK_INDEX, index);
  }

  getFileChunkCount(): number | undefined {
    return this.getInteger(METADATA_FILE_CHUNK_COUNT);
  }
  setFileChunkCount(count: number): this {
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
