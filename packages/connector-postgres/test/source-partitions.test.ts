// Issue 14 (finding 3): a partitioned table is read as its root: snapshot AND changes arrive under
// the root's collection, for partitions attached after the start too, with the managed
// publication (publish_via_partition_root) and with a user-owned one that lacks the option.
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { Source } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import {
  after,
  collection,
  openSource,
  readCount,
  readFor,
  sql,
  useSourceDatabase,
} from './source-helpers.js';

let url: string;
const settings = useSourceDatabase('pgsrc_part', async (u) => {
  url = u;
});

/** A partitioned table `name` (ids 1..2000 in two partitions, 50 rows each) and a plain one. */
async function createTables(name: string): Promise<void> {
  await sql(
    url,
    `CREATE TABLE ${name} (id int PRIMARY KEY, v text) PARTITION BY RANGE (id);
     CREATE TABLE ${name}_p1 PARTITION OF ${name} FOR VALUES FROM (1) TO (1000);
     CREATE TABLE ${name}_p2 PARTITION OF ${name} FOR VALUES FROM (1000) TO (2000);
     INSERT INTO ${name} SELECT g, 'snap' FROM generate_series(1, 50) g;
     INSERT INTO ${name} SELECT g, 'snap' FROM generate_series(1001, 1050) g;`,
  );
}

/** Inserts 100, updates 20, deletes 5 across both partitions, then into a new partition. */
async function changeAndCheck(src: Source, name: string): Promise<void> {
  await sql(
    url,
    `INSERT INTO ${name} SELECT g, 'new' FROM generate_series(51, 100) g;
     INSERT INTO ${name} SELECT g, 'new' FROM generate_series(1051, 1100) g;
     UPDATE ${name} SET v = 'upd' WHERE id <= 10 OR id BETWEEN 1001 AND 1010;
     DELETE FROM ${name} WHERE id IN (11, 12, 1011, 1012, 1013);`,
  );
  const cdc = await readCount(src, 125);
  expect(new Set(cdc.map(collection))).toEqual(new Set([name]));
  expect(cdc.filter((r) => r.operation === 'create')).toHaveLength(100);
  const upd = cdc.filter((r) => r.operation === 'update');
  expect(upd).toHaveLength(20);
  for (const r of upd) expect(after(r).v).toBe('upd');
  const del = cdc.filter((r) => r.operation === 'delete');
  expect(del.map((r) => (r.key as { id: number }).id).sort((a, b) => a - b)).toEqual([
    11, 12, 1011, 1012, 1013,
  ]);
  // A partition attached after the source started.
  await sql(
    url,
    `CREATE TABLE ${name}_p3 PARTITION OF ${name} FOR VALUES FROM (2000) TO (3000);
     INSERT INTO ${name} SELECT g, 'late' FROM generate_series(2001, 2010) g;
     CREATE TABLE ${name}_p4 (id int NOT NULL, v text);
     ALTER TABLE ${name} ATTACH PARTITION ${name}_p4 FOR VALUES FROM (3000) TO (4000);
     INSERT INTO ${name} SELECT g, 'late' FROM generate_series(3001, 3010) g;`,
  );
  const late = await readCount(src, 20);
  expect(new Set(late.map(collection))).toEqual(new Set([name]));
  expect(late.map((r) => (r.key as { id: number }).id).sort((a, b) => a - b)).toEqual([
    2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009, 2010, 3001, 3002, 3003, 3004, 3005, 3006,
    3007, 3008, 3009, 3010,
  ]);
  // Nothing else comes (no leaf collection, no second snapshot of a partition).
  expect(await readFor(src, 2_500)).toEqual([]);
}

/**
 * TRUNCATE of the partitioned table: one truncate record under it. TRUNCATE of a single partition
 * has no record form (a truncate of the whole table would delete other partitions' rows
 * downstream): nothing comes for it.
 */
async function checkTruncate(src: Source, name: string): Promise<void> {
  await sql(
    url,
    `TRUNCATE ${name}_p1;
     TRUNCATE ${name};
     INSERT INTO ${name} VALUES (1, 'end');`,
  );
  const recs = await readCount(src, 2);
  expect(
    recs.map((r) => [collection(r), r.operation, r.metadata.get('postgres.truncate')]),
  ).toEqual([
    [name, 'delete', 'true'],
    [name, 'create', undefined],
  ]);
  expect(await readFor(src, 1_000)).toEqual([]);
}

function expectSnapshot(recs: readonly OpenCDCRecord[], name: string): void {
  expect(new Set(recs.map(collection))).toEqual(new Set([name]));
  expect(recs.every((r) => r.operation === 'snapshot')).toBe(true);
  expect(new Set(recs.map((r) => after(r).id)).size).toBe(100);
}

describe('postgres source: partitioned tables', () => {
  it('managed publication, wildcard selection: the root only, changes of every partition under it', async () => {
    await createTables('meas');
    const src = await openSource(settings({ tables: '*' }));
    try {
      const snap = await readCount(src, 100);
      expectSnapshot(snap, 'meas');
      // Wildcard selected the root, not also the leaves: nothing more from the snapshot.
      expect(await readFor(src, 1_500)).toEqual([]);
      await changeAndCheck(src, 'meas');
      await checkTruncate(src, 'meas');
    } finally {
      await src.teardown();
    }
    await sql(url, 'DROP TABLE meas');
  });

  it('user-owned publication without publish_via_partition_root: leaves map to the root', async () => {
    await createTables('ev');
    await sql(url, 'CREATE PUBLICATION userpub_part FOR TABLE ev');
    const src = await openSource(
      settings({
        tables: 'ev',
        'logrepl.managePublication': 'false',
        'logrepl.publicationName': 'userpub_part',
      }),
    );
    try {
      expectSnapshot(await readCount(src, 100), 'ev');
      await changeAndCheck(src, 'ev');
      await checkTruncate(src, 'ev');
    } finally {
      await src.teardown();
      await sql(url, 'DROP PUBLICATION userpub_part');
    }
  });
});
