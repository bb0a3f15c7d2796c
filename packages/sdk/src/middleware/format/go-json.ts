/**
 * JSON as Go's `encoding/json` writes the debezium envelope: map keys sorted, struct fields in
 * declaration order (objects marked with `inOrder`), `<`, `>`, `&`, U+2028/2029 escaped, bytes
 * as base64, `bigint` as an integer.
 */
const IN_ORDER = Symbol('inOrder');

/** Marks an object whose keys are written in insertion order (a Go struct), not sorted. */
export function inOrder<T extends object>(o: T): T {
  Object.defineProperty(o, IN_ORDER, { value: true });
  return o;
}

const HTML = /[<>&\u2028\u2029]/g;
const escapeHtml = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

function str(s: string): string {
  return JSON.stringify(s).replace(HTML, escapeHtml);
}

/** Go's byte order of keys; equal to UTF-16 order below U+D800, which is nearly always. */
function byBytes(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

export function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return str(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new RangeError(`${v} cannot be written as JSON`);
      return Object.is(v, -0) ? '-0' : String(v);
    case 'object':
      break;
    default:
      throw new TypeError(`cannot write a ${typeof v} as JSON`);
  }
  if (v instanceof Uint8Array) return `"${Buffer.from(v).toString('base64')}"`;
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  const o = v as { [k: string]: unknown };
  const keys = Object.keys(o);
  if (!(IN_ORDER in o)) keys.sort(byBytes);
  return `{${keys.map((k) => `${str(k)}:${goJSON(o[k])}`).join(',')}}`;
}
