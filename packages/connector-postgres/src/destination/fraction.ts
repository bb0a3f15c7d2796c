/**
 * Exact fractions (`"3/2"`, `"-12345678901/1000000"`) as decimal text for `numeric` columns.
 * Conduit's Postgres source writes `numeric` values as Go `big.Rat` text, which Postgres does not
 * parse; the conversion is BigInt arithmetic throughout (never a JS number), so it is exact.
 */
import { RecordProblem } from '../errors.js';

const FRACTION = /^(-?)(\d+)\/(\d+)$/;

/** Whether a string is a fraction `p/q` (cheap test for the write path). */
export function isFraction(s: string): boolean {
  return s.includes('/') && FRACTION.test(s);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The decimal text of `digits · 10^-scale` (scale ≥ 0), sign apart. */
function withPoint(digits: bigint, scale: number): string {
  if (scale === 0) return digits.toString();
  const s = digits.toString().padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
}

/**
 * The decimal text of the fraction `text` (`p/q`, optional leading `-`).
 * - When `q` (reduced) has no prime factor but 2 and 5 the decimal is exact and finite
 *   (`3/2` → `1.5`): always the case for Conduit, whose fractions come from `numeric` values.
 * - Otherwise (`1/3`) no finite decimal is exact: with the column's declared `scale` the value is
 *   rounded to it, half away from zero, which is what Postgres itself stores for the exact value
 *   in a `numeric(p,s)` column; without a declared scale the record is refused (a
 *   `RecordProblem`): any rounding would be a choice the column does not make.
 */
export function fractionToDecimal(text: string, scale: number | undefined): string {
  const m = FRACTION.exec(text);
  if (!m) throw new RecordProblem(`"${text}" is not a fraction`);
  const negative = m[1] === '-';
  let p = BigInt(m[2]!);
  let q = BigInt(m[3]!);
  if (q === 0n) throw new RecordProblem(`"${text}" divides by zero`);
  const g = gcd(p, q);
  p /= g;
  q /= g;
  // Decimal places needed: the larger power of 2 or 5 in q; a finite decimal only if nothing
  // else is left of q.
  let rest = q;
  let twos = 0;
  let fives = 0;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos++;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  let out: string;
  if (rest === 1n) {
    const places = Math.max(twos, fives);
    out = withPoint((p * 10n ** BigInt(places)) / q, places);
  } else if (scale === undefined) {
    throw new RecordProblem(
      `the fraction "${text}" has no exact decimal form and the numeric column declares no scale to round it to`,
    );
  } else {
    out = rounded(p, q, scale);
  }
  // No sign on a zero (`-0/5`, or `-1/1000` rounded to `0.00`).
  return negative && /[1-9]/.test(out) ? `-${out}` : out;
}

/** `p/q` (both ≥ 0) rounded half away from zero to `scale` decimal places (may be negative). */
function rounded(p: bigint, q: bigint, scale: number): string {
  const num = scale >= 0 ? p * 10n ** BigInt(scale) : p;
  const den = scale >= 0 ? q : q * 10n ** BigInt(-scale);
  let digits = num / den;
  if ((num % den) * 2n >= den) digits++;
  if (scale >= 0) return withPoint(digits, scale);
  return digits === 0n ? '0' : `${digits}${'0'.repeat(-scale)}`;
}
