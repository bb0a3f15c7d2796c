import { ConfigError, ConfigErrors, RecordError, TransientError } from '@opencdc-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationSide } from '../src/destination/index.js';
import { TOAST_UNCHANGED_KEY as DESTINATION_TOAST_KEY } from '../src/destination/planner.js';
import { TOAST_UNCHANGED_KEY as SOURCE_TOAST_KEY } from '../src/source/index.js';
import { ctx, failure, type Harness, harness, rec } from './destination-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness('pgdest');
});
afterAll(async () => {
  await h?.close();
});

describe('postgres destination: routing', () => {
  it('routes five collections to five tables in one batch', async () => {
    for (const t of ['r1', 'r2', 'r3', 'r4', 'r5']) {
      await h.db.query(`CREATE TABLE ${t} (id int PRIMARY KEY, name text)`);
    }
    const d = await h.open();
    const batch = [];
    for (let i = 0; i < 50; i++) {
      batch.push(rec(`r${(i % 5) + 1}`, 'create', { id: i }, { id: i, name: `n${i}` }));
    }
    await d.write(batch);
    for (let t = 1; t <= 5; t++) {
      const rows = await h.rows<{ id: number; name: string }>(
        `SELECT id, name FROM r${t} ORDER BY id`,
      );
      expect(rows).toHaveLength(10);
      expect(rows.every((r) => r.id % 5 === t - 1 && r.name === `n${r.id}`)).toBe(true);
    }
  });

  it('lands schema.table routes in that schema', async () => {
    await h.db.query(
      'CREATE SCHEMA sales; CREATE TABLE sales.orders (id int PRIMARY KEY, total numeric)',
    );
    await h.db.query('CREATE TABLE orders (id int PRIMARY KEY, total numeric)');
    const d = await h.open();
    await d.write([rec('sales.orders', 'create', { id: 1 }, { id: 1, total: 9.5 })]);
    expect(await h.rows('SELECT id, total FROM sales.orders')).toEqual([{ id: 1, total: '9.5' }]);
    expect(await h.rows('SELECT * FROM public.orders')).toEqual([]);
  });

  it('writes every record to a static table', async () => {
    await h.db.query('CREATE TABLE everything (id int PRIMARY KEY, v text)');
    const d = await h.open({ table: 'everything' });
    await d.write([
      rec('a', 'create', { id: 1 }, { id: 1, v: 'a' }),
      rec('b', 'snapshot', { id: 2 }, { id: 2, v: 'b' }),
      rec(undefined, 'create', { id: 3 }, { id: 3, v: 'none' }),
    ]);
    expect(await h.rows('SELECT id, v FROM everything ORDER BY id')).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
      { id: 3, v: 'none' },
    ]);
  });

  it('routes with a template over a payload field', async () => {
    await h.db.query(
      'CREATE TABLE eu_events (id int PRIMARY KEY, region text); CREATE TABLE us_events (id int PRIMARY KEY, region text)',
    );
    const d = await h.open({ table: '{{ .Payload.After.region }}_events' });
    await d.write([
      rec('x', 'create', { id: 1 }, { id: 1, region: 'eu' }),
      rec('x', 'create', { id: 2 }, { id: 2, region: 'us' }),
      rec('x', 'create', { id: 3 }, { id: 3, region: 'eu' }),
    ]);
    expect(await h.rows('SELECT id FROM eu_events ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
    expect(await h.rows('SELECT id FROM us_events')).toEqual([{ id: 2 }]);
  });

  it('quotes hostile collection names or rejects them, never runs them', async () => {
    await h.db.query('CREATE TABLE victim (id int PRIMARY KEY)');
    await h.db.query('INSERT INTO victim VALUES (1)');
    const d = await h.open({ autoCreate: 'true' });
    const hostile = ['x"; DROP TABLE victim; --', "o'reilly", 'semi;colon', 'Mixed Case "q"'];
    await d.write(hostile.map((c, i) => rec(c, 'create', { id: i }, { id: i, 'col"; --': 'v' })));
    for (const name of hostile) {
      const r = await h.rows<{ n: string }>(
        'SELECT count(*)::int AS n FROM pg_class WHERE relname = $1',
        [name],
      );
      expect(r[0]!.n, name).toBe(1);
    }
    expect(await h.rows('SELECT id FROM victim')).toEqual([{ id: 1 }]);

    for (const bad of [
      'pg_catalog.pg_class',
      'information_schema.tables',
      'a.b.c',
      'x'.repeat(64),
      '',
    ]) {
      const e = await failure(() =>
        d.write([
          rec('ok_table', 'create', { id: 1 }, { id: 1 }),
          rec(bad, 'create', { id: 1 }, { id: 1 }),
        ]),
      );
      expect(e, bad).toBeInstanceOf(RecordError);
      expect(e.index).toBe(1);
    }
    // The records before the bad one were committed.
    expect(await h.rows('SELECT id FROM ok_table')).toEqual([{ id: '1' }]);
  });

  it('rejects routes outside tables.allow (globs stay within one name part)', async () => {
    await h.db.query(`
      CREATE TABLE allowed_a (id int PRIMARY KEY); CREATE TABLE secret (id int PRIMARY KEY);
      CREATE SCHEMA s2; CREATE TABLE s2.t (id int PRIMARY KEY);`);
    const d = await h.open({ 'tables.allow': 'allowed_*,s2.*' });
    await d.write([
      rec('allowed_a', 'create', { id: 1 }, { id: 1 }),
      rec('s2.t', 'create', { id: 1 }, { id: 1 }),
    ]);
    for (const bad of ['secret', 'public.allowed_a']) {
      const e = await failure(() =>
        d.write([
          rec('allowed_a', 'create', { id: 2 }, { id: 2 }),
          rec(bad, 'create', { id: 1 }, { id: 1 }),
        ]),
      );
      expect(e, bad).toBeInstanceOf(RecordError);
      expect(e.index).toBe(1);
    }
    expect(await h.rows('SELECT id FROM allowed_a ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await h.rows('SELECT id FROM s2.t')).toEqual([{ id: 1 }]);
    expect(await h.rows('SELECT id FROM secret')).toEqual([]);
  });
});

describe('postgres destination: order and transactions', () => {
  it('writes FK-linked tables in source order within one batch', async () => {
    await h.db.query(`
      CREATE TABLE parents (id int PRIMARY KEY, name text);
      CREATE TABLE children (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parents(id), name text);`);
    const d = await h.open();
    const batch = [];
    for (let p = 0; p < 20; p++) {
      batch.push(rec('parents', 'create', { id: p }, { id: p, name: `p${p}` }));
      for (let c = 0; c < 3; c++) {
        const id = p * 10 + c;
        batch.push(rec('children', 'create', { id }, { id, parent_id: p, name: `c${id}` }));
      }
    }
    // Deleting: children first, then their parent, in the same batch.
    batch.push(
      rec('children', 'delete', { id: 0 }, null),
      rec('children', 'delete', { id: 1 }, null),
    );
    batch.push(
      rec('children', 'delete', { id: 2 }, null),
      rec('parents', 'delete', { id: 0 }, null),
    );
    await d.write(batch);
    expect(await h.rows('SELECT count(*)::int AS n FROM parents')).toEqual([{ n: 19 }]);
    expect(await h.rows('SELECT count(*)::int AS n FROM children')).toEqual([{ n: 57 }]);
  });

  it('groups interleaved records of unrelated tables, keeping the order within each table', async () => {
    await h.db.query(
      'CREATE TABLE il_a (id int PRIMARY KEY, v int); CREATE TABLE il_b (id int PRIMARY KEY, v int)',
    );
    const d = await h.open();
    const batch = [];
    for (let i = 0; i < 300; i++) {
      const id = i % 50; // every key written several times, deleted sometimes
      batch.push(
        rec('il_a', i % 7 === 0 ? 'delete' : 'update', { id }, i % 7 === 0 ? null : { id, v: i }),
      );
      batch.push(rec('il_b', 'create', { id }, { id, v: i }));
    }
    await d.write(batch);
    // Expected: replay the batch in memory.
    const want = { il_a: new Map<number, number>(), il_b: new Map<number, number>() };
    for (const r of batch) {
      const t = r.metadata.getCollection() as 'il_a' | 'il_b';
      const id = (r.key as { id: number }).id;
      if (r.operation === 'delete') want[t].delete(id);
      else want[t].set(id, (r.payload.after as { v: number }).v);
    }
    for (const t of ['il_a', 'il_b'] as const) {
      const rows = await h.rows<{ id: number; v: number }>(`SELECT id, v FROM ${t} ORDER BY id`);
      expect(rows).toEqual([...want[t]].sort((a, b) => a[0] - b[0]).map(([id, v]) => ({ id, v })));
    }
  });

  it('honours deferred foreign keys: checked at commit, a violation still names its record', async () => {
    await h.db.query(`
      CREATE TABLE dp (id int PRIMARY KEY);
      CREATE TABLE dc (id int PRIMARY KEY,
        p int REFERENCES dp(id) DEFERRABLE INITIALLY DEFERRED);`);
    const d = await h.open();
    // Child before parent in one batch (e.g. a parallel snapshot): fine at commit.
    await d.write([
      rec('dc', 'create', { id: 1 }, { id: 1, p: 1 }),
      rec('dp', 'create', { id: 1 }, { id: 1 }),
    ]);
    const e = await failure(() =>
      d.write([
        rec('dp', 'create', { id: 2 }, { id: 2 }),
        rec('dc', 'create', { id: 2 }, { id: 2, p: 2 }),
        rec('dc', 'create', { id: 3 }, { id: 3, p: 99 }),
      ]),
    );
    expect(e).toBeInstanceOf(RecordError);
    expect(e.index).toBe(2);
    expect(await h.rows('SELECT id FROM dc ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('fails the one record that violates a constraint, committing those before it', async () => {
    await h.db.query(`
      CREATE TABLE p2 (id int PRIMARY KEY);
      CREATE TABLE c2 (id int PRIMARY KEY, p int NOT NULL REFERENCES p2(id), n int CHECK (n >= 0));`);
    const d = await h.open();
    const batch = [
      rec('p2', 'create', { id: 1 }, { id: 1 }),
      rec('c2', 'create', { id: 1 }, { id: 1, p: 1, n: 1 }),
      rec('c2', 'create', { id: 2 }, { id: 2, p: 1, n: 2 }),
      rec('c2', 'create', { id: 3 }, { id: 3, p: 1, n: -1 }), // check violation
      rec('c2', 'create', { id: 4 }, { id: 4, p: 1, n: 4 }),
    ];
    const e = await failure(() => d.write(batch));
    expect(e).toBeInstanceOf(RecordError);
    expect(e.index).toBe(3);
    expect(e.message).toMatch(/c2/);
    expect(await h.rows('SELECT id FROM c2 ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    // The runtime then writes the rest.
    await d.write(batch.slice(4));
    expect(await h.rows('SELECT id FROM c2 ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 4 },
    ]);

    const fk = await failure(() =>
      d.write([rec('c2', 'create', { id: 9 }, { id: 9, p: 42, n: 0 })]),
    );
    expect(fk).toBeInstanceOf(RecordError);
    expect(fk.index).toBe(0);
  });
});

describe('postgres destination: large runs (COPY staging)', () => {
  it('stages big runs, escapes COPY text, finds the failing record inside a big run', async () => {
    await h.db.query(
      'CREATE TABLE big (id int PRIMARY KEY, v text, n int CHECK (n <> 777), other text)',
    );
    await h.db.query('CREATE TABLE big_narrow (id int PRIMARY KEY, v text)');
    const d = await h.open();
    const nasty = 'tab\there\nnewline\r\\ backslash \\N "quote" \'q\' ,;';
    const batch = [];
    for (let i = 0; i < 500; i++)
      batch.push(
        rec(
          'big',
          'create',
          { id: i },
          { id: i, v: i % 7 === 0 ? nasty : `v${i}`, n: i, other: i % 2 ? null : 'x' },
        ),
      );
    for (let i = 0; i < 100; i++)
      batch.push(rec('big_narrow', 'create', { id: i }, { id: i, v: `w${i}` }));
    // Same table again after another table: a second staged run in the same transaction.
    for (let i = 500; i < 600; i++)
      batch.push(rec('big', 'create', { id: i }, { id: i, v: `v${i}`, n: i, other: 'y' }));
    await d.write(batch);
    expect(await h.rows('SELECT count(*)::int AS n FROM big')).toEqual([{ n: 600 }]);
    expect(await h.rows('SELECT v FROM big WHERE id = 7')).toEqual([{ v: nasty }]);
    expect(await h.rows('SELECT other FROM big WHERE id = 1')).toEqual([{ other: null }]);

    const again: ReturnType<typeof rec>[] = [];
    for (let i = 700; i < 900; i++)
      again.push(rec('big', 'create', { id: i }, { id: i, v: 'u', n: i, other: 'z' }));
    const e = await failure(() => d.write(again));
    expect(e).toBeInstanceOf(RecordError);
    expect(e.index).toBe(77);
    expect(await h.rows('SELECT count(*)::int AS n FROM big WHERE id >= 700')).toEqual([{ n: 77 }]);
  });
});

describe('postgres destination: bulk strategies', () => {
  it('upserts big runs of creates over existing rows (optimistic COPY falls back)', async () => {
    await h.db.query('CREATE TABLE bulk (id int PRIMARY KEY, v text)');
    const d = await h.open();
    const run = (from: number, to: number, v: string, op: 'create' | 'update' = 'create') =>
      Array.from({ length: to - from }, (_, i) =>
        rec('bulk', op, { id: from + i }, { id: from + i, v }),
      );
    await d.write(run(0, 100, 'a'));
    await d.write(run(50, 150, 'b')); // half of them exist
    await d.write([...run(0, 100, 'c'), ...run(100, 200, 'd')]); // again, several times
    await d.write(run(150, 250, 'e', 'update')); // updates, some rows new
    const rows = await h.rows<{ v: string; n: number }>(
      'SELECT v, count(*)::int AS n FROM bulk GROUP BY v ORDER BY v',
    );
    expect(rows).toEqual([
      { v: 'c', n: 100 },
      { v: 'd', n: 50 },
      { v: 'e', n: 100 },
    ]);
  });
});

describe('postgres destination: types through the bulk path', () => {
  it('writes bytea, arrays, enums, domains and jsonb in big runs (COPY) like in small ones', async () => {
    await h.db.query(`
      CREATE TYPE mood AS ENUM ('ok', 'meh');
      CREATE DOMAIN short_text AS varchar(20) CHECK (VALUE <> 'forbidden');
      CREATE TABLE typed_bulk (id int PRIMARY KEY, b bytea, nums int[], tags text[], m mood,
        s short_text, j jsonb, v varchar(5));
      CREATE TABLE opencdc_stage_8 (trap int);`);
    const d = await h.open();
    const make = (id: number) =>
      rec(
        'typed_bulk',
        'create',
        { id },
        {
          id,
          b: new Uint8Array([id % 256, 0, 92]),
          nums: [id, -id],
          tags: ['a"b', 'c\\d', null, 'tab\there'],
          m: id % 2 ? 'ok' : 'meh',
          s: `s${id}`,
          j: { id, nested: { list: [1, 'two'] } },
          v: 'abc',
        },
      );
    const small = [make(1)];
    const big = Array.from({ length: 100 }, (_, i) => make(i + 2));
    await d.write(small);
    await d.write(big);
    const rows = await h.rows<{
      id: number;
      b: string;
      nums: number[];
      tags: (string | null)[];
      m: string;
      j: unknown;
    }>(
      "SELECT id, encode(b, 'hex') AS b, nums, tags, m::text, j FROM typed_bulk WHERE id IN (1, 50) ORDER BY id",
    );
    for (const r of rows) {
      expect(r.b).toBe(`${(r.id % 256).toString(16).padStart(2, '0')}005c`);
      expect(r.nums).toEqual([r.id, -r.id]);
      expect(r.tags).toEqual(['a"b', 'c\\d', null, 'tab\there']);
      expect(r.m).toBe(r.id % 2 ? 'ok' : 'meh');
      expect(r.j).toEqual({ id: r.id, nested: { list: [1, 'two'] } });
    }
    expect(await h.rows('SELECT count(*)::int AS n FROM typed_bulk')).toEqual([{ n: 101 }]);
    expect(await h.rows('SELECT count(*)::int AS n FROM opencdc_stage_8')).toEqual([{ n: 0 }]);
    // The same rows as updates: through the typed staging table (COPY, then upsert).
    const updates = big.map((r) => ({
      ...r,
      operation: 'update' as const,
      payload: { before: null, after: { ...(r.payload.after as object), m: 'meh', v: 'xyz' } },
    }));
    await d.write(updates);
    expect(
      await h.rows(
        "SELECT count(*)::int AS n FROM typed_bulk WHERE m = 'meh' AND v = 'xyz' AND nums[2] = -id",
      ),
    ).toEqual([{ n: 100 }]);
    // A domain check in the middle of a big run: exactly that record fails.
    const bad = Array.from({ length: 100 }, (_, i) => make(i + 200));
    (bad[40]!.payload.after as { s: string }).s = 'forbidden';
    const e = await failure(() => d.write(bad));
    expect(e).toBeInstanceOf(RecordError);
    expect(e.index).toBe(40);
    expect(await h.rows('SELECT count(*)::int AS n FROM typed_bulk WHERE id >= 200')).toEqual([
      { n: 40 },
    ]);
  });
});

describe('postgres destination: operations', () => {
  it('upserts, updates, deletes and applies key changes', async () => {
    await h.db.query('CREATE TABLE ops (id int PRIMARY KEY, name text, n int)');
    const d = await h.open();
    await d.write([
      rec('ops', 'snapshot', { id: 1 }, { id: 1, name: 'a', n: 1 }),
      rec('ops', 'create', { id: 2 }, { id: 2, name: 'b', n: 2 }),
      rec('ops', 'create', { id: 3 }, { id: 3, name: 'c', n: 3 }),
      rec('ops', 'update', { id: 1 }, { id: 1, name: 'a2', n: 10 }),
      rec('ops', 'update', { id: 1 }, { id: 1, name: 'a3', n: 11 }), // same key, same run
      rec('ops', 'delete', { id: 2 }, null),
      // Primary key change 3 → 30 (before holds the old key).
      rec(
        'ops',
        'update',
        { id: 30 },
        { id: 30, name: 'c', n: 3 },
        { before: { id: 3, name: 'c', n: 3 } },
      ),
      rec('ops', 'create', { id: 1 }, { id: 1, name: 'a4', n: 12 }), // upsert over an existing row
    ]);
    expect(await h.rows('SELECT id, name, n FROM ops ORDER BY id')).toEqual([
      { id: 1, name: 'a4', n: 12 },
      { id: 30, name: 'c', n: 3 },
    ]);
  });

  it('leaves unchanged TOAST columns untouched', async () => {
    // The source marks them under the same key the destination honours.
    expect(DESTINATION_TOAST_KEY).toBe(SOURCE_TOAST_KEY);
    await h.db.query('CREATE TABLE docs (id int PRIMARY KEY, body text, title text)');
    const d = await h.open();
    const big = 'x'.repeat(10_000);
    await d.write([rec('docs', 'create', { id: 1 }, { id: 1, body: big, title: 't1' })]);
    await d.write([
      rec(
        'docs',
        'update',
        { id: 1 },
        { id: 1, body: null, title: 't2' },
        { metadata: { 'postgres.toast.unchanged': '["body"]' } },
      ),
    ]);
    const [row] = await h.rows<{ body: string; title: string }>('SELECT body, title FROM docs');
    expect(row!.title).toBe('t2');
    expect(row!.body).toBe(big);
    // A key change with an unchanged TOAST value: the row moves, the value stays.
    await d.write([
      rec(
        'docs',
        'update',
        { id: 2 },
        { id: 2, title: 't3' },
        { before: { id: 1 }, metadata: { 'postgres.toast.unchanged': '["body"]' } },
      ),
    ]);
    expect(await h.rows('SELECT id, body = $1 AS same, title FROM docs', [big])).toEqual([
      { id: 2, same: true, title: 't3' },
    ]);
  });

  it('decodes raw JSON payloads and keys, inserts when there is no key', async () => {
    await h.db.query(
      'CREATE TABLE raw_t (id int PRIMARY KEY, v text); CREATE TABLE nokey (v text)',
    );
    const d = await h.open();
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    await d.write([
      rec('raw_t', 'create', enc({ id: 1 }), enc({ id: 1, v: 'raw' })),
      rec('nokey', 'create', null, { v: 'a' }),
      rec('nokey', 'create', null, { v: 'a' }),
    ]);
    expect(await h.rows('SELECT id, v FROM raw_t')).toEqual([{ id: 1, v: 'raw' }]);
    expect(await h.rows('SELECT v FROM nokey')).toEqual([{ v: 'a' }, { v: 'a' }]);
    const e = await failure(() =>
      d.write([rec('raw_t', 'create', null, new TextEncoder().encode('not json'))]),
    );
    expect(e).toBeInstanceOf(RecordError);
    // A raw key that is no JSON object (a Kafka string key) names no columns: the primary key is used.
    await d.write([rec('raw_t', 'update', new TextEncoder().encode('k-1'), { id: 1, v: 'again' })]);
    expect(await h.rows('SELECT id, v FROM raw_t')).toEqual([{ id: 1, v: 'again' }]);
  });

  it('uses configured key columns and the primary key when the record key is empty', async () => {
    await h.db.query(
      'CREATE TABLE kc (a int, b int, v text, UNIQUE (a, b)); CREATE TABLE pk (id int PRIMARY KEY, v text)',
    );
    const d = await h.open({ 'tables.kc.keyColumns': 'a,b' });
    await d.write([
      rec('kc', 'create', null, { a: 1, b: 1, v: 'x' }),
      rec('kc', 'update', null, { a: 1, b: 1, v: 'y' }),
      rec('pk', 'create', null, { id: 1, v: 'x' }),
      rec('pk', 'update', null, { id: 1, v: 'y' }),
      rec('kc', 'delete', null, null, { before: { a: 1, b: 1, v: 'y' } }),
    ]);
    expect(await h.rows('SELECT * FROM kc')).toEqual([]);
    expect(await h.rows('SELECT * FROM pk')).toEqual([{ id: 1, v: 'y' }]);
  });

  it('maps structured values: bigint, bytes, json, arrays, booleans', async () => {
    await h.db.query(
      'CREATE TABLE types (id bigint PRIMARY KEY, big numeric, b bytea, j jsonb, js json, arr int[], tags text[], ok boolean, t timestamptz)',
    );
    const d = await h.open();
    await d.write([
      rec(
        'types',
        'create',
        { id: 9007199254740993n },
        {
          id: 9007199254740993n,
          big: 123456789012345678901234567890n,
          b: new Uint8Array([0, 1, 255]),
          j: { a: [1, 2, { b: null }], big: 9007199254740993n },
          js: '{"k": "text json"}',
          arr: [1, 2, 3],
          tags: ['a', 'b "q"', 'c,d', null],
          ok: true,
          t: '2024-01-02T03:04:05Z',
        },
      ),
    ]);
    const [r] = await h.rows<Record<string, unknown>>(
      "SELECT id::text, big::text, encode(b, 'hex') AS b, j::text, js::text, arr, tags, ok, t = '2024-01-02T03:04:05Z' AS t FROM types",
    );
    expect(r).toEqual({
      id: '9007199254740993',
      big: '123456789012345678901234567890',
      b: '0001ff',
      j: '{"a": [1, 2, {"b": null}], "big": 9007199254740993}',
      js: '{"k": "text json"}',
      arr: [1, 2, 3],
      tags: ['a', 'b "q"', 'c,d', null],
      ok: true,
      t: true,
    });
  });
});

describe('postgres destination: schema help', () => {
  it('fails records routed to a missing table unless autoCreate is on', async () => {
    const off = await h.open();
    await h.db.query('CREATE TABLE present (id int PRIMARY KEY)');
    const e = await failure(() =>
      off.write([
        rec('present', 'create', { id: 1 }, { id: 1 }),
        rec('absent', 'create', { id: 1 }, { id: 1 }),
      ]),
    );
    expect(e).toBeInstanceOf(RecordError);
    expect(e.index).toBe(1);
    expect(e.message).toMatch(/absent.*does not exist.*autoCreate/);
    expect(await h.rows('SELECT id FROM present')).toEqual([{ id: 1 }]);

    const on = await h.open({ autoCreate: 'true' });
    await on.write([
      rec(
        'absent',
        'create',
        { id: 1 },
        { id: 1, name: 'n', score: 1.5, ok: true, doc: { a: 1 }, raw: new Uint8Array([1]) },
      ),
      rec('newschema.made', 'create', { k: 'a' }, { k: 'a', n: 1 }),
    ]);
    const cols = await h.rows<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'absent' ORDER BY ordinal_position",
    );
    expect(cols).toEqual([
      { column_name: 'id', data_type: 'bigint' },
      { column_name: 'name', data_type: 'text' },
      { column_name: 'score', data_type: 'double precision' },
      { column_name: 'ok', data_type: 'boolean' },
      { column_name: 'doc', data_type: 'jsonb' },
      { column_name: 'raw', data_type: 'bytea' },
    ]);
    // The key became the primary key: a second write upserts.
    await on.write([rec('absent', 'update', { id: 1 }, { id: 1, name: 'n2' })]);
    expect(await h.rows('SELECT id, name FROM absent')).toEqual([{ id: '1', name: 'n2' }]);
    expect(await h.rows('SELECT k, n FROM newschema.made')).toEqual([{ k: 'a', n: '1' }]);
  });

  it('adds missing columns with autoEvolve, fails the record without it', async () => {
    await h.db.query('CREATE TABLE evolving (id int PRIMARY KEY, a text)');
    const off = await h.open();
    const e = await failure(() =>
      off.write([rec('evolving', 'create', { id: 1 }, { id: 1, a: 'x', b: 2 })]),
    );
    expect(e).toBeInstanceOf(RecordError);
    expect(e.message).toMatch(/"b".*autoEvolve/);

    const on = await h.open({ autoEvolve: 'true' });
    await on.write([
      rec('evolving', 'create', { id: 1 }, { id: 1, a: 'x' }),
      rec('evolving', 'create', { id: 2 }, { id: 2, a: 'y', b: 2, c: { j: 1 } }),
    ]);
    expect(await h.rows('SELECT id, a, b, c FROM evolving ORDER BY id')).toEqual([
      { id: 1, a: 'x', b: null, c: null },
      { id: 2, a: 'y', b: '2', c: { j: 1 } },
    ]);
  });
});

describe('postgres destination: checkpoint table', () => {
  it('skips a replayed, already committed batch after a restart', async () => {
    await h.db.query('CREATE TABLE ck (id int PRIMARY KEY, v text)');
    const settings = { 'checkpoint.table': 'opencdc.checkpoints' };
    const first = await h.open(settings, 'pipe:dest');
    const batch1 = [1, 2, 3].map((i) =>
      rec('ck', 'create', { id: i }, { id: i, v: 'v1' }, { position: `ck-${i}` }),
    );
    const batch2 = [4, 5].map((i) =>
      rec('ck', 'create', { id: i }, { id: i, v: 'v1' }, { position: `ck-${i}` }),
    );
    await first.write(batch1);
    await first.write(batch2);
    await first.teardown();
    // Someone edits the rows; a replay of batch2 (committed, ack lost) must not undo it.
    await h.db.query("UPDATE ck SET v = 'edited'");

    const restarted = await h.open(settings, 'pipe:dest');
    const batch3 = [6].map((i) =>
      rec('ck', 'create', { id: i }, { id: i, v: 'v1' }, { position: `ck-${i}` }),
    );
    await restarted.write([batch2[0]!]);
    await restarted.write([batch2[1]!, ...batch3]);
    expect(await h.rows('SELECT id, v FROM ck ORDER BY id')).toEqual([
      { id: 1, v: 'edited' },
      { id: 2, v: 'edited' },
      { id: 3, v: 'edited' },
      { id: 4, v: 'edited' },
      { id: 5, v: 'edited' },
      { id: 6, v: 'v1' },
    ]);
    const [cp] = await h.rows<{ first: string; last: string; records: number }>(
      "SELECT convert_from(first_position, 'UTF8') AS first, convert_from(last_position, 'UTF8') AS last, records FROM opencdc.checkpoints WHERE connector_id = 'pipe:dest'",
    );
    expect(cp).toEqual({ first: 'ck-6', last: 'ck-6', records: 1 });
    // Another connector id is not affected.
    const other = await h.open(settings, 'other:dest');
    await other.write([batch2[0]!]);
    expect(await h.rows('SELECT v FROM ck WHERE id = 4')).toEqual([{ v: 'v1' }]);
  });
});

describe('postgres destination: configuration and connection errors', () => {
  it('rejects a bad template, a bad checkpoint table and a bad static table at configure time', () => {
    const create = (settings: { [k: string]: string }) =>
      destinationSide.create(destinationSide.config.parse({ url: h.url, ...settings }), ctx());
    expect(() => create({ table: '{{ .Payload.After.x ' })).toThrow(ConfigError);
    expect(() => create({ table: 'pg_catalog.pg_class' })).toThrow(/table/);
    expect(() => create({ 'checkpoint.table': 'a.b.c' })).toThrow(ConfigErrors);
    expect(() => create({ batchSize: '0' })).toThrow(/batchSize/);
  });

  it('turns an unreachable server into a TransientError', async () => {
    const d = destinationSide.create(
      destinationSide.config.parse({ url: 'postgres://postgres@127.0.0.1:1/none' }),
      ctx(),
    );
    expect(await failure(() => d.open())).toBeInstanceOf(TransientError);
    expect(await failure(() => d.write([rec('x', 'create', { id: 1 }, { id: 1 })]))).toBeInstanceOf(
      TransientError,
    );
    await d.teardown();
  });

  it('turns refused credentials and an unknown database into a ConfigError on url', async () => {
    // The test server trusts local connections (any password is accepted), so the refused
    // login is an unknown user (28000, the class of 28P01 wrong password).
    const user = new URL(h.url);
    user.username = 'opencdc_no_such_user';
    user.password = 'secret-password';
    const database = new URL(h.url);
    database.password = 'secret-password';
    database.pathname = '/opencdc_no_such_database';
    for (const url of [user.toString(), database.toString()]) {
      const d = destinationSide.create(destinationSide.config.parse({ url }), ctx());
      const e = await failure(() => d.open());
      expect(e, url).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).parameter).toBe('url');
      expect(e.message).not.toContain('secret-password');
      await d.teardown();
    }
  });

  it('reconnects after the connection was killed', async () => {
    await h.db.query('CREATE TABLE reconnect (id int PRIMARY KEY)');
    const d = await h.open({}, 'reconnect:dest');
    await d.write([rec('reconnect', 'create', { id: 1 }, { id: 1 })]);
    await h.db.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'opencdc-destination' AND datname = current_database()",
    );
    const batch = [rec('reconnect', 'create', { id: 2 }, { id: 2 })];
    let err: unknown;
    try {
      await d.write(batch);
    } catch (e) {
      err = e;
    }
    if (err) expect(err).toBeInstanceOf(TransientError);
    await d.write(batch); // the runtime's retry
    expect(await h.rows('SELECT id FROM reconnect ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
