/**
 * Conduit's documented processor examples (conduit-specs/*.json) as records, and records back in
 * the examples' JSON shape: raw data as text at the top level, bytes nested in structured data as
 * base64 (Go's json.Marshal of []byte), integers beyond 2^53 as bigint.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Data, isOperation, Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import type { ProcessedRecord } from '@opencdc-ts/sdk';

export const SPECS_DIR = fileURLToPath(new URL('../../conduit-specs/', import.meta.url));

export interface ExampleRecord {
  position: string | null;
  operation: string;
  metadata: { [k: string]: string } | null;
  key: unknown;
  payload: { before: unknown; after: unknown };
}

export interface Example {
  summary: string;
  config: { [k: string]: string };
  have: ExampleRecord;
  want: unknown;
}

export interface SpecFile {
  specification: {
    name: string;
    parameters: {
      [k: string]: {
        type: string;
        default: string;
        validations: { type: string; value: string }[] | null;
      };
    };
  };
  examples: Example[] | null;
}

const BIG = '__exact_int__:';

/** JSON.parse keeping integers beyond 2^53 exact (as bigint). */
function parseExact(text: string): unknown {
  const marked = text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, `$1"${BIG}$2"`);
  return JSON.parse(marked, (_, v) =>
    typeof v === 'string' && v.startsWith(BIG) ? exactInt(v.slice(BIG.length)) : v,
  );
}

function exactInt(digits: string): number | bigint {
  const n = BigInt(digits);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(n)
    : n;
}

export function loadSpecs(): SpecFile[] {
  return readdirSync(SPECS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => parseExact(readFileSync(SPECS_DIR + f, 'utf8')) as SpecFile);
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function data(v: unknown): Data | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return enc.encode(v);
  return v as Data;
}

/** Conduit prints an unset operation as "Operation(0)"; such examples use create here. */
const operation = (op: string) => (isOperation(op) ? op : 'create');

export function toRecord(e: ExampleRecord): OpenCDCRecord {
  return {
    position: e.position ? new Uint8Array(Buffer.from(e.position, 'base64')) : new Uint8Array(),
    operation: operation(e.operation),
    metadata: new Metadata(Object.entries(e.metadata ?? {})),
    key: data(e.key),
    payload: { before: data(e.payload.before), after: data(e.payload.after) },
  };
}

function nested(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(nested);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nested(x)]));
  return v;
}

function top(v: unknown): unknown {
  if (v instanceof Uint8Array) return dec.decode(v);
  return v === undefined ? null : nested(v);
}

/** A record in the examples' shape; empty metadata and positions compare as null. */
export function fromRecord(r: OpenCDCRecord): ExampleRecord {
  return {
    position: r.position.length > 0 ? Buffer.from(r.position).toString('base64') : null,
    operation: r.operation,
    metadata: r.metadata.size > 0 ? Object.fromEntries(r.metadata) : null,
    key: top(r.key),
    payload: { before: top(r.payload.before), after: top(r.payload.after) },
  };
}

/** The example's `want` in the same normalized shape. */
export function expected(want: unknown): unknown {
  if (Array.isArray(want)) return want.map((w) => expected(w));
  if (want === null || typeof want !== 'object') return want;
  const w = want as { [k: string]: unknown };
  if ('error' in w) return { error: w.error };
  if (!('payload' in w)) return { filter: true };
  const r = w as unknown as ExampleRecord;
  return {
    position: r.position,
    operation: operation(r.operation),
    metadata: r.metadata && Object.keys(r.metadata).length > 0 ? r.metadata : null,
    key: r.key,
    payload: { before: r.payload.before, after: r.payload.after },
  };
}

/** A processing outcome in the examples' shape. */
export function actual(p: ProcessedRecord): unknown {
  if ('error' in p) return { error: p.error.message };
  if ('filter' in p) return { filter: true };
  if ('records' in p) return p.records.map(fromRecord);
  return fromRecord(p);
}
