import {
  createRecord,
  isStructuredData,
  METADATA_COLLECTION,
  type OpenCDCRecord,
} from '@opencdc-ts/commons';
import { expect } from 'vitest';
import type { AcceptanceContext } from './options.js';

export function defaultRecord(
  _ctx: AcceptanceContext,
  collection: string,
  i: number,
): OpenCDCRecord {
  return createRecord({
    position: new TextEncoder().encode(`${collection}:${i}`),
    metadata: { [METADATA_COLLECTION]: collection },
    key: { id: i },
    after: { id: i, name: `name-${i}` },
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Makes data from different systems comparable: raw JSON → object, safe bigint → number. */
export function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) {
    try {
      const text = utf8.decode(v);
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null ? normalize(parsed) : text;
    } catch {
      return Buffer.from(v).toString('base64');
    }
  }
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object') {
    const out: { [k: string]: unknown } = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalize(x);
    return out;
  }
  return v;
}

export function defaultCompare(expected: OpenCDCRecord, actual: OpenCDCRecord): void {
  const where = `record ${describe(expected)}`;
  expect(normalize(actual.payload.after), `${where}: payload.after`).toEqual(
    normalize(expected.payload.after),
  );
  if (expected.key !== null)
    expect(normalize(actual.key), `${where}: key`).toEqual(normalize(expected.key));
  const collection = expected.metadata.get(METADATA_COLLECTION);
  if (collection)
    expect(actual.metadata.get(METADATA_COLLECTION), `${where}: opencdc.collection`).toBe(
      collection,
    );
}

/** A short description of a record for assertion messages. */
export function describe(r: OpenCDCRecord): string {
  const data = isStructuredData(r.key) ? r.key : normalize(r.key);
  return `${r.metadata.get(METADATA_COLLECTION) ?? '?'}/${JSON.stringify(data)}`;
}
