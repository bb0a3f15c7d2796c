// Issue 14 (finding 5): `public."a.b"` and table `b` of schema `a` must not become one collection.
import { describe, expect, it } from 'vitest';
import {
  after,
  collection,
  groupBy,
  openSource,
  readCount,
  sql,
  useSourceDatabase,
} from './source-helpers.js';

let url: string;
const settings = useSourceDatabase('pgsrc_coll', async (u) => {
  url = u;
  await sql(
    url,
    `CREATE SCHEMA a; CREATE SCHEMA "x.y";
     CREATE TABLE public."a.b" (id int PRIMARY KEY, src text);
     CREATE TABLE a.b (id int PRIMARY KEY, src text);
     CREATE TABLE "x.y".t (id int PRIMARY KEY, src text);
     INSERT INTO public."a.b" SELECT g, '"a.b"' FROM generate_series(1, 5) g;
     INSERT INTO a.b SELECT g, 'a.b' FROM generate_series(1, 3) g;
     INSERT INTO "x.y".t SELECT g, '"x.y".t' FROM generate_series(1, 2) g;`,
  );
});

describe('postgres source: collection names identify one table', () => {
  it('quotes a name part with a dot: snapshot and CDC of each table under its own collection', async () => {
    const src = await openSource(settings({ tables: '*.*' }));
    try {
      const snap = await readCount(src, 10);
      await sql(
        url,
        `INSERT INTO public."a.b" VALUES (100, '"a.b"');
         INSERT INTO a.b VALUES (100, 'a.b');
         UPDATE "x.y".t SET src = '"x.y".t' WHERE id = 1;`,
      );
      const cdc = await readCount(src, 3);
      const all = [...snap, ...cdc];
      const by = groupBy(all, (r) => collection(r) ?? '');
      expect([...by.keys()].sort()).toEqual(['"a.b"', '"x.y".t', 'a.b']);
      // Each collection holds only its own table's rows.
      for (const [c, recs] of by) for (const r of recs) expect(after(r).src).toBe(c);
      expect(by.get('"a.b"')!.map((r) => after(r).id)).toEqual([1, 2, 3, 4, 5, 100]);
      expect(by.get('a.b')!.map((r) => after(r).id)).toEqual([1, 2, 3, 100]);
      expect(by.get('"x.y".t')!.map((r) => r.operation)).toEqual([
        'snapshot',
        'snapshot',
        'update',
      ]);
    } finally {
      await src.teardown();
    }
  });
});
