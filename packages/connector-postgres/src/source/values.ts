/**
 * Postgres text values -> record values, the same for snapshot rows and pgoutput tuples (both are
 * read in text form), so a row looks identical whichever way it arrived. Lossless by design:
 * int8 beyond 2^53 becomes bigint, numeric stays a string, timestamps keep microseconds.
 */
import type { StructuredValue } from '@opencdc-ts/commons';
import { decodeJson } from './json.js';

/** What we need to know about a type: its category (`pg_type.typcategory`) and array element. */
export interface TypeInfo {
  category: string;
  elemOid: number;
  name: string;
}

const BOOL = 16;
const BYTEA = 17;
const INT8 = 20;
const INT2 = 21;
const INT4 = 23;
const OID = 26;
const JSON_OID = 114;
const FLOAT4 = 700;
const FLOAT8 = 701;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const NUMERIC = 1700;
const JSONB = 3802;

/** Built-in array types: array oid -> element oid (others are looked up in pg_type). */
const BUILTIN_ARRAYS: { [oid: number]: number } = {
  1000: BOOL,
  1001: BYTEA,
  1005: INT2,
  1007: INT4,
  1016: INT8,
  1021: FLOAT4,
  1022: FLOAT8,
  1231: NUMERIC,
  1009: 25,
  1015: 1043,
  1014: 1042,
  2951: 2950,
  1115: TIMESTAMP,
  1185: TIMESTAMPTZ,
  1182: 1082,
  1183: 1083,
  199: JSON_OID,
  3807: JSONB,
  1028: OID,
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function decodeInt8(text: string): number | bigint {
  // Up to 15 digits always fits a double exactly: skip the BigInt allocation.
  if (text.length <= 15) return Number(text);
  const b = BigInt(text);
  return b > MAX_SAFE || b < -MAX_SAFE ? b : Number(b);
}

function decodeBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
  // `escape` output format (bytea_output = escape): octal escapes and doubled backslashes.
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c && text[i + 1] === '\\') {
      out.push(0x5c);
      i++;
    } else if (c === 0x5c) {
      out.push(Number.parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else out.push(c);
  }
  return new Uint8Array(out);
}

/**
 * `2024-01-02 03:04:05.123456+00` (DateStyle ISO, TimeZone UTC on our sessions) ->
 * `2024-01-02T03:04:05.123456Z`. Timestamps without time zone get no `Z`. `infinity` and BC
 * dates stay as Postgres prints them.
 */
function decodeTimestamp(text: string, withZone: boolean): string {
  // Plain string surgery (this runs for every timestamp value): `YYYY-MM-DD hh:mm:ss[.f]`.
  if (text.length < 19 || text[4] !== '-' || text[10] !== ' ' || text.endsWith(' BC')) return text;
  const s = `${text.slice(0, 10)}T${text.slice(11)}`;
  if (!withZone) return s;
  if (s.endsWith('+00')) return `${s.slice(0, -3)}Z`;
  if (s.endsWith('+00:00')) return `${s.slice(0, -6)}Z`;
  return s;
}

/** Parses a Postgres array literal (`{1,2,NULL,"a b"}`, nested for multi-dimensional arrays). */
export function parseArrayLiteral(
  text: string,
  element: (t: string) => StructuredValue,
): StructuredValue[] {
  let i = 0;
  // A leading dimension decoration (`[0:1]={...}`) is skipped.
  if (text[0] === '[') i = text.indexOf('=') + 1;
  const parse = (): StructuredValue[] => {
    const out: StructuredValue[] = [];
    i++; // '{'
    while (i < text.length) {
      const c = text[i];
      if (c === '}') {
        i++;
        return out;
      }
      if (c === ',') {
        i++;
        continue;
      }
      if (c === '{') {
        out.push(parse());
        continue;
      }
      if (c === '"') {
        let s = '';
        i++;
        while (text[i] !== '"') {
          if (text[i] === '\\') i++;
          s += text[i];
          i++;
        }
        i++;
        out.push(element(s));
        continue;
      }
      let j = i;
      while (text[j] !== ',' && text[j] !== '}') j++;
      const raw = text.slice(i, j);
      i = j;
      out.push(raw === 'NULL' ? null : element(raw));
    }
    return out;
  };
  return parse();
}

export class TypeRegistry {
  private readonly infos = new Map<number, TypeInfo>();

  set(oid: number, info: TypeInfo): void {
    this.infos.set(oid, info);
  }

  /** Oids among `oids` that need a catalog lookup before their values can be decoded. */
  missing(oids: Iterable<number>): number[] {
    const out: number[] = [];
    for (const oid of oids) if (!this.infos.has(oid) && !this.isBuiltin(oid)) out.push(oid);
    return out;
  }

  private isBuiltin(oid: number): boolean {
    return oid in BUILTIN_ARRAYS || this.scalar(oid) !== undefined;
  }

  private scalar(oid: number): ((t: string) => StructuredValue) | undefined {
    switch (oid) {
      case BOOL:
        return (t) => t === 't';
      case INT2:
      case INT4:
      case OID:
        return (t) => Number(t);
      case INT8:
        return decodeInt8;
      case FLOAT4:
      case FLOAT8:
        return (t) => Number(t);
      case NUMERIC:
        return (t) => t;
      case JSON_OID:
      case JSONB:
        return decodeJson;
      case BYTEA:
        return decodeBytea;
      case TIMESTAMP:
        return (t) => decodeTimestamp(t, false);
      case TIMESTAMPTZ:
        return (t) => decodeTimestamp(t, true);
      case 25: // text
      case 1043: // varchar
      case 1042: // bpchar
      case 19: // name
      case 2950: // uuid
      case 1082: // date
      case 1083: // time
        return (t) => t;
      default:
        return undefined;
    }
  }

  /** A decoder for values of type `oid` (unknown types, enums and domains of text: strings). */
  decoder(oid: number): (text: string) => StructuredValue {
    const s = this.scalar(oid);
    if (s) return s;
    const elem =
      BUILTIN_ARRAYS[oid] ??
      (this.infos.get(oid)?.category === 'A' ? this.infos.get(oid)?.elemOid : undefined);
    if (elem !== undefined) {
      const e = this.decoder(elem);
      return (t) => parseArrayLiteral(t, e);
    }
    const info = this.infos.get(oid);
    // A domain over a known type is looked up as its base type (stored in elemOid by the loader).
    if (info?.category === 'D' && info.elemOid) return this.decoder(info.elemOid);
    return (t) => t;
  }
}

/** The catalog query that fills a {@link TypeRegistry} for some oids (domains resolve to base). */
export const TYPE_QUERY = `SELECT oid::int AS oid, typname AS name,
  CASE WHEN typtype = 'd' THEN 'D' ELSE typcategory::text END AS category,
  CASE WHEN typtype = 'd' THEN typbasetype::int ELSE typelem::int END AS elem
  FROM pg_type WHERE oid = ANY($1::oid[])`;
