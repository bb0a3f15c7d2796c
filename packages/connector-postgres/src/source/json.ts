/**
 * `json` / `jsonb` text → record value, with every number kept exactly:
 * - every number survives a JS number (the usual case): the parsed value (`JSON.parse`);
 * - some integers lie beyond ±(2^53 − 1) and every other number survives: the parsed value with
 *   those integers as `bigint` (commons writes them back as JSON integers, digit for digit);
 * - some number does not survive a JS number as written (`1.0`, `12.50`, `1e5`, `-0`, or more
 *   digits than a double holds: `0.1000000000000000055511151231257827`): the JSON text itself,
 *   a string (structured data has no decimal type; rounding it would change the value, as
 *   `1.0` → `1` would change the text). This connector's destination writes that string back
 *   as the JSON text;
 * - a JSON string that reads as JSON text or base64 JSON (`"1.0"`, `"e30="`): its JSON text
 *   (`"\"1.0\""`), for the same reason (a destination takes such a string as JSON text).
 * "Survives" means the destination's rendering of the parsed number (`String(n)`) is the
 * literal, so a record written back holds the same text for each number.
 */
import { MAX_DEPTH, type StructuredValue } from '@opencdc-ts/commons';
import { jsonTextDepth, readsAsJson } from '../destination/values.js';

const EXACT = 0;
const BIGINTS = 1;
const INEXACT = 2;

function isNumberChar(c: number): boolean {
  // digits, `-`, `+`, `.`, `e`, `E`
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || (c | 0x20) === 0x65;
}

/** How one number literal survives parsing. */
function literalFate(lit: string): number {
  if (!/[.eE]/.test(lit)) {
    // Up to 15 digits always fits a double exactly.
    if (lit.length <= 15) return lit === '-0' ? INEXACT : EXACT;
    return Number.isSafeInteger(Number(lit)) ? EXACT : BIGINTS;
  }
  return String(Number(lit)) === lit ? EXACT : INEXACT;
}

/** The index just past the string starting at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length;
    let backslashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return i + 1;
  }
}

/** The worst fate among the numbers of valid JSON text (strings skipped). */
function numbersFate(text: string): number {
  let fate = EXACT;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i);
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const f = literalFate(text.slice(i, j));
      if (f === INEXACT) return INEXACT;
      if (f > fate) fate = f;
      i = j;
    } else i++;
  }
  return fate;
}

/** Whether the parsed value holds a number anywhere (most json values are checked this way). */
function hasNumber(v: unknown, depth: number): boolean {
  if (typeof v === 'number') return true;
  if (typeof v !== 'object' || v === null) return false;
  if (depth > MAX_DEPTH) return true; // not walked further (a recursive walk): the text is scanned
  if (Array.isArray(v)) {
    for (const item of v) if (hasNumber(item, depth + 1)) return true;
    return false;
  }
  const o = v as { [k: string]: unknown };
  for (const k in o) if (hasNumber(o[k], depth + 1)) return true;
  return false;
}

/** A `json`/`jsonb` value (Postgres output: valid JSON text) as an exact record value. */
export function decodeJson(text: string): StructuredValue {
  const parsed = JSON.parse(text) as StructuredValue;
  // A JSON string is a string, unless a destination would read that string as JSON text
  // (`"1.0"`, `"{}"`) or base64 JSON: then its JSON text, so it is written back as a string.
  if (typeof parsed === 'string') return readsAsJson(parsed) ? text : parsed;
  // No number: nothing to lose.
  if (!hasNumber(parsed, 1)) return parsed;
  const fate = numbersFate(text);
  if (fate === EXACT) return parsed;
  // Text deeper than commons' MAX_DEPTH stays text: the reader is recursive, and no encoder
  // takes such a value anyway.
  if (fate === INEXACT || jsonTextDepth(text) > MAX_DEPTH) return text;
  return new BigIntReader(text).value();
}

/**
 * Parses valid JSON text with integers beyond ±(2^53 − 1) as `bigint` (strings through
 * `JSON.parse`, so escapes are read as the standard says). Only called once `JSON.parse`
 * accepted the text, at most MAX_DEPTH levels deep.
 */
class BigIntReader {
  #i = 0;
  constructor(private readonly text: string) {}

  value(): StructuredValue {
    this.#space();
    const c = this.text[this.#i];
    if (c === '{') return this.#object();
    if (c === '[') return this.#array();
    if (c === '"') {
      const end = stringEnd(this.text, this.#i);
      const s = JSON.parse(this.text.slice(this.#i, end)) as string;
      this.#i = end;
      return s;
    }
    if (c === 't' || c === 'n' || c === 'f') {
      const word = c === 'f' ? 'false' : c === 't' ? 'true' : 'null';
      this.#i += word.length;
      return c === 'n' ? null : c === 't';
    }
    let j = this.#i + 1;
    while (j < this.text.length && isNumberChar(this.text.charCodeAt(j))) j++;
    const lit = this.text.slice(this.#i, j);
    this.#i = j;
    return literalFate(lit) === BIGINTS ? BigInt(lit) : Number(lit);
  }

  #space(): void {
    while (/\s/.test(this.text[this.#i] ?? '')) this.#i++;
  }

  #object(): StructuredValue {
    const out: { [field: string]: StructuredValue } = {};
    this.#i++; // '{'
    for (;;) {
      this.#space();
      if (this.text[this.#i] === '}') break;
      const key = this.value() as string;
      this.#space();
      this.#i++; // ':'
      const v = this.value();
      // As JSON.parse: the last of duplicate keys wins; `__proto__` is an own field.
      Object.defineProperty(out, key, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.#space();
      if (this.text[this.#i] === ',') this.#i++;
    }
    this.#i++; // '}'
    return out;
  }

  #array(): StructuredValue {
    const out: StructuredValue[] = [];
    this.#i++; // '['
    for (;;) {
      this.#space();
      if (this.text[this.#i] === ']') break;
      out.push(this.value());
      this.#space();
      if (this.text[this.#i] === ',') this.#i++;
    }
    this.#i++; // ']'
    return out;
  }
}
