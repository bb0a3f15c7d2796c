/**
 * Values as Conduit's Postgres source writes them for types its driver (pgx v5) decodes into Go
 * structs without a JSON form of their own: Go serializes the struct's fields. They reach the
 * destination as objects and become the Postgres text of the value:
 * - `time`: `pgtype.Time` → `{"Microseconds":14706789000,"Valid":true}` (microseconds since
 *   midnight);
 * - `interval`: `pgtype.Interval` → `{"Microseconds":18000000,"Days":0,"Months":0,"Valid":true}`.
 * A SQL NULL is `null` there (the struct is only written when valid).
 */
import type { StructuredValue } from '@opencdc-ts/commons';

type Fields = { [field: string]: StructuredValue };

function integer(v: StructuredValue | undefined): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}

function isStruct(value: StructuredValue, fields: readonly string[]): value is Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (value instanceof Uint8Array) return false;
  const keys = Object.keys(value);
  return (
    keys.length === fields.length && fields.every((f) => keys.includes(f)) && value.Valid === true
  );
}

const TIME_FIELDS = ['Microseconds', 'Valid'] as const;
const INTERVAL_FIELDS = ['Microseconds', 'Days', 'Months', 'Valid'] as const;

/** `hh:mm:ss.ffffff` of a pgx `Time` object (24:00:00 included), else undefined. */
export function pgxTime(value: StructuredValue): string | undefined {
  if (!isStruct(value, TIME_FIELDS)) return undefined;
  const us = integer(value.Microseconds);
  if (us === undefined || us < 0n || us > 86_400_000_000n) return undefined;
  const two = (n: bigint) => n.toString().padStart(2, '0');
  const frac = (us % 1_000_000n).toString().padStart(6, '0');
  const secs = us / 1_000_000n;
  return `${two(secs / 3600n)}:${two((secs / 60n) % 60n)}:${two(secs % 60n)}.${frac}`;
}

/** Postgres interval text of a pgx `Interval` object, else undefined. */
export function pgxInterval(value: StructuredValue): string | undefined {
  if (!isStruct(value, INTERVAL_FIELDS)) return undefined;
  const months = integer(value.Months);
  const days = integer(value.Days);
  const us = integer(value.Microseconds);
  if (months === undefined || days === undefined || us === undefined) return undefined;
  return `${months} months ${days} days ${us} microseconds`;
}
