/**
 * `debezium/json`: the record as a Kafka Connect envelope holding a Debezium change event, as
 * Conduit's connector SDK writes it (`schema` reflected from the values, `payload` with
 * before/after/source/op/ts_ms/transaction), so Kafka Connect sinks and Debezium consumers read
 * what a Conduit pipeline would have written.
 */
import {
  type Data,
  isRawData,
  METADATA_READ_AT,
  type OpenCDCRecord,
  type Operation,
  type StructuredData,
  type StructuredValue,
} from '@opencdc-ts/commons';
import { inOrder } from './go-json.js';

export interface DebeziumOptions {
  /** `debezium.schema.name`: the envelope schema's name (none by default). */
  readonly schemaName?: string | undefined;
  /** `debezium.rawData.key`: field that holds raw data that is not a JSON object. */
  readonly rawDataKey: string;
}

export const DEBEZIUM_RAW_DATA_KEY = 'opencdc.rawData';

/** A Kafka Connect JSON schema; key order is the order Go marshals its struct fields in. */
interface ConnectSchema {
  type: string;
  optional?: boolean;
  name?: string;
  items?: ConnectSchema;
  fields?: ConnectSchema[];
  field?: string;
}

const OPS: { readonly [op in Operation]: string } = {
  create: 'c',
  update: 'u',
  delete: 'd',
  snapshot: 'r',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Builds the envelope for one record (an object ready for `JSON.stringify`-like encoding). */
export function debeziumEnvelope(r: OpenCDCRecord, o: DebeziumOptions): unknown {
  const before = structured(r.payload.before, o.rawDataKey);
  const after = structured(r.payload.after, o.rawDataKey);
  const source: { [k: string]: string } = {};
  for (const k of [...r.metadata.keys()].sort()) source[k] = r.metadata.get(k)!;
  const readAt = r.metadata.get(METADATA_READ_AT);
  // Go: the error is ignored, a missing or bad readAt gives 0, which omitempty leaves out.
  const tsMs = readAt && /^\d+$/.test(readAt) ? Number(BigInt(readAt) / 1_000_000n) : 0;
  const schema: ConnectSchema = inOrder({
    type: 'struct',
    ...(o.schemaName ? { name: o.schemaName } : {}),
    fields: [
      sideSchema('before', before ?? after),
      sideSchema('after', after ?? before),
      { ...mapSchema(source), field: 'source' },
      { type: 'string', field: 'op' },
      { type: 'int64', optional: true, field: 'ts_ms' },
      {
        type: 'struct',
        optional: true,
        fields: [
          { type: 'string', field: 'id' },
          { type: 'int64', field: 'total_order' },
          { type: 'int64', field: 'data_collection_order' },
        ].map(inOrder),
        field: 'transaction',
      },
    ].map(inOrder),
  });
  const payload: { [k: string]: unknown } = inOrder({
    before,
    after,
    source,
    op: OPS[r.operation] ?? '',
  });
  if (tsMs !== 0) payload.ts_ms = tsMs;
  payload.transaction = null;
  return inOrder({ schema, payload });
}

/** Structured data as is; raw bytes parsed as a JSON object, else hoisted under `rawDataKey`. */
function structured(d: Data | null, rawDataKey: string): StructuredData | null {
  if (d === null) return null;
  if (!isRawData(d)) return d;
  if (d.length === 0) return null;
  try {
    const parsed: unknown = JSON.parse(utf8.decode(d));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as StructuredData;
  } catch {
    // Not JSON: raw data it stays.
  }
  return { [rawDataKey]: d };
}

function sideSchema(field: 'before' | 'after', d: StructuredData | null): ConnectSchema {
  const s = d === null ? { type: 'struct' } : mapSchema(d);
  return inOrder({ ...s, optional: true, field });
}

/** A map with string keys is a struct (Go sorts nothing here; we sort for stable bytes). */
function mapSchema(m: { readonly [k: string]: StructuredValue | string }): ConnectSchema {
  const fields = Object.keys(m)
    .sort()
    .map((k) =>
      inOrder({ ...(valueSchema(m[k]!) ?? { type: 'string', optional: true }), field: k }),
    );
  return inOrder({ type: 'struct', optional: true, ...(fields.length > 0 ? { fields } : {}) });
}

/** The Kafka Connect schema of one value; `undefined` for null (Go: nothing to reflect). */
function valueSchema(v: StructuredValue): ConnectSchema | undefined {
  const s = reflect(v);
  return s && inOrder(s);
}

function reflect(v: StructuredValue): ConnectSchema | undefined {
  if (v === null) return undefined;
  if (typeof v === 'boolean') return { type: 'boolean' };
  if (typeof v === 'bigint') return { type: 'int64' };
  // Go keeps ints and floats apart; a JavaScript number is an int64 when it is whole.
  if (typeof v === 'number') return { type: Number.isInteger(v) ? 'int64' : 'double' };
  if (typeof v === 'string') return { type: 'string' };
  if (v instanceof Uint8Array) return { type: 'bytes', optional: true };
  if (Array.isArray(v)) {
    const items =
      (v.length > 0 ? valueSchema(v[0]!) : undefined) ??
      inOrder({ type: 'string', optional: true });
    return inOrder({ type: 'array', optional: true, items });
  }
  return mapSchema(v);
}
