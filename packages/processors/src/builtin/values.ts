/** Go's views of JavaScript values that Conduit's processors rely on (text forms, times). */

const utf8 = new TextDecoder();

/** Conduit's `toString` of a field value before a conversion (fmt's `%v` for the rest). */
export function toGoString(v: unknown, boolAsNumber = false): string {
  if (v instanceof Uint8Array) return utf8.decode(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return boolAsNumber ? (v ? '1' : '0') : String(v);
  if (v === null || v === undefined) return '<nil>';
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
}

/**
 * A time as Conduit's `field.convert` makes it (Unix nanoseconds, or RFC 3339 text), kept as RFC
 * 3339 text with nanoseconds (what Go's time.Time marshals to; JavaScript dates stop at ms).
 */
export function goTime(text: string): string {
  if (/^[+-]?\d+$/.test(text)) {
    const ns = BigInt(text);
    let s = ns / 1_000_000_000n;
    let frac = ns % 1_000_000_000n;
    if (frac < 0n) {
      frac += 1_000_000_000n;
      s -= 1n;
    }
    const base = new Date(Number(s) * 1000).toISOString().slice(0, 19);
    const f = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
    return `${base}${f}Z`;
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m || Number.isNaN(Date.parse(text)))
    throw new Error(`parsing time ${JSON.stringify(text)} as RFC 3339 or Unix nanoseconds failed`);
  return text;
}
