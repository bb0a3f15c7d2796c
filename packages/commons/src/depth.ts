/**
 * The most objects/arrays one structured data value (a key, `payload.before` or
 * `payload.after`) may nest, the data object itself counting as level 1. The codecs are
 * recursive: without a limit, a hostile value 20,000 levels deep overflows the call stack
 * (`RangeError: Maximum call stack size exceeded`), an error that names neither the record nor
 * the field. Deeper values are refused with an `EncodeError`/`DecodeError` (`TOO_DEEP`) naming
 * the field instead. 1000 leaves a wide margin below the stack (V8's default stack fits about
 * 10,000 frames of these codecs) and far above real data; Go's `encoding/json` and protobuf
 * stop at 10,000 on decode.
 */
export const MAX_DEPTH = 1000;

/** The reason given for a value nested deeper than {@link MAX_DEPTH}. */
export const TOO_DEEP_MESSAGE = `nested more than ${MAX_DEPTH} objects/arrays deep (the limit MAX_DEPTH): refused so that no codec overflows the call stack`;

function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !(v instanceof Date);
}

/** `.name`, `["a b"]` or `[3]`: one step of a field path as the error messages write it. */
export function pathSegment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** A path of a thousand steps helps nobody: keep its start (where the nesting begins). */
export function shortPath(path: string): string {
  return path.length <= 120 ? path : `${path.slice(0, 100)}…`;
}

/**
 * Where `value` first nests deeper than `limit` (the path from `value`, e.g. `.a.a[0]`), or
 * `undefined` when it does not. `value` itself is level 1. Recurses at most `limit + 1` levels,
 * so it is safe on any input, cycles included (a cycle is infinitely deep).
 */
export function findTooDeep(value: unknown, limit: number = MAX_DEPTH): string | undefined {
  const steps = walk(value, 1, limit);
  return steps === undefined ? undefined : steps.reverse().join('');
}

function walk(v: unknown, depth: number, limit: number): string[] | undefined {
  if (!isContainer(v)) return undefined;
  if (depth > limit) return [];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = walk(v[i], depth + 1, limit);
      if (found) {
        found.push(pathSegment(i));
        return found;
      }
    }
    return undefined;
  }
  const o = v as { [k: string]: unknown };
  for (const k of Object.keys(o)) {
    const found = walk(o[k], depth + 1, limit);
    if (found) {
      found.push(pathSegment(k));
      return found;
    }
  }
  return undefined;
}

/**
 * A copy of `value` whose objects/arrays below level `limit` are replaced by `marker`; `value`
 * itself when it is not that deep. For showing a refused record (a dead letter, a log line)
 * without overflowing the stack of whatever serializes it next.
 */
export function truncateDepth<T>(value: T, limit: number, marker = '(cut: nested too deep)'): T {
  if (findTooDeep(value, limit) === undefined) return value;
  return cut(value, 1, limit, marker) as T;
}

function cut(v: unknown, depth: number, limit: number, marker: string): unknown {
  if (!isContainer(v)) return v;
  if (depth > limit) return marker;
  if (Array.isArray(v)) return v.map((x) => cut(x, depth + 1, limit, marker));
  if (v instanceof Map) return v; // metadata: flat strings, never deep
  const out: { [k: string]: unknown } = {};
  const o = v as { [k: string]: unknown };
  for (const k of Object.keys(o)) {
    Object.defineProperty(out, k, {
      value: cut(o[k], depth + 1, limit, marker),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
