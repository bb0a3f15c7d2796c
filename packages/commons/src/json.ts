import { parse as parseLossless } from 'lossless-json';
import { decodeBase64, encodeBase64 } from './base64.js';
import { findTooDeep, MAX_DEPTH, pathSegment, shortPath, TOO_DEEP_MESSAGE } from './depth.js';
import { DecodeError, EncodeError } from './errors.js';
import { Metadata } from './metadata.js';
import {
  type Change,
  type Data,
  isOperation,
  OPERATIONS,
  type OpenCDCRecord,
  type StructuredData,
} from './record.js';

// ---------------------------------------------------------------------------------------------
// Encoding: byte for byte what Go's encoding/json writes for the upstream record.
// ---------------------------------------------------------------------------------------------

// JSON.stringify already escapes like Go for `"`, `\`, \b \f \n \r \t and other control
// characters (lowercase \u00xx). Go also escapes <, >, & and U+2028/U+2029, and writes invalid
// UTF-8 (a lone surrogate here) as \ufffd: patch those only when present.
// (String#includes is ~8x faster here than one regex over a 1 KB text, measured.)
const needsGoEscape = (json: string): boolean =>
  json.includes('<') ||
  json.includes('>') ||
  json.includes('&') ||
  json.includes('\u2028') ||
  json.includes('\u2029') ||
  json.includes('\\ud');
// `\\\\` first so an escaped backslash followed by "ud800" text is never taken for a surrogate.
const GO_ESCAPE = /\\\\|\\ud[89a-f][0-9a-f]{2}|[<>&\u2028\u2029]/g;

function goEscape(match: string): string {
  switch (match) {
    case '\\\\':
      return match;
    case '<':
      return '\\u003c';
    case '>':
      return '\\u003e';
    case '&':
      return '\\u0026';
    case '\u2028':
      return '\\u2028';
    case '\u2029':
      return '\\u2029';
    default:
      return '\\ufffd'; // a lone surrogate: JSON.stringify only escapes unpaired ones
  }
}

/** A JSON string literal exactly as Go's `encoding/json` writes it. */
function encodeGoString(s: string): string {
  const quoted = JSON.stringify(s);
  return needsGoEscape(quoted) ? quoted.replace(GO_ESCAPE, goEscape) : quoted;
}

/**
 * A float64 exactly as Go's `encoding/json` writes it. JavaScript's shortest round-trip form
 * switches to exponent notation at the same thresholds as Go (< 1e-6, >= 1e21) and writes the
 * exponent the same way (`1e+21`, `1e-7`); only negative zero differs.
 */
function encodeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new PathError(`${n} cannot be written as JSON`);
  if (n === 0 && 1 / n < 0) return '-0';
  return String(n);
}

// Go sorts map keys by their UTF-8 bytes; JavaScript's default sort is by UTF-16 code units.
// The two agree unless a key has characters at or above U+D800, which is rare: check then.
const ASTRAL_OR_HIGH = /[\ud800-\uffff]/;

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

// Records have tens of keys per object: an insertion sort beats Array#sort there by ~2x
// (measured); both compare by UTF-16 code units.
function insertionSort(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
}

// Records repeat the same few keys, so the keys already checked are remembered (bounded).
const lowKeys = new Set<string>();

function hasHighKey(keys: string[]): boolean {
  for (const k of keys) {
    if (lowKeys.has(k)) continue;
    if (ASTRAL_OR_HIGH.test(k)) return true;
    if (lowKeys.size >= 10_000) lowKeys.clear();
    lowKeys.add(k);
  }
  return false;
}

function sortedKeys(keys: string[]): string[] {
  if (keys.length <= 1) return keys;
  if (keys.length <= 32) insertionSort(keys);
  else keys.sort();
  if (hasHighKey(keys)) keys.sort(compareCodePoints);
  return keys;
}

/** Thrown inside the value encoder; each level prepends its key so the message names the field. */
class PathError extends Error {
  readonly segments: string[] = [];
}

const segment = pathSegment;

// `depth` is the nesting level of the object or array holding `v` (the data object is 1).
function encodeValue(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return encodeGoString(v);
    case 'number':
      return encodeNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'object':
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return `"${encodeBase64(v)}"`; // Go []byte
      if (v instanceof Date) return encodeDate(v);
      if (depth >= MAX_DEPTH) throw new PathError(TOO_DEEP_MESSAGE);
      if (Array.isArray(v)) return encodeArray(v, depth + 1);
      return encodeObject(v as { [k: string]: unknown }, depth + 1);
    case 'undefined':
      return 'null'; // only reachable in arrays; object fields holding undefined are skipped
    default:
      throw new PathError(`a ${typeof v} is not a structured data value`);
  }
}

function encodeDate(d: Date): string {
  // Go's time.Time marshals as RFC 3339; a JS Date has millisecond precision.
  if (Number.isNaN(d.getTime())) throw new PathError('an invalid Date cannot be written as JSON');
  return `"${d.toISOString()}"`;
}

function encodeArray(a: unknown[], depth: number): string {
  if (a.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < a.length; i++) {
    try {
      out += i === 0 ? encodeValue(a[i], depth) : `,${encodeValue(a[i], depth)}`;
    } catch (e) {
      if (e instanceof PathError) e.segments.unshift(segment(i));
      throw e;
    }
  }
  return `${out}]`;
}

function encodeObject(o: { [k: string]: unknown }, depth: number): string {
  const keys = sortedKeys(Object.keys(o));
  let out = '{';
  let first = true;
  for (const k of keys) {
    const value = o[k];
    if (value === undefined) continue; // like JSON.stringify: an undefined field is absent
    try {
      out += `${first ? '' : ','}${encodeGoString(k)}:${encodeValue(value, depth)}`;
    } catch (e) {
      if (e instanceof PathError) e.segments.unshift(segment(k));
      throw e;
    }
    first = false;
  }
  return `${out}}`;
}

function encodeData(data: Data | null | undefined, path: string): string {
  if (data == null) return 'null';
  if (data instanceof Uint8Array) return `"${encodeBase64(data)}"`;
  try {
    return encodeObject(data, 1);
  } catch (e) {
    if (e instanceof PathError)
      throw new EncodeError(shortPath(path + e.segments.join('')), e.message);
    throw e;
  }
}

function encodeMetadata(metadata: Map<string, string>): string {
  if (metadata.size === 0) return '{}';
  const keys = sortedKeys([...metadata.keys()]);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = metadata.get(k);
    if (typeof v !== 'string') {
      throw new EncodeError(
        `metadata${segment(k)}`,
        `metadata values are strings, got ${typeof v}`,
      );
    }
    out += `${i === 0 ? '' : ','}${encodeGoString(k)}:${encodeGoString(v)}`;
  }
  return `${out}}`;
}

// Fast path. Records of one collection share their shape, so for each distinct key list the
// sorted order and the written `,"name":` prefixes are computed once and cached. Most strings
// need no escaping at all: one regex test finds the few that do. Anything unusual (an undefined
// field, NaN, a non-string metadata value, a function...) throws, and the exact encoder above
// then writes the record or the error naming the field. (A key-sorted copy handed to the native
// JSON.stringify, the previous approach, measured 1.3-1.6x slower on Node 20 and 24.)
interface Shape {
  /** The object's own keys in Go's order. */
  readonly keys: string[];
  /** `"key":` for the first key, `,"key":` for the others, in the order of `keys`. */
  readonly prefixes: string[];
}

const shapes = new Map<string, Shape>();
const MAX_SHAPES = 4096; // bounded: objects used as maps with varying keys must not grow memory

// The cache key is the key list joined by NUL. Key lists holding a NUL are never cached, which
// makes a hit unambiguous once the key count matches (a list with a NUL key has more NULs in
// its joined form than a NUL-free list of the same length).
// The last few shapes, compared key by key before the map: a batch of one table's records then
// finds its shape without building the joined cache key (an allocation per object).
const recent: { readonly names: readonly string[]; readonly shape: Shape }[] = [];
const RECENT = 8;

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeOf(keys: string[]): Shape {
  for (let i = 0; i < recent.length; i++) {
    const r = recent[i]!;
    if (sameNames(r.names, keys)) return r.shape;
  }
  const shape = shapeOfSlow(keys);
  if (recent.length >= RECENT) recent.pop();
  recent.unshift({ names: keys, shape });
  return shape;
}

function shapeOfSlow(keys: string[]): Shape {
  const id = keys.join('\u0000');
  const cached = shapes.get(id);
  if (cached !== undefined && cached.keys.length === keys.length) return cached;
  const sorted = sortedKeys(keys.slice());
  const shape: Shape = {
    keys: sorted,
    prefixes: sorted.map((k, i) => `${i === 0 ? '' : ','}${encodeGoString(k)}:`),
  };
  if (!sorted.some((k) => k.includes('\u0000'))) {
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(id, shape);
  }
  return shape;
}

// Every character that JSON.stringify or Go escapes or replaces: quote, backslash, controls,
// <, >, &, U+2028, U+2029 and surrogates (paired ones go the slow way too; they are rare).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

function fastString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? encodeGoString(s) : `"${s}"`;
}

function fastValue(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return fastString(v);
    case 'number':
      return encodeNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'object':
      if (v === null) return 'null';
      // Too deep (MAX_DEPTH): the exact encoder then throws the error naming the field.
      if (Array.isArray(v)) {
        if (depth >= MAX_DEPTH) throw new PathError('too deep');
        return fastArray(v, depth + 1);
      }
      if (v instanceof Uint8Array) return `"${encodeBase64(v)}"`; // Go []byte
      if (v instanceof Date) return encodeDate(v);
      if (depth >= MAX_DEPTH) throw new PathError('too deep');
      return fastObject(v as { [k: string]: unknown }, depth + 1);
    default:
      throw new PathError('not plain'); // undefined, function, symbol: the exact path decides
  }
}

function fastArray(a: unknown[], depth: number): string {
  if (a.length === 0) return '[]';
  let out = `[${fastValue(a[0], depth)}`;
  for (let i = 1; i < a.length; i++) out += `,${fastValue(a[i], depth)}`;
  return `${out}]`;
}

function fastObject(o: { [k: string]: unknown }, depth: number): string {
  const names = Object.keys(o);
  if (names.length === 0) return '{}';
  const { keys, prefixes } = shapeOf(names);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const value = o[keys[i]!];
    if (value === undefined) throw new PathError('undefined field'); // skipped by the exact path
    out += prefixes[i]! + fastValue(value, depth);
  }
  return `${out}}`;
}

function fastMetadata(metadata: Map<string, string>): string {
  if (metadata.size === 0) return '{}';
  const { keys, prefixes } = shapeOf([...metadata.keys()]);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const v = metadata.get(keys[i]!);
    if (typeof v !== 'string') throw new PathError('not a string');
    out += prefixes[i]! + fastString(v);
  }
  return `${out}}`;
}

function fastData(data: Data | null | undefined): string {
  if (data == null) return 'null';
  if (data instanceof Uint8Array) return `"${encodeBase64(data)}"`;
  return fastObject(data, 1);
}

function encodeFast(record: OpenCDCRecord): string | undefined {
  try {
    const payload: Partial<Change> = record.payload ?? {};
    return `{"position":${encodePosition(record.position)},"operation":"${record.operation}","metadata":${fastMetadata(
      record.metadata,
    )},"key":${fastData(record.key)},"payload":{"before":${fastData(payload.before)},"after":${fastData(payload.after)}}}`;
  } catch {
    return undefined;
  }
}

/**
 * A record has no nil/empty distinction for its position, so an empty one is written as Go
 * writes a nil `Position`: `null`. That is what a Go record with no position (its zero value,
 * or any record that crossed protobuf, which never carries empty bytes) encodes to; Go and this
 * decoder read `null` and `""` alike, as an empty position.
 */
function encodePosition(position: Uint8Array | null | undefined): string {
  return position == null || position.length === 0 ? 'null' : `"${encodeBase64(position)}"`;
}

/**
 * Encodes a record as OpenCDC JSON, byte for byte as the upstream Go encoder does: fields in
 * the order position, operation, metadata, key, payload{before, after}; object keys sorted; Go's
 * string escaping and float formatting; raw data and bytes as standard base64. `bigint` is
 * written as a JSON integer.
 *
 * @throws {EncodeError} naming the field: an unknown operation, a non-finite number, a value
 *   that is not structured data, or structured data nested deeper than `MAX_DEPTH`.
 */
export function toOpenCDCJSON(record: OpenCDCRecord): string {
  const { operation } = record;
  if (!isOperation(operation)) {
    throw new EncodeError(
      'operation',
      `unknown operation ${JSON.stringify(operation)}: expected one of ${OPERATIONS.join(', ')}`,
    );
  }
  return encodeFast(record) ?? encodeExact(record);
}

/** The reference encoder: handles every value; exported for the tests that compare the two. */
export function encodeExact(record: OpenCDCRecord): string {
  const { operation } = record;
  const payload: Partial<Change> = record.payload ?? {};
  return `{"position":${encodePosition(record.position)},"operation":"${operation}","metadata":${encodeMetadata(
    record.metadata,
  )},"key":${encodeData(record.key, 'key')},"payload":{"before":${encodeData(
    payload.before,
    'payload.before',
  )},"after":${encodeData(payload.after, 'payload.after')}}}`;
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

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
  const metadata = new Metadata();
  if (v == null) return metadata;
  if (!isPlainObject(v)) {
    throw new DecodeError('INVALID_SHAPE', 'metadata', `expected an object, got ${describe(v)}`);
  }
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
 *   `null` or absent is no data; `position` and `metadata` may be `null` or absent (empty);
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
