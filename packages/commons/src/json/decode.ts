/** Decoding OpenCDC JSON into a record. */
import { parse as parseLossless } from 'lossless-json';
import { decodeBase64 } from '../base64.js';
import {
  findTooDeep,
  MAX_DEPTH,
  pathSegment as segment,
  shortPath,
  TOO_DEEP_MESSAGE,
} from '../depth.js';
import { DecodeError } from '../errors.js';
import { Metadata } from '../metadata.js';
import {
  type Data,
  isOperation,
  OPERATIONS,
  type OpenCDCRecord,
  type StructuredData,
} from '../record.js';

// JSON.parse turns an integer literal beyond ±(2^53 − 1) into a double of magnitude >= 2^53,
// which is easy to spot afterwards. Records rarely hold one, so the text is parsed natively
// first and, only when such a number shows up in the data, parsed again losslessly (a float
// like 1e300 also triggers it; that costs speed, never correctness).
// The same walk enforces MAX_DEPTH: JSON.parse itself is not recursive (it reads any depth),
// but this walk, the lossless parser and every consumer of the record are.
// `depth` is the level of `v` when it is an object or array (the data object is 1).
function hasUnsafeNumber(v: unknown, depth: number): boolean {
  if (typeof v === 'number') return v > Number.MAX_SAFE_INTEGER || v < Number.MIN_SAFE_INTEGER;
  if (typeof v !== 'object' || v === null) return false;
  if (depth > MAX_DEPTH) throw TOO_DEEP;
  if (Array.isArray(v)) {
    for (const item of v) if (hasUnsafeNumber(item, depth + 1)) return true;
    return false;
  }
  const o = v as { [k: string]: unknown };
  for (const k in o) if (hasUnsafeNumber(o[k], depth + 1)) return true;
  return false;
}

/** Thrown (one shared instance: no stack trace per record) when a data value is too deep. */
const TOO_DEEP = new Error('too deep');

/** Checks one data field (`key`, `payload.before`, `payload.after`) of the parsed document. */
function dataHasUnsafeNumber(v: unknown, path: string): boolean {
  try {
    return hasUnsafeNumber(v, 1);
  } catch (e) {
    if (e !== TOO_DEEP) throw e;
    throw new DecodeError('TOO_DEEP', shortPath(path + (findTooDeep(v) ?? '')), TOO_DEEP_MESSAGE);
  }
}
const INTEGER_LITERAL = /^-?\d+$/;

function parseNumber(literal: string): number | bigint {
  const n = Number(literal);
  if (Number.isSafeInteger(n) || !INTEGER_LITERAL.test(literal)) return n;
  return BigInt(literal);
}

const lastKeyWins = ({ newValue }: { newValue: unknown }): unknown => newValue; // as JSON.parse

function parseJSON(text: string): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw malformedJSON(e);
  }
  let unsafe: boolean;
  if (isPlainObject(doc)) {
    const payload = isPlainObject(doc.payload) ? doc.payload : undefined;
    // No short-circuit: every data field is checked for depth.
    unsafe = [
      dataHasUnsafeNumber(doc.key, 'key'),
      dataHasUnsafeNumber(payload?.before, 'payload.before'),
      dataHasUnsafeNumber(payload?.after, 'payload.after'),
    ].includes(true);
  } else {
    // Not a record: the caller reports the shape, with a big number shown exactly.
    unsafe = typeof doc === 'number' && hasUnsafeNumber(doc, 1);
  }
  if (!unsafe) return doc;
  try {
    return parseLossless(text, null, { parseNumber, onDuplicateKey: lastKeyWins });
  } catch (e) {
    // The data fields are within MAX_DEPTH, but a field this decoder ignores may not be:
    // the lossless parser is recursive.
    if (e instanceof RangeError) {
      throw new DecodeError(
        'TOO_DEEP',
        '',
        `a field other than key and payload is ${TOO_DEEP_MESSAGE}`,
        { cause: e },
      );
    }
    throw malformedJSON(e);
  }
}

function malformedJSON(e: unknown): DecodeError {
  const reason = e instanceof Error ? e.message : String(e);
  return new DecodeError('MALFORMED_JSON', '', `not valid JSON (${reason})`, { cause: e });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'bigint') return `number ${v}`;
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

function isPlainObject(v: unknown): v is { [k: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeData(v: unknown, path: string): Data | null {
  if (v == null) return null;
  if (typeof v === 'string') return decodeBase64(v, path);
  // Anything JSON.parse (or the lossless parser) builds is a valid structured value.
  if (isPlainObject(v)) return v as StructuredData;
  throw new DecodeError(
    'INVALID_SHAPE',
    path,
    `expected a base64 string (raw data), an object (structured data) or null, got ${describe(v)}`,
  );
}

function decodeMetadata(v: unknown): Metadata {
  // `null` or missing is Go's nil map, written back as `null`; `{}` is written back as `{}`.
  if (v == null) return Metadata.absent();
  if (!isPlainObject(v)) {
    throw new DecodeError('INVALID_SHAPE', 'metadata', `expected an object, got ${describe(v)}`);
  }
  const metadata = new Metadata();
  for (const k of Object.keys(v)) {
    const value = v[k];
    if (typeof value !== 'string') {
      throw new DecodeError(
        'INVALID_SHAPE',
        `metadata${segment(k)}`,
        `metadata values must be strings, got ${describe(value)}`,
      );
    }
    metadata.set(k, value);
  }
  return metadata;
}

/**
 * Decodes OpenCDC JSON (as written by {@link toOpenCDCJSON} or the upstream Go encoder).
 *
 * - a data value that is a string is raw data (standard base64), an object is structured data,
 *   `null` or absent is no data; `position` and `metadata` may be `null` or absent (empty; such metadata
 *   is {@link Metadata.absent} and written back as `null`, like Go);
 * - integers within ±(2^53 − 1) decode to `number`, larger ones to `bigint` (never rounded);
 *   numbers with a fraction or an exponent are `number`;
 * - fields other than the five record fields are ignored, like upstream.
 *
 * @throws {DecodeError} with `code` MALFORMED_JSON, INVALID_SHAPE, UNKNOWN_OPERATION,
 *   INVALID_BASE64 or TOO_DEEP (structured data nested deeper than `MAX_DEPTH`); never returns
 *   a partial record.
 */
export function fromOpenCDCJSON(text: string | Uint8Array): OpenCDCRecord {
  const source =
    typeof text === 'string'
      ? text
      : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  const doc = parseJSON(source);
  if (!isPlainObject(doc)) {
    throw new DecodeError(
      'INVALID_SHAPE',
      '',
      `expected a JSON object with position, operation, metadata, key and payload, got ${describe(doc)}`,
    );
  }
  const { position, operation, payload } = doc;
  if (!isOperation(operation)) {
    throw new DecodeError(
      operation === undefined || typeof operation === 'string'
        ? 'UNKNOWN_OPERATION'
        : 'INVALID_SHAPE',
      'operation',
      operation === undefined
        ? `missing: expected one of ${OPERATIONS.join(', ')}`
        : `unknown operation ${describe(operation)}: expected one of ${OPERATIONS.join(', ')}`,
    );
  }
  if (position != null && typeof position !== 'string') {
    throw new DecodeError(
      'INVALID_SHAPE',
      'position',
      `expected a base64 string, got ${describe(position)}`,
    );
  }
  if (payload != null && !isPlainObject(payload)) {
    throw new DecodeError(
      'INVALID_SHAPE',
      'payload',
      `expected an object with before and after, got ${describe(payload)}`,
    );
  }
  return {
    position: position == null ? new Uint8Array(0) : decodeBase64(position, 'position'),
    operation,
    metadata: decodeMetadata(doc.metadata),
    key: decodeData(doc.key, 'key'),
    payload: {
      before: decodeData(payload?.before, 'payload.before'),
      after: decodeData(payload?.after, 'payload.after'),
    },
  };
}
