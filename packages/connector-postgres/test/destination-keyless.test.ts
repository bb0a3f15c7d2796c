import { RecordError } from '@opencdc-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, type Harness, harness, rec } from './destination-helpers.js';

// Issue 14, finding 4: records of a table without a primary key (REPLICA IDENTITY FULL at the
// source) have no key and carry the whole old row in payload.before for updates and deletes.

let h: Harness;
beforeAll(async () => {
  h = await harness('pgdkeyless');
});
afterAll(async () => {
  await h?.close();
});

describe('postgres destination: keyless tables', () => {
  it('appends creates, updates and deletes ONE row matching the before image', async () => {
    await h.db.query('CREATE TABLE kl (a int, b text, n numeric(10,2), t timestamptz)');
    const d = await h.open();
    const row = (a: number, b: string | null) => ({ a, b, n: '1.5', t: '2024-01-02 03:04:05+00' });
    await d.write([
      rec('kl', 'snapshot', null, row(1, 'x')),
      rec('kl', 'create', null, row(1, 'x')), // a duplicate row: keyless tables allow them
      rec('kl', 'create', null, row(2, null)),
      rec('kl', 'create', null, row(3, 'z')),
    ]);
    expect(await h.rows('SELECT count(*)::int AS n FROM kl')).toEqual([{ n: 4 }]);
    await d.write([
      // Exactly one of the two identical rows changes. The before image spells the numeric
      // and the timestamp differently from their stored text: compared after the cast.
      rec(
        'kl',
        'update',
        null,
        { ...row(1, 'y') },
        {
          before: { a: 1, b: 'x', n: '1.50', t: '2024-01-02T03:04:05Z' },
        },
      ),
      // NULL matches NULL.
      rec('kl', 'update', null, row(2, 'was null'), { before: row(2, null) }),
      rec('kl', 'delete', null, null, { before: row(3, 'z') }),
    ]);
    expect(await h.rows('SELECT a, b FROM kl ORDER BY a, b')).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'was null' },
    ]);
    // Delete one of several identical rows.
    await d.write([rec('kl', 'create', null, row(1, 'x'))]);
    await d.write([rec('kl', 'delete', null, null, { before: row(1, 'x') })]);
    expect(await h.rows('SELECT a, b FROM kl ORDER BY a, b')).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'was null' },
    ]);
  });

  it('an update whose before row is missing inserts the after row once: replays converge', async () => {
    await h.db.query('CREATE TABLE kl2 (a int, b text)');
    const d = await h.open();
    const batch = [
      rec('kl2', 'create', null, { a: 1, b: 'x' }),
      rec('kl2', 'update', null, { a: 1, b: 'y' }, { before: { a: 1, b: 'x' } }),
      rec('kl2', 'update', null, { a: 1, b: 'z' }, { before: { a: 1, b: 'y' } }),
      rec('kl2', 'delete', null, null, { before: { a: 1, b: 'z' } }),
      rec('kl2', 'create', null, { a: 2, b: 'p' }),
      rec('kl2', 'update', null, { a: 2, b: 'q' }, { before: { a: 2, b: 'p' } }),
    ];
    await d.write(batch);
    expect(await h.rows('SELECT a, b FROM kl2 ORDER BY a')).toEqual([{ a: 2, b: 'q' }]);
    // Replaying only the updates: the before rows are gone, the after rows already exist.
    await d.write(batch.filter((r) => r.operation === 'update'));
    // 1x→1y found no 1x and inserted 1y, which 1y→1z then updated; 2p→2q found no 2p and
    // 2q already there: nothing.
    expect(await h.rows('SELECT a, b FROM kl2 ORDER BY a, b')).toEqual([
      { a: 1, b: 'z' },
      { a: 2, b: 'q' },
    ]);
    // The rest of the batch again: the delete takes 1z away; the create appends a second 2p
    // (appends are not idempotent under replay: documented), which the update turns into 2q.
    await d.write(batch.slice(3));
    expect(await h.rows('SELECT a, b FROM kl2 ORDER BY a, b')).toEqual([
      { a: 2, b: 'q' },
      { a: 2, b: 'q' },
    ]);
  });

  it('compares json, jsonb, point and arrays (types without plain equality)', async () => {
    await h.db.query('CREATE TABLE kl3 (j json, jb jsonb, p point, arr int[])');
    const d = await h.open();
    await d.write([
      rec('kl3', 'create', null, {
        j: '{"a": 1,  "b": [1, 2]}',
        jb: { k: 'v', n: 1 },
        p: '(1,2)',
        arr: [1, 2],
      }),
    ]);
    await d.write([
      rec(
        'kl3',
        'update',
        null,
        { j: { a: 2 }, jb: { k: 'w' }, p: '(3,4)', arr: [3] },
        {
          // Same values, other spellings: json compared as jsonb (whitespace, key order).
          before: { j: { b: [1, 2], a: 1 }, jb: '{"n": 1, "k": "v"}', p: '(1, 2)', arr: [1, 2] },
        },
      ),
    ]);
    expect(await h.rows('SELECT j::text, jb::text, p::text, arr FROM kl3')).toEqual([
      { j: '{"a":2}', jb: '{"k": "w"}', p: '(3,4)', arr: [3] },
    ]);
  });

  it('update/delete without a before image is a record error naming keyColumns', async () => {
    await h.db.query('CREATE TABLE kl4 (a int, b text)');
    const d = await h.open();
    for (const r of [
      rec('kl4', 'update', null, { a: 1, b: 'x' }),
      rec('kl4', 'delete', null, null),
      rec('kl4', 'update', null, { a: 1, b: 'x' }, { before: { nope: 1 } }),
    ]) {
      const e = await failure(() => d.write([rec('kl4', 'create', null, { a: 0, b: 'ok' }), r]));
      expect(e).toBeInstanceOf(RecordError);
      expect(e.index).toBe(1);
      expect(e.message).toMatch(/keyColumns.*primary key/);
    }
    expect(await h.rows('SELECT a, b FROM kl4')).toEqual([
      { a: 0, b: 'ok' },
      { a: 0, b: 'ok' },
      { a: 0, b: 'ok' },
    ]);
  });

  it('autoCreate makes a keyless table for keyless records; big runs and the careful path', async () => {
    const d = await h.open({ autoCreate: 'true' });
    const creates = Array.from({ length: 200 }, (_, i) =>
      rec('kl_auto', 'create', null, { a: i, b: `v${i}` }),
    );
    await d.write(creates);
    expect(
      await h.rows(
        "SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'public.kl_auto'::regclass",
      ),
    ).toEqual([{ n: 0 }]);
    await h.db.query("ALTER TABLE kl_auto ADD CHECK (b <> 'bad')");
    const changes = [
      ...Array.from({ length: 100 }, (_, i) =>
        rec('kl_auto', 'update', null, { a: i, b: `u${i}` }, { before: { a: i, b: `v${i}` } }),
      ),
      ...Array.from({ length: 50 }, (_, i) =>
        rec('kl_auto', 'delete', null, null, { before: { a: 100 + i, b: `v${100 + i}` } }),
      ),
      // A record the server refuses: the batch is replayed carefully, record by record.
      rec('kl_auto', 'create', null, { a: -1, b: 'bad' }),
    ];
    const e = await failure(() => d.write(changes));
    expect(e).toBeInstanceOf(RecordError);
    expect(e.index).toBe(150);
    const rows = await h.rows<{ a: string; b: string }>('SELECT a, b FROM kl_auto ORDER BY a');
    expect(rows).toHaveLength(150);
    expect(rows[0]).toEqual({ a: '0', b: 'u0' });
    expect(rows[99]).toEqual({ a: '99', b: 'u99' });
    expect(rows[100]).toEqual({ a: '150', b: 'v150' });
  });

  it('partitioned keyless tables: rows of different partitions share ctids, only one changes', async () => {
    await h.db.query(`
      CREATE TABLE klp (n int, v text) PARTITION BY LIST (n);
      CREATE TABLE klp_1 PARTITION OF klp FOR VALUES IN (1);
      CREATE TABLE klp_2 PARTITION OF klp FOR VALUES IN (2);`);
    const d = await h.open();
    // Both first rows sit at ctid (0,1) of their partition; the before image matches by value.
    await d.write([
      rec('klp', 'create', null, { n: 1, v: 'same' }),
      rec('klp', 'create', null, { n: 2, v: 'same' }),
    ]);
    await d.write([
      rec('klp', 'update', null, { n: 2, v: 'changed' }, { before: { n: 2, v: 'same' } }),
    ]);
    expect(await h.rows('SELECT n, v FROM klp ORDER BY n')).toEqual([
      { n: 1, v: 'same' },
      { n: 2, v: 'changed' },
    ]);
    await d.write([rec('klp', 'delete', null, null, { before: { n: 2, v: 'changed' } })]);
    expect(await h.rows('SELECT n, v FROM klp ORDER BY n')).toEqual([{ n: 1, v: 'same' }]);
  });

  it('a table with a primary key keeps needing it; configured keyColumns win over the before image', async () => {
    await h.db.query('CREATE TABLE kl5 (id int, v text, UNIQUE (id))');
    const d = await h.open({ 'tables.kl5.keyColumns': 'id' });
    await d.write([
      rec('kl5', 'create', null, { id: 1, v: 'a' }),
      rec('kl5', 'update', null, { id: 1, v: 'b' }, { before: { id: 1, v: 'zzz' } }),
    ]);
    expect(await h.rows('SELECT id, v FROM kl5')).toEqual([{ id: 1, v: 'b' }]);
  });
});
