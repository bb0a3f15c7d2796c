/** The exact (reference) OpenCDC JSON encoder: handles every value and names the failing field. */
import { encodeBase64 } from '../base64.js';
import { MAX_DEPTH, pathSegment as segment, shortPath, TOO_DEEP_MESSAGE } from '../depth.js';
import { EncodeError } from '../errors.js';
import type { Change, Data, OpenCDCRecord } from '../record.js';
import {
  encodeDate,
  encodeEmptyMetadata,
  encodeGoString,
  encodeNumber,
  encodePosition,
  goKeyOrder,
  PathError,
} from './go-format.js';

// `depth` is the nesting level of the object or array holding `v` (the data object is 1).
function encodeValue(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return encodeGoString(v);
    case 'number':
      return encodeNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'object':
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return `"${encodeBase64(v)}"`; // Go []byte
      if (v instanceof Date) return encodeDate(v);
      if (depth >= MAX_DEPTH) throw new PathError(TOO_DEEP_MESSAGE);
      if (Array.isArray(v)) return encodeArray(v, depth + 1);
      return encodeObject(v as { [k: string]: unknown }, depth + 1);
    case 'undefined':
      return 'null'; // only reachable in arrays; object fields holding undefined are skipped
    default:
      throw new PathError(`a ${typeof v} is not a structured data value`);
  }
}

function encodeArray(a: unknown[], depth: number): string {
  if (a.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < a.length; i++) {
    try {
      out += i === 0 ? encodeValue(a[i], depth) : `,${encodeValue(a[i], depth)}`;
    } catch (e) {
      if (e instanceof PathError) e.segments.unshift(segment(i));
      throw e;
    }
  }
  return `${out}]`;
}

function encodeObject(o: { [k: string]: unknown }, depth: number): string {
  const { keys, quoted } = goKeyOrder(Object.keys(o));
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const value = o[k];
    if (value === undefined) continue; // like JSON.stringify: an undefined field is absent
    try {
      out += `${first ? '' : ','}${quoted[i]}:${encodeValue(value, depth)}`;
    } catch (e) {
      if (e instanceof PathError) e.segments.unshift(segment(k));
      throw e;
    }
    first = false;
  }
  return `${out}}`;
}

function encodeData(data: Data | null | undefined, path: string): string {
  if (data == null) return 'null';
  if (data instanceof Uint8Array) return `"${encodeBase64(data)}"`;
  try {
    return encodeObject(data, 1);
  } catch (e) {
    if (e instanceof PathError)
      throw new EncodeError(shortPath(path + e.segments.join('')), e.message);
    throw e;
  }
}

function encodeMetadata(metadata: Map<string, string>): string {
  if (metadata.size === 0) return encodeEmptyMetadata(metadata);
  const { keys, quoted } = goKeyOrder([...metadata.keys()]);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = metadata.get(k);
    if (typeof v !== 'string') {
      throw new EncodeError(
        `metadata${segment(k)}`,
        `metadata values are strings, got ${typeof v}`,
      );
    }
    out += `${i === 0 ? '' : ','}${quoted[i]}:${encodeGoString(v)}`;
  }
  return `${out}}`;
}

/** The reference encoder: handles every value; exported for the tests that compare the two. */
export function encodeExact(record: OpenCDCRecord): string {
  const { operation } = record;
  const payload: Partial<Change> = record.payload ?? {};
  return `{"position":${encodePosition(record.position)},"operation":"${operation}","metadata":${encodeMetadata(
    record.metadata,
  )},"key":${encodeData(record.key, 'key')},"payload":{"before":${encodeData(
    payload.before,
    'payload.before',
  )},"after":${encodeData(payload.after, 'payload.after')}}}`;
}
