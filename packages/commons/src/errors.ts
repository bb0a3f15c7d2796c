/**
 * The data of one record is the problem (it cannot be encoded, decoded or read), not the
 * connection or the configuration: the base of `EncodeError`, `DecodeError` and
 * `MetadataValueError`, so a runtime can treat each of them as a record error (dead letter)
 * without knowing the codec.
 */
export class DataError extends Error {
  override readonly name: string = 'DataError';
}

/** A metadata value is present but cannot be read as its key's type (e.g. `"abc"` as an integer). */
export class MetadataValueError extends DataError {
  override readonly name = 'MetadataValueError';
  constructor(
    /** The metadata key, e.g. `opencdc.file.size`. */
    readonly key: string,
    /** The value found under the key. */
    readonly value: string,
    /** What the value should be, e.g. `a decimal integer`. */
    readonly expected: string,
  ) {
    super(`metadata "${key}" holds ${JSON.stringify(value)}, which is not ${expected}`);
  }
}

/** Why a record could not be decoded. */
export type DecodeErrorCode =
  /** The text is not JSON at all. */
  | 'MALFORMED_JSON'
  /** The bytes are not a protobuf `opencdc.v1.Record`. */
  | 'MALFORMED_PROTO'
  /** A field has the wrong JSON type (e.g. metadata value that is a number). */
  | 'INVALID_SHAPE'
  /** The operation is not one of create, update, delete, snapshot. */
  | 'UNKNOWN_OPERATION'
  /** A position or raw data string is not standard padded base64. */
  | 'INVALID_BASE64'
  /** Structured data nests more than `MAX_DEPTH` objects/arrays deep. */
  | 'TOO_DEEP';

/**
 * A record could not be decoded. `code` says what kind of problem, `path` where (e.g.
 * `payload.after`, `metadata["k"]`); no partial record is ever returned.
 */
export class DecodeError extends DataError {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    /** Where in the record the problem is; `''` for the whole input. */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(path === '' ? message : `${path}: ${message}`, options);
  }
}

/** A record cannot be encoded (e.g. an unknown operation, a non-finite number, too deep). */
export class EncodeError extends DataError {
  override readonly name = 'EncodeError';
  constructor(
    /** Where in the record the problem is, e.g. `payload.after.price`. */
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}
