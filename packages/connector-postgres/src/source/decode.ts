/**
 * pgoutput messages → OpenCDC records. Pure: no connection, no clock, no state beyond what is
 * passed in (the relation as the stream announced it, the open transaction), so every record
 * shape is unit-tested without a server (`decode.test.ts`).
 */
import {
  createRecord,
  deleteRecord,
  Metadata,
  MetadataKeys,
  type OpenCDCRecord,
  type StructuredData,
  updateRecord,
} from '@opencdc-ts/commons';
import type { TableInfo } from './catalog.js';
import { formatLsn } from './lsn.js';
import {
  type PgOutputMessage,
  type RelationColumn,
  type TupleValue,
  UNCHANGED_TOAST,
} from './pgoutput.js';
import { cdcPositionAt, cdcPositionPrefix } from './position.js';
import { PG_EPOCH_MICROS } from './replication.js';

/** Metadata key listing (JSON array) the columns whose unchanged TOAST value was not sent. */
export const TOAST_UNCHANGED_KEY = 'postgres.toast.unchanged';

/** Metadata key set to `true` on the `delete` record that stands for a `TRUNCATE` of its table. */
export const TRUNCATE_KEY = 'postgres.truncate';

export type BeginMessage = Extract<PgOutputMessage, { tag: 'begin' }>;
export type RelationMessage = Extract<PgOutputMessage, { tag: 'relation' }>;
export type ChangeMessage = Extract<PgOutputMessage, { tag: 'insert' | 'update' | 'delete' }>;

/** Decoding state of one relation seen in the stream. */
export interface Relation {
  collection: string;
  selected: boolean;
  columns: RelationColumn[];
  decoders: ((t: string) => unknown)[];
  /** Column indexes forming the record key (primary key; else the replica identity). */
  keyIdx: number[];
  /** The relation's replica identity as the stream announced it (`f` = full). */
  ident: string;
  /** Oid of the selected partitioned table this relation is a partition of (read as it). */
  partitionOf?: number;
}

/** The transaction being decoded: its records share the position prefix and `createdAt`. */
export interface Txn {
  xid: number;
  finalLsn: bigint;
  lsnText: string;
  posPrefix: Uint8Array;
  createdAt: string;
  /** Index of the next change (every change and truncated relation takes one). */
  index: number;
}

export function beginTxn(msg: BeginMessage): Txn {
  const lsnText = formatLsn(msg.finalLsn);
  return {
    xid: msg.xid,
    finalLsn: msg.finalLsn,
    lsnText,
    posPrefix: cdcPositionPrefix(lsnText),
    createdAt: `${(msg.commitTime + PG_EPOCH_MICROS) * 1000n}`,
    index: 0,
  };
}

/**
 * The decoding state of a relation message. `info`: the selected table it belongs to (itself,
 * or the partitioned table it is a partition of: `partitionOf`), none when not selected.
 */
export function relationOf(
  msg: RelationMessage,
  collection: string,
  info: TableInfo | undefined,
  decoder: (typeOid: number) => (t: string) => unknown,
  partitionOf?: number,
): Relation {
  return {
    collection,
    selected: info !== undefined,
    columns: msg.columns,
    decoders: msg.columns.map((c) => decoder(c.typeOid)),
    keyIdx: keyIndexes(info, msg.columns, msg.replicaIdentity),
    ident: msg.replicaIdentity,
    ...(partitionOf !== undefined ? { partitionOf } : {}),
  };
}

/**
 * The record key of a relation: its primary key; none for a key-less `REPLICA IDENTITY FULL`
 * table (the stream flags every column as identity, which would make the whole row the key; the
 * contract is `key: null` and the whole old row in `payload.before`); else the replica identity
 * index columns.
 */
export function keyIndexes(
  info: TableInfo | undefined,
  columns: readonly RelationColumn[],
  ident: string,
): number[] {
  const names =
    info && info.primaryKey.length > 0
      ? info.primaryKey
      : info && (info.replicaIdentity === 'f' || ident === 'f')
        ? []
        : columns.filter((c) => c.isKey).map((c) => c.name);
  return names.map((k) => columns.findIndex((c) => c.name === k)).filter((i) => i >= 0);
}

function metadataOf(rel: Relation, txn: Txn): Metadata {
  const md = new Metadata();
  md.set(MetadataKeys.collection, rel.collection);
  md.set(MetadataKeys.createdAt, txn.createdAt);
  return md;
}

/** The record of an insert, update or delete, change `i` of `txn`. */
export function changeRecord(
  rel: Relation,
  txn: Txn,
  i: number,
  msg: ChangeMessage,
): OpenCDCRecord {
  const md = metadataOf(rel, txn);
  const position = cdcPositionAt(txn.posPrefix, i);
  if (msg.tag === 'insert') {
    const after = decodeRow(rel, msg.after, null, undefined);
    return createRecord({ position, metadata: md, key: decodeKey(rel, msg.after), after });
  }
  if (msg.tag === 'update') {
    const before = msg.before
      ? decodeRow(rel, msg.before, null, undefined, msg.beforeKind === 'key')
      : null;
    const toast: string[] = [];
    const after = decodeRow(rel, msg.after, msg.beforeKind === 'full' ? before : null, toast);
    if (toast.length > 0) md.set(TOAST_UNCHANGED_KEY, JSON.stringify(toast));
    return updateRecord({ position, metadata: md, key: decodeKey(rel, msg.after), before, after });
  }
  const before = decodeRow(rel, msg.before, null, undefined, msg.beforeKind === 'key');
  return deleteRecord({ position, metadata: md, key: decodeKey(rel, msg.before), before });
}

/**
 * The record of a `TRUNCATE` of one selected table, change `i` of `txn`: a `delete` without key
 * or payload, metadata `postgres.truncate` = `true` (and `.cascade`, `.restartIdentity` from the
 * message's option bits).
 */
export function truncateRecord(rel: Relation, txn: Txn, i: number, options: number): OpenCDCRecord {
  const md = metadataOf(rel, txn);
  md.set(TRUNCATE_KEY, 'true');
  // pgoutput option bits: 1 = CASCADE, 2 = RESTART IDENTITY.
  if (options & 1) md.set(`${TRUNCATE_KEY}.cascade`, 'true');
  if (options & 2) md.set(`${TRUNCATE_KEY}.restartIdentity`, 'true');
  return deleteRecord({ position: cdcPositionAt(txn.posPrefix, i), metadata: md, key: null });
}

/**
 * Decodes a tuple. Unchanged TOAST values are taken from the full before image when there is
 * one, else left out and listed in `toast` (never turned into null). `keyOnly` keeps only the
 * replica identity columns (an old-key tuple sends nulls for the others).
 */
function decodeRow(
  rel: Relation,
  tuple: TupleValue[],
  fullBefore: StructuredData | null,
  toast: string[] | undefined,
  keyOnly = false,
): StructuredData {
  const out: StructuredData = {};
  const n = Math.min(tuple.length, rel.columns.length);
  for (let i = 0; i < n; i++) {
    const col = rel.columns[i]!;
    if (keyOnly && !col.isKey) continue;
    const v = tuple[i];
    if (v === UNCHANGED_TOAST) {
      if (fullBefore && col.name in fullBefore) out[col.name] = fullBefore[col.name]!;
      else toast?.push(col.name);
    } else out[col.name] = v == null ? null : (rel.decoders[i]!(v) as StructuredData[string]);
  }
  return out;
}

function decodeKey(rel: Relation, tuple: TupleValue[]): StructuredData | null {
  if (rel.keyIdx.length === 0) return null;
  const out: StructuredData = {};
  for (const i of rel.keyIdx) {
    const v = tuple[i];
    out[rel.columns[i]!.name] =
      v == null || v === UNCHANGED_TOAST ? null : (rel.decoders[i]!(v) as StructuredData[string]);
  }
  return out;
}
