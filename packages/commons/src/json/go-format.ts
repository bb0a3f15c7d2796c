/**
 * What both OpenCDC JSON encoders (the exact one and the fast path) share: Go's string
 * escaping, float formatting, key order, dates, positions, and the error that carries a field path.
 */
import { encodeBase64 } from '../base64.js';
import { Metadata } from '../metadata.js';

// JSON.stringify already escapes like goccy/go-json (Go's record encoder) for `"`, `\\`, \n, \r,
// \t and the other control characters (lowercase \u00xx). Go also escapes <, >, & and
// U+2028/U+2029, writes \b and \f as \u0008 and \u000c, and has no lone surrogates (a Go
// string holding one came through UTF-8, where it became U+FFFD, which Go writes unescaped):
// patch those only when present.
// (String#includes is ~8x faster here than one regex over a 1 KB text, measured.)
const needsGoEscape = (json: string): boolean =>
  json.includes('<') ||
  json.includes('>') ||
  json.includes('&') ||
  json.includes('\u2028') ||
  json.includes('\u2029') ||
  json.includes('\\b') ||
  json.includes('\\f') ||
  json.includes('\\ud');
// `\\\\` first so an escaped backslash followed by "b" or "ud800" text is never taken for an escape.
const GO_ESCAPE = /\\\\|\\[bf]|\\ud[89a-f][0-9a-f]{2}|[<>&\u2028\u2029]/g;

function goEscape(match: string): string {
  switch (match) {
    case '\\\\':
      return match;
    case '\\b':
      return '\\u0008';
    case '\\f':
      return '\\u000c';
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
      return '\ufffd'; // a lone surrogate (JSON.stringify escapes only unpaired ones)
  }
}

/** A JSON string literal exactly as Go's record encoder (goccy/go-json) writes it. */
export function encodeGoString(s: string): string {
  const quoted = JSON.stringify(s);
  return needsGoEscape(quoted) ? quoted.replace(GO_ESCAPE, goEscape) : quoted;
}

/**
 * A float64 exactly as Go's record encoder (goccy/go-json) writes it: strconv's shortest
 * round-trip digits, in exponent form below 1e-6 and from 1e21 on, with at least two exponent
 * digits (`1e-07`, `1e+21`). JavaScript's shortest form has the same digits and switches at the
 * same thresholds; only `e-7`..`e-9` (one exponent digit) and negative zero differ.
 */
export function encodeNumber(n: number): string {
  const s = String(n);
  const last = s.length - 1;
  // `…e-7`: a minus sign right before the last digit, itself right after an `e`.
  if (s.charCodeAt(last - 1) === 45 && s.charCodeAt(last - 2) === 101) {
    return `${s.slice(0, last)}0${s[last]}`;
  }
  if (n === 0) return 1 / n < 0 ? '-0' : '0';
  if (!Number.isFinite(n)) throw new PathError(`${n} cannot be written as JSON`);
  return s;
}

// Go's record encoder (goccy/go-json) sorts an object's entries by their *written* keys: the
// quoted, escaped bytes, so `"a!"` comes before `"a"` (the closing quote is 0x22) and `"="`
// before `"\u003c"`. Comparing the quoted strings by UTF-16 code units gives the same order as
// by UTF-8 bytes unless one holds a character at or above U+D800: re-sort by code points then.
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

/** An object's keys in Go's order, each with its quoted form as written. */
export interface KeyOrder {
  readonly keys: string[];
  readonly quoted: string[];
}

// Records have tens of keys per object: an insertion sort beats Array#sort there by ~2x
// (measured). Sorts `keys` and `quoted` together, by `quoted`.
function insertionSort(keys: string[], quoted: string[]): void {
  for (let i = 1; i < quoted.length; i++) {
    const k = keys[i]!;
    const q = quoted[i]!;
    let j = i - 1;
    while (j >= 0 && quoted[j]! > q) {
      keys[j + 1] = keys[j]!;
      quoted[j + 1] = quoted[j]!;
      j--;
    }
    keys[j + 1] = k;
    quoted[j + 1] = q;
  }
}

/** Orders `keys` (sorted in place) as Go writes them. */
export function goKeyOrder(keys: string[]): KeyOrder {
  const quoted = keys.map(encodeGoString);
  if (keys.length <= 1) return { keys, quoted };
  if (keys.length <= 32 && !quoted.some((q) => ASTRAL_OR_HIGH.test(q))) {
    insertionSort(keys, quoted);
    return { keys, quoted };
  }
  const high = quoted.some((q) => ASTRAL_OR_HIGH.test(q));
  const pairs = keys.map((k, i) => ({ k, q: quoted[i]! }));
  pairs.sort(
    high ? (x, y) => compareCodePoints(x.q, y.q) : (x, y) => (x.q < y.q ? -1 : x.q > y.q ? 1 : 0),
  );
  for (let i = 0; i < pairs.length; i++) {
    keys[i] = pairs[i]!.k;
    quoted[i] = pairs[i]!.q;
  }
  return { keys, quoted };
}

/** Thrown inside the value encoder; each level prepends its key so the message names the field. */
export class PathError extends Error {
  readonly segments: string[] = [];
}

// The years Go's time.Time.MarshalJSON accepts, [0, 9999], in unix milliseconds.
const MIN_GO_TIME_MS = -62167219200000; // 0000-01-01T00:00:00Z
const MAX_GO_TIME_MS = 253402300799999; // 9999-12-31T23:59:59.999Z

/**
 * A `Date` as Go writes a `time.Time` in UTC: RFC 3339 with only the fraction digits needed
 * (`2024-01-02T09:00:00Z`, `2024-01-02T09:00:05.1Z`). Go refuses years outside [0, 9999].
 */
export function encodeDate(d: Date): string {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new PathError('an invalid Date cannot be written as JSON');
  if (ms < MIN_GO_TIME_MS || ms > MAX_GO_TIME_MS) {
    throw new PathError(
      `${d.toISOString()} is outside the years [0, 9999] that RFC 3339 (and Go) can write`,
    );
  }
  const iso = d.toISOString(); // always `YYYY-MM-DDTHH:mm:ss.sssZ` within those years
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `"${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z"`;
}

/**
 * A record has no nil/empty distinction for its position, so an empty one is written as Go
 * writes a nil `Position`: `null`. That is what a Go record with no position (its zero value,
 * or any record that crossed protobuf, which never carries empty bytes) encodes to; Go and this
 * decoder read `null` and `""` alike, as an empty position.
 */
export function encodePosition(position: Uint8Array | null | undefined): string {
  return position == null || position.length === 0 ? 'null' : `"${encodeBase64(position)}"`;
}

/**
 * Empty metadata is written as Go writes the record's map: `null` when it is nil (metadata
 * decoded from protobuf without entries, or from JSON `null` or absent: see
 * {@link Metadata.absent}), `{}` when it was made empty.
 */
export function encodeEmptyMetadata(metadata: Map<string, string>): string {
  return metadata instanceof Metadata && metadata.isAbsent() ? 'null' : '{}';
}
