/**
 * Values inside a template: how Go's text/template prints them, compares them and decides
 * truth, over the JavaScript shapes records have (strings, numbers, bigints, bytes, objects).
 */

import { type OpenCDCRecord, toOpenCDCJSON } from '@opencdc-ts/commons';

const utf8 = new TextDecoder();

/** The whole record (`.`) is shown as OpenCDC JSON, as Conduit's record marshals. */
export function isRecord(v: unknown): v is OpenCDCRecord {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as OpenCDCRecord).position instanceof Uint8Array &&
    typeof (v as OpenCDCRecord).payload === 'object'
  );
}

/** The text a value renders as. A missing value renders empty (Go prints `<no value>`). */
export function toText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return utf8.decode(v);
  if (v instanceof Map) return JSON.stringify(Object.fromEntries(v));
  if (isRecord(v)) return toOpenCDCJSON(v);
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Go's `truth`: false, 0, nil and empty strings, lists and maps are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === 0n || v === '') return false;
  if (typeof v === 'number') return !Number.isNaN(v);
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Bytes compare as their UTF-8 text (Conduit's raw data and positions print as text). */
function comparable(v: unknown): unknown {
  return v instanceof Uint8Array ? utf8.decode(v) : v;
}

function isNumeric(v: unknown): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** Go's `eq` for two values: numbers by value (int and float alike), otherwise strict. */
export function equal(a: unknown, b: unknown): boolean {
  const x = comparable(a);
  const y = comparable(b);
  if (isNumeric(x) && isNumeric(y)) return compareNumbers(x, y) === 0;
  if (x === undefined || x === null) return y === undefined || y === null;
  return x === y;
}

function compareNumbers(x: number | bigint, y: number | bigint): number {
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  const a = Number(x);
  const b = Number(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Go's ordering for `lt`/`le`/`gt`/`ge`: numbers with numbers, strings with strings. */
export function compare(a: unknown, b: unknown, fn: string): number {
  const x = comparable(a);
  const y = comparable(b);
  if (isNumeric(x) && isNumeric(y)) return compareNumbers(x, y);
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  throw new TypeError(
    `${fn}: incompatible types for comparison (${typeName(a)} and ${typeName(b)})`,
  );
}

export function typeName(v: unknown): string {
  if (v === undefined || v === null) return 'nil';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map) return 'map';
  return typeof v;
}

/** `index` one level: map/object keys, list positions, string bytes. */
export function indexValue(v: unknown, key: unknown): unknown {
  if (v instanceof Map) return v.get(toText(key));
  if (Array.isArray(v) || v instanceof Uint8Array || typeof v === 'string') {
    const i = Number(key);
    if (!Number.isInteger(i)) throw new TypeError(`index: cannot index a list with ${toText(key)}`);
    if (i < 0 || i >= v.length) throw new RangeError(`index: index out of range: ${i}`);
    return typeof v === 'string' ? v.charCodeAt(i) : v[i];
  }
  if (v !== null && typeof v === 'object') {
    const k = toText(key);
    return Object.hasOwn(v, k) ? (v as { [k: string]: unknown })[k] : undefined;
  }
  if (v === undefined || v === null) return undefined;
  throw new TypeError(`index: cannot index a ${typeName(v)}`);
}

export function lengthOf(v: unknown): number {
  if (typeof v === 'string') return new TextEncoder().encode(v).length;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length;
  if (v instanceof Map) return v.size;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  throw new TypeError(`len: a ${typeName(v)} has no length`);
}

/** A number from a value, as sprig's `int`/`float64` read strings and numbers. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(toText(v).trim());
  return Number.isNaN(n) ? 0 : n;
}

/**
 * Go's `json.Marshal` of a value (sprig's `toJson`, Conduit's `json.encode`): object keys sorted,
 * bytes as base64, integers of any size exact, `<`, `>`, `&` escaped as Go does for HTML.
 */
export function marshalGoJSON(v: unknown): string {
  return marshal(v).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function marshal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'));
  if (Array.isArray(v)) return `[${v.map(marshal).join(',')}]`;
  const o = v instanceof Map ? Object.fromEntries(v) : (v as { [k: string]: unknown });
  const keys = Object.keys(o).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${marshal(o[k])}`).join(',')}}`;
}
