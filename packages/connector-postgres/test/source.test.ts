import { MetadataKeys } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { TOAST_UNCHANGED_KEY } from '../src/source/index.js';
import {
  after,
  collection,
  groupBy,
  keyOf,
  openSource,
  readCount,
  readFor,
  sql,
  useSourceDatabase,
} from './source-helpers.js';

let url: string;
const settings = useSourceDatabase('pgsrc', (u) => {
  url = u;
});

describe('postgres source: snapshot and CDC across many tables', () => {
  it('snapshots mixed-case, quoted, non-public, composite- and uuid-keyed tables, then streams changes', async () => {
    await sql(
      url,
      `CREATE SCHEMA sales;
       CREATE TABLE users (id int8 PRIMARY KEY, name text, big int8, price numeric(30,10), ts timestamptz,
         t timestamp, doc jsonb, bin bytea, tags text[], ok bool, f float8);
       CREATE TABLE "MyTable" (id int PRIMARY KEY, "Val" text);
       CREATE TABLE sales."Orders" (region text, n int, total numeric, PRIMARY KEY (region, n));
       CREATE TABLE sales.items (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), label text);
       INSERT INTO users VALUES (1, 'ann', 9007199254740993, 12345678901234567890.0123456789,
         '2024-01-02 03:04:05.123456+00', '2024-01-02 03:04:05.654321', '{"a":[1,2],"b":null}',
         '\\x00ff', '{a,"b c",NULL}', true, 1.5);
       INSERT INTO "MyTable" VALUES (1, 'x'), (2, 'y');
       INSERT INTO sales."Orders" SELECT r, n, n * 1.5 FROM unnest(array['eu','us']) r, generate_series(1, 5) n;
       INSERT INTO sales.items (label) SELECT 'l' || g FROM generate_series(1, 3) g;`,
    );
    const s = settings({
      tables: `users, "MyTable", sales."Orders", sales.items`,
      'snapshot.fetchSize': '3',
    });
    const src = await openSource(s);
    try {
      const snap = await readCount(src, 1 + 2 + 10 + 3);
      expect(snap.every((r) => r.operation === 'snapshot')).toBe(true);
      const byColl = groupBy(snap, (r) => collection(r) ?? '');
      expect([...byColl.keys()].sort()).toEqual([
        'MyTable',
        'sales.Orders',
        'sales.items',
        'users',
      ]);
      expect(byColl.get('sales.Orders')!.map((r) => `${keyOf(r).region}/${keyOf(r).n}`)).toEqual([
        'eu/1',
        'eu/2',
        'eu/3',
        'eu/4',
        'eu/5',
        'us/1',
        'us/2',
        'us/3',
        'us/4',
        'us/5',
      ]);
      expect(byColl.get('sales.items')!).toHaveLength(3);
      expect(keyOf(byColl.get('sales.items')![0]!).id).toMatch(/^[0-9a-f-]{36}$/);
      expect(after(byColl.get('MyTable')![0]!)).toEqual({ id: 1, Val: 'x' });
      const u = after(byColl.get('users')![0]!);
      expect(u).toEqual({
        id: 1,
        name: 'ann',
        big: 9007199254740993n,
        price: '12345678901234567890.0123456789',
        ts: '2024-01-02T03:04:05.123456Z',
        t: '2024-01-02T03:04:05.654321',
        doc: { a: [1, 2], b: null },
        bin: new Uint8Array([0, 255]),
        tags: ['a', 'b c', null],
        ok: true,
        f: 1.5,
      });

      await sql(
        url,
        `INSERT INTO "MyTable" VALUES (3, 'z');
         UPDATE sales."Orders" SET total = 0 WHERE region = 'eu' AND n = 1;
         DELETE FROM sales.items WHERE label = 'l1';
         UPDATE users SET id = 2 WHERE id = 1;`,
      );
      const cdc = await readCount(src, 4);
      expect(cdc.map((r) => [r.operation, collection(r)])).toEqual([
        ['create', 'MyTable'],
        ['update', 'sales.Orders'],
        ['delete', 'sales.items'],
        ['update', 'users'],
      ]);
      expect(after(cdc[0]!)).toEqual({ id: 3, Val: 'z' });
      expect(keyOf(cdc[1]!)).toEqual({ region: 'eu', n: 1 });
      expect(after(cdc[1]!).total).toBe('0');
      expect(keyOf(cdc[2]!).id).toMatch(/^[0-9a-f-]{36}$/);
      expect(cdc[2]!.payload.after).toBeNull();
      // Primary key change: new key, old key in `before`.
      expect(keyOf(cdc[3]!)).toEqual({ id: 2 });
      expect(cdc[3]!.payload.before).toEqual({ id: 1 });
      expect(cdc[3]!.metadata.get(MetadataKeys.createdAt)).toMatch(/^\d{19}$/);
    } finally {
      await src.teardown();
    }
  });

  it('redelivers unacked records after a restart and not acked ones', async () => {
    await sql(
      url,
      "CREATE TABLE r1 (id int PRIMARY KEY, v text); INSERT INTO r1 VALUES (1, 'a'), (2, 'b')",
    );
    const s = settings({ tables: 'r1' });
    let src = await openSource(s);
    const snap = await readCount(src, 2);
    await src.teardown();
    // Nothing acked: the snapshot comes again.
    src = await openSource(s);
    const again = await readCount(src, 2);
    expect(again.map((r) => keyOf(r).id)).toEqual(snap.map((r) => keyOf(r).id));
    await src.ack(again.map((r) => r.position));
    await sql(url, "INSERT INTO r1 VALUES (3, 'c'); INSERT INTO r1 VALUES (4, 'd')");
    const c1 = await readCount(src, 2);
    expect(c1.map((r) => keyOf(r).id)).toEqual([3, 4]);
    await src.ack([c1[0]!.position]);
    await src.teardown();

    // Acked up to id 3: only id 4 comes again, then new changes.
    src = await openSource(s, c1[0]!.position);
    await sql(url, "INSERT INTO r1 VALUES (5, 'e')");
    const c2 = await readCount(src, 2);
    expect(c2.map((r) => keyOf(r).id)).toEqual([4, 5]);
    await src.ack([c2[1]!.position]);
    await src.teardown();

    src = await openSource(s, c2[1]!.position);
    expect(await readFor(src, 1500)).toEqual([]);
    await src.teardown();
  });

  it('keeps unchanged TOAST values out of `after` and names them in metadata', async () => {
    await sql(
      url,
      `CREATE TABLE big (id int PRIMARY KEY, blob text, n int);
       ALTER TABLE big ALTER COLUMN blob SET STORAGE EXTERNAL;
       CREATE TABLE bigfull (id int PRIMARY KEY, blob text, n int);
       ALTER TABLE bigfull ALTER COLUMN blob SET STORAGE EXTERNAL;
       ALTER TABLE bigfull REPLICA IDENTITY FULL;`,
    );
    const s = settings({ tables: 'big, bigfull', snapshotMode: 'never' });
    const src = await openSource(s);
    try {
      const blob = 'x'.repeat(10_000);
      await sql(
        url,
        'INSERT INTO big VALUES (1, $1, 0); INSERT INTO bigfull VALUES (1, $1, 0)'.replace(
          /\$1/g,
          `'${blob}'`,
        ),
      );
      await sql(url, 'UPDATE big SET n = 1; UPDATE bigfull SET n = 1');
      const recs = await readCount(src, 4);
      expect(after(recs[0]!).blob).toBe(blob);
      expect(recs[2]!.operation).toBe('update');
      expect(after(recs[2]!)).toEqual({ id: 1, n: 1 });
      expect('blob' in after(recs[2]!)).toBe(false);
      expect(JSON.parse(recs[2]!.metadata.get(TOAST_UNCHANGED_KEY)!)).toEqual(['blob']);
      // REPLICA IDENTITY FULL: the old row carries the value, so `after` is complete.
      expect(after(recs[3]!)).toEqual({ id: 1, blob, n: 1 });
      expect(recs[3]!.payload.before).toEqual({ id: 1, blob, n: 0 });
      expect(recs[3]!.metadata.has(TOAST_UNCHANGED_KEY)).toBe(false);
    } finally {
      await src.teardown();
    }
  });
});
