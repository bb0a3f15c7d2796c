import { MetadataKeys } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import type { TableInfo } from './catalog.js';
import {
  beginTxn,
  changeRecord,
  keyIndexes,
  type RelationMessage,
  relationOf,
  TOAST_UNCHANGED_KEY,
  TRUNCATE_KEY,
  truncateRecord,
} from './decode.js';
import { type RelationColumn, UNCHANGED_TOAST } from './pgoutput.js';
import { cdcPosition, decodePosition } from './position.js';
import { TypeRegistry } from './values.js';

const INT4 = 23;
const TEXT = 25;
const JSONB = 3802;

const col = (name: string, typeOid: number, isKey = false): RelationColumn => ({
  name,
  typeOid,
  typeMod: -1,
  isKey,
});

const relMsg = (columns: RelationColumn[], replicaIdentity = 'd'): RelationMessage => ({
  tag: 'relation',
  relationId: 1,
  schema: 'public',
  name: 'users',
  replicaIdentity,
  columns,
});

const info = (primaryKey: string[], replicaIdentity = 'd'): TableInfo => ({
  schema: 'public',
  name: 'users',
  oid: 1,
  collection: 'users',
  columns: [],
  primaryKey,
  replicaIdentity,
  partitioned: false,
});

const types = new TypeRegistry();
const decoder = (oid: number) => types.decoder(oid);
const columns = [col('id', INT4, true), col('name', TEXT), col('doc', JSONB)];
const rel = relationOf(relMsg(columns), 'users', info(['id']), decoder);

// 2000-01-01 + 1 s, in Postgres microseconds; final LSN 0/16B3748.
const txn = () => beginTxn({ tag: 'begin', finalLsn: 0x16b3748n, commitTime: 1_000_000n, xid: 42 });

describe('decode: pgoutput changes to records', () => {
  it('begin: position prefix and createdAt (unix nanoseconds)', () => {
    const t = txn();
    expect(t.lsnText).toBe('0/16B3748');
    expect(t.createdAt).toBe(`${(946_684_800_000_000n + 1_000_000n) * 1000n}`);
    expect(t.index).toBe(0);
  });

  it('insert → create with key, typed values, collection and createdAt; no readAt', () => {
    const r = changeRecord(rel, txn(), 3, {
      tag: 'insert',
      relationId: 1,
      after: ['7', 'ann', '{"a":1}'],
      size: 20,
    });
    expect(r.operation).toBe('create');
    expect(r.key).toEqual({ id: 7 });
    expect(r.payload.after).toEqual({ id: 7, name: 'ann', doc: { a: 1 } });
    expect(r.payload.before).toBeNull();
    expect(r.metadata.get(MetadataKeys.collection)).toBe('users');
    expect(r.metadata.get(MetadataKeys.createdAt)).toBe('946684801000000000');
    expect(r.metadata.get(MetadataKeys.readAt)).toBeUndefined();
    expect(r.position).toEqual(cdcPosition('0/16B3748', 3));
    expect(decodePosition(r.position)).toEqual({ kind: 'cdc', lsn: '0/16B3748', i: 3 });
  });

  it('update with a changed key: before holds only the old key columns', () => {
    const r = changeRecord(rel, txn(), 0, {
      tag: 'update',
      relationId: 1,
      before: ['7', null, null],
      beforeKind: 'key',
      after: ['8', 'ann', null],
      size: 20,
    });
    expect(r.operation).toBe('update');
    expect(r.key).toEqual({ id: 8 });
    expect(r.payload.before).toEqual({ id: 7 });
    expect(r.payload.after).toEqual({ id: 8, name: 'ann', doc: null });
  });

  it('unchanged TOAST: taken from a full before image, else listed and left out', () => {
    const full = changeRecord(rel, txn(), 0, {
      tag: 'update',
      relationId: 1,
      before: ['7', 'ann', '{"big":true}'],
      beforeKind: 'full',
      after: ['7', 'bob', UNCHANGED_TOAST],
      size: 20,
    });
    expect(full.payload.after).toEqual({ id: 7, name: 'bob', doc: { big: true } });
    expect(full.metadata.get(TOAST_UNCHANGED_KEY)).toBeUndefined();

    const partial = changeRecord(rel, txn(), 0, {
      tag: 'update',
      relationId: 1,
      before: null,
      beforeKind: null,
      after: ['7', 'bob', UNCHANGED_TOAST],
      size: 20,
    });
    expect(partial.payload.before).toBeNull();
    expect(partial.payload.after).toEqual({ id: 7, name: 'bob' });
    expect(partial.metadata.get(TOAST_UNCHANGED_KEY)).toBe('["doc"]');
  });

  it('delete → key and old key columns', () => {
    const r = changeRecord(rel, txn(), 1, {
      tag: 'delete',
      relationId: 1,
      before: ['7', null, null],
      beforeKind: 'key',
      size: 10,
    });
    expect(r.operation).toBe('delete');
    expect(r.key).toEqual({ id: 7 });
    expect(r.payload.before).toEqual({ id: 7 });
    expect(r.payload.after).toBeNull();
  });

  it('key-less REPLICA IDENTITY FULL table: key null, whole old row in before', () => {
    const fullCols = columns.map((c) => ({ ...c, isKey: true }));
    const keyless = relationOf(relMsg(fullCols, 'f'), 'users', info([], 'f'), decoder);
    expect(keyless.keyIdx).toEqual([]);
    const r = changeRecord(keyless, txn(), 0, {
      tag: 'delete',
      relationId: 1,
      before: ['7', 'ann', null],
      beforeKind: 'full',
      size: 10,
    });
    expect(r.key).toBeNull();
    expect(r.payload.before).toEqual({ id: 7, name: 'ann', doc: null });
  });

  it('truncate → delete without key or payload, option bits as metadata', () => {
    const r = truncateRecord(rel, txn(), 2, 3);
    expect(r.operation).toBe('delete');
    expect(r.key).toBeNull();
    expect(r.payload.before).toBeNull();
    expect(r.metadata.get(TRUNCATE_KEY)).toBe('true');
    expect(r.metadata.get(`${TRUNCATE_KEY}.cascade`)).toBe('true');
    expect(r.metadata.get(`${TRUNCATE_KEY}.restartIdentity`)).toBe('true');
    expect(decodePosition(r.position)).toEqual({ kind: 'cdc', lsn: '0/16B3748', i: 2 });
  });

  it('keyIndexes: primary key, else replica identity index columns, none for key-less FULL', () => {
    const cs = [col('a', INT4, true), col('b', INT4, true), col('c', TEXT)];
    expect(keyIndexes(info(['b']), cs, 'd')).toEqual([1]);
    expect(keyIndexes(info([], 'i'), cs, 'i')).toEqual([0, 1]);
    expect(keyIndexes(info([], 'f'), cs, 'f')).toEqual([]);
    expect(keyIndexes(undefined, cs, 'd')).toEqual([0, 1]);
  });
});
