import {
  type Data,
  isStandardBase64,
  MAX_DEPTH,
  type StructuredData,
  type StructuredValue,
} from '@opencdc-ts/commons';
import { RecordProblem } from '../errors.js';
import type { ColumnKind } from './catalog.js';
import { fractionToDecimal, isFraction } from './fraction.js';
import { pgxInterval, pgxTime } from './pgx-forms.js';

/**
 * Record values are sent to Postgres as TEXT parameters and cast to the column type in SQL
 * (`u."col"::integer`): one uniform path for every type (arrays, ranges, enums, domains) that
 * also lets a whole run travel as one `text[]` per column. This module renders values.
 */

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The most levels of objects/arrays one column value may nest: commons' `MAX_DEPTH`, the one
 * limit every encoder of the project enforces. Rendering is recursive (as is `JSON.stringify`):
 * a hostile value 20,000 levels deep would overflow the call stack, a `RangeError` that names no
 * record and fails the whole pipeline. Deeper values fail their record instead (the server's own
 * jsonb parser is recursive too, limited by `max_stack_depth`).
 */
export const MAX_NESTING = MAX_DEPTH;

/** A value nested deeper than `MAX_NESTING`; the caller prefixes the field's path. */
export class TooDeep extends RecordProblem {
  constructor() {
    super(`nested deeper than ${MAX_NESTING} levels`);
  }
}

/**
 * The object behind a record's key or payload: structured data as is, raw bytes decoded when
 * they hold a JSON object. Returns a message when raw bytes are not a JSON object.
 */
export function asObject(data: Data | null): StructuredData | null | string {
  if (data == null) return null;
  if (!(data instanceof Uint8Array)) return data;
  if (data.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch {
    return 'raw data is not JSON (the destination needs structured data or raw JSON objects)';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return 'raw data holds JSON that is not an object';
  }
  return parsed as StructuredData;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function byteaHex(bytes: Uint8Array): string {
  let s = '\\x';
  for (const b of bytes) s += HEX[b];
  return s;
}

/** Whether `JSON.stringify` renders the value as `toJson` would (no bigint, bytes, NaN). */
function plain(value: StructuredValue, depth = 0): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'bigint':
      return false;
    default:
      break;
  }
  if (value instanceof Uint8Array || depth > 64) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (!plain(v, depth + 1)) return false;
    return true;
  }
  for (const k in value) {
    const v = value[k];
    if (v !== undefined && !plain(v, depth + 1)) return false;
  }
  return true;
}

/**
 * JSON text of a structured value: bigint as a JSON number, bytes as base64 (like Go).
 * Throws `TooDeep` for a value nested deeper than `MAX_NESTING`.
 */
export function toJson(value: StructuredValue): string {
  // The native serializer is several times faster; most values are plain JSON (and `plain`
  // gives up beyond 64 levels, so JSON.stringify never meets a deep value).
  if (plain(value)) return JSON.stringify(value);
  return slowJson(value, 1);
}

function slowJson(value: StructuredValue, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (depth > MAX_NESTING) throw new TooDeep();
  if (Array.isArray(value)) return `[${value.map((v) => slowJson(v, depth + 1)).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) parts.push(`${JSON.stringify(k)}:${slowJson(v, depth + 1)}`);
  }
  return `{${parts.join(',')}}`;
}

function quoteArrayElement(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * A Postgres array literal (`{"a","b",NULL}`), nested arrays as multi-dimensional arrays.
 * `scale`: the declared scale of numeric elements (see `toText`).
 */
export function arrayLiteral(
  values: readonly StructuredValue[],
  element: ColumnKind,
  scale?: number,
  depth = 1,
): string {
  if (depth > MAX_NESTING) throw new TooDeep();
  const parts = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v) && element !== 'json') return arrayLiteral(v, element, scale, depth + 1);
    const text = toText(v, element, 'other', scale);
    return text === null ? 'NULL' : quoteArrayElement(text);
  });
  return `{${parts.join(',')}}`;
}

/**
 * The text form of a value for a column of the given kind (`null` stays SQL NULL).
 * For json columns a string is taken as JSON text when it parses (sources commonly emit json
 * columns as text), otherwise it is stored as a JSON string. Besides Postgres' own text forms,
 * the forms other sources (Conduit's) write are accepted where Postgres would refuse them: see
 * `foreignString` and the object forms of `pgx-forms.ts`. `scale`: a numeric column's declared
 * scale (`numeric(p,s)`), which fractions without an exact decimal are rounded to.
 */
export function toText(
  value: StructuredValue | undefined,
  kind: ColumnKind,
  element: ColumnKind,
  scale?: number,
): string | null {
  if (value === null || value === undefined) return null;
  if (kind === 'json') {
    if (typeof value === 'string') {
      if (!isJsonText(value)) return base64Json(value) ?? JSON.stringify(value);
      // JSON text goes to the server as is; its parser is recursive too (a too-deep value
      // fails there with a stack-depth error): the same limit, checked here.
      if (value.length > MAX_NESTING && jsonTextDepth(value) > MAX_NESTING) throw new TooDeep();
      return value;
    }
    return toJson(value);
  }
  switch (typeof value) {
    case 'string':
      return kind === 'other' ? value : foreignString(value, kind, scale);
    case 'number':
      return Number.isFinite(value)
        ? String(value)
        : value > 0
          ? 'Infinity'
          : value < 0
            ? '-Infinity'
            : 'NaN';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      break;
  }
  if (value instanceof Uint8Array) return byteaHex(value);
  if (Array.isArray(value) && kind === 'array') return arrayLiteral(value, element, scale);
  const struct =
    kind === 'time' ? pgxTime(value) : kind === 'interval' ? pgxInterval(value) : undefined;
  if (struct !== undefined) return struct;
  // Objects (and arrays) into non-json columns: their JSON text (e.g. for text columns).
  return toJson(value);
}

/**
 * A string for a column whose type Postgres would refuse it for (or misread), in the form
 * another source writes (Conduit's Postgres source): a fraction (`"3/2"`, Go's `big.Rat`) into
 * `numeric` becomes its decimal, exactly; `""` (Conduit's NULL `uuid`) into `uuid` is NULL;
 * base64 into `bytea` is the bytes it encodes (OpenCDC JSON writes bytes as base64, so bytes
 * from any source that crossed JSON arrive so). Any other string is passed on: Postgres parses
 * it (RFC 3339 `…T00:00:00Z` into `date` is the date, into `timestamp` the wall time as written,
 * the zone ignored, whatever the session time zone; `\x…` into `bytea` is hex).
 */
function foreignString(value: string, kind: ColumnKind, scale: number | undefined): string | null {
  if (kind === 'numeric') return isFraction(value) ? fractionToDecimal(value, scale) : value;
  if (kind === 'uuid' && value === '') return null;
  if (kind === 'bytea' && value.length > 0 && isStandardBase64(value)) {
    return byteaHex(Buffer.from(value, 'base64'));
  }
  return value;
}

/**
 * The JSON text held base64-encoded in a string, when it is an object or array: Conduit's
 * Postgres source keeps `json`/`jsonb` values as bytes, which its JSON encoding writes as
 * base64. Anything else (a string that is not base64, or whose bytes are not UTF-8 JSON text of
 * an object or array) is undefined: it stays a JSON string, as before.
 */
export function base64Json(s: string): string | undefined {
  if (s.length < 4 || !isStandardBase64(s)) return undefined;
  let text: string;
  try {
    text = decoder.decode(Buffer.from(s, 'base64'));
  } catch {
    return undefined;
  }
  const first = text.trimStart()[0];
  if ((first !== '{' && first !== '[') || !isJsonText(text)) return undefined;
  if (text.length > MAX_NESTING && jsonTextDepth(text) > MAX_NESTING) throw new TooDeep();
  return text;
}

/** The deepest `[`/`{` nesting of JSON text (brackets inside strings do not count). */
export function jsonTextDepth(s: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * Whether a string written to a json column is read as something other than a JSON string (as
 * JSON text, or as base64 of JSON text): a source that means the JSON string sends its JSON
 * text (`"\"1.0\""`) instead.
 */
export function readsAsJson(s: string): boolean {
  if (isJsonText(s)) return true;
  try {
    return base64Json(s) !== undefined;
  } catch {
    return true; // base64 of JSON nested too deep: read as JSON (and refused as such)
  }
}

function isJsonText(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** The Postgres type `autoCreate` / `autoEvolve` give a column, from a sample value. */
export function inferType(value: StructuredValue | undefined): string {
  if (value === null || value === undefined) return 'text';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'bigint' : 'double precision';
    case 'bigint':
      return 'numeric';
    case 'string':
      return 'text';
    default:
      break;
  }
  if (value instanceof Uint8Array) return 'bytea';
  return 'jsonb';
}
