/**
 * What both OpenCDC JSON encoders (the exact one and the fast path) share: Go's string
 * escaping, float formatting, key order, dates, positions, and the error that carries a field path.
 */
import { encodeBase64 } from '../base64.js';

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
export function encodeGoString(s: string): string {
  const quoted = JSON.stringify(s);
  return needsGoEscape(quoted) ? quoted.replace(GO_ESCAPE, goEscape) : quoted;
}

/**
 * A float64 exactly as Go's `encoding/json` writes it. JavaScript's shortest round-trip form
 * switches to exponent notation at the same thresholds as Go (< 1e-6, >= 1e21) and writes the
 * exponent the same way (`1e+21`, `1e-7`); only negative zero differs.
 */
export function encodeNumber(n: number): string {
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

export function sortedKeys(keys: string[]): string[] {
  if (keys.length <= 1) return keys;
  if (keys.length <= 32) insertionSort(keys);
  else keys.sort();
  if (hasHighKey(keys)) keys.sort(compareCodePoints);
  return keys;
}

/** Thrown inside the value encoder; each level prepends its key so the message names the field. */
export class PathError extends Error {
  readonly segments: string[] = [];
}

export function encodeDate(d: Date): string {
  // Go's time.Time marshals as RFC 3339; a JS Date has millisecond precision.
  if (Number.isNaN(d.getTime())) throw new PathError('an invalid Date cannot be written as JSON');
  return `"${d.toISOString()}"`;
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
