import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { RecordError } from '@opencdc-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, type Harness, harness, rec } from './destination-helpers.js';

// Issue 14, finding 1: a primary-key change must be replay-safe. At-least-once delivery
// replays records; writing the same records twice, in order, must give the same table as once.

let h: Harness;
beforeAll(async () => {
  h = await harness('pgdkeys');
});
afterAll(async () => {
  await h?.close();
});

/** `update` moving key `from` to `to` (the before image holds the old key). */
const move = (table: string, from: number, to: number, v: string): OpenCDCRecord =>
  rec(table, 'update', { id: to }, { id: to, v }, { before: { id: from, v: 'old' } });

describe('postgres destination: primary-key changes under replay', () => {
  it('create 1, update 1→2, create 1, twice in one batch: {1, 2}', async () => {
    await h.db.query('CREATE TABLE km1 (id int PRIMARY KEY, v text)');
    const d = await h.open();
    const once = () => [
      rec('km1', 'create', { id: 1 }, { id: 1, v: 'first' }),
      move('km1', 1, 2, 'moved'),
      rec('km1', 'create', { id: 1 }, { id: 1, v: 'second' }),
    ];
    await d.write([...once(), ...once()]);
    expect(await h.rows('SELECT id, v FROM km1 ORDER BY id')).toEqual([
      { id: 1, v: 'second' },
      { id: 2, v: 'moved' },
    ]);
  });

  it('the same three records replayed in separate writes (one record per batch)', async () => {
    await h.db.query('CREATE TABLE km2 (id int PRIMARY KEY, v text)');
    const d = await h.open();
    const once = () => [
      rec('km2', 'create', { id: 1 }, { id: 1, v: 'first' }),
      move('km2', 1, 2, 'moved'),
      rec('km2', 'create', { id: 1 }, { id: 1, v: 'second' }),
    ];
    for (const r of [...once(), ...once()]) await d.write([r]);
    expect(await h.rows('SELECT id, v FROM km2 ORDER BY id')).toEqual([
      { id: 1, v: 'second' },
      { id: 2, v: 'moved' },
    ]);
  });

  it('a key move onto a key that a resumed snapshot already wrote: only the new key remains', async () => {
    await h.db.query('CREATE TABLE km3 (id int PRIMARY KEY, v text, extra text)');
    // The resumed snapshot copied the row under its new key; the old row is still there.
    await h.db.query(
      "INSERT INTO km3 VALUES (10, 'old', 'e10'), (1000010, 'snap', 'e-new'), (11, 'other', null)",
    );
    const d = await h.open();
    await d.write([
      rec(
        'km3',
        'update',
        { id: 1000010 },
        { id: 1000010, v: 'updated' },
        { before: { id: 10, v: 'old' } },
      ),
    ]);
    expect(await h.rows('SELECT id, v FROM km3 ORDER BY id')).toEqual([
      { id: 11, v: 'other' },
      { id: 1000010, v: 'updated' },
    ]);
  });

  it('composite keys: moves, and replays of moves onto taken keys', async () => {
    await h.db.query('CREATE TABLE km4 (a int, b text, v text, PRIMARY KEY (a, b))');
    const d = await h.open();
    const batch = () => [
      rec('km4', 'create', { a: 1, b: 'x' }, { a: 1, b: 'x', v: 'c1' }),
      rec(
        'km4',
        'update',
        { a: 1, b: 'y' },
        { a: 1, b: 'y', v: 'moved' },
        { before: { a: 1, b: 'x' } },
      ),
      rec('km4', 'create', { a: 1, b: 'x' }, { a: 1, b: 'x', v: 'c2' }),
    ];
    await d.write(batch());
    await d.write(batch());
    expect(await h.rows('SELECT a, b, v FROM km4 ORDER BY a, b')).toEqual([
      { a: 1, b: 'x', v: 'c2' },
      { a: 1, b: 'y', v: 'moved' },
    ]);
  });

  it('a move keeps ON UPDATE CASCADE children and unsent columns; a displacing replay deletes the old row', async () => {
    await h.db.query(`
      CREATE TABLE kp (id int PRIMARY KEY, v text, note text);
      CREATE TABLE kc (id int PRIMARY KEY, p int REFERENCES kp(id) ON UPDATE CASCADE ON DELETE SET NULL);
      INSERT INTO kp VALUES (1, 'a', 'kept'); INSERT INTO kc VALUES (100, 1);`);
    const d = await h.open();
    // No row holds key 2: the row moves (children follow, `note` is kept).
    await d.write([rec('kp', 'update', { id: 2 }, { id: 2, v: 'b' }, { before: { id: 1 } })]);
    expect(await h.rows('SELECT id, v, note FROM kp')).toEqual([{ id: 2, v: 'b', note: 'kept' }]);
    expect(await h.rows('SELECT id, p FROM kc')).toEqual([{ id: 100, p: 2 }]);
    // Replayed after the old key came back: key 2 is taken, so key 1's row is deleted (ON
    // DELETE rules apply) and key 2 gets the record's values.
    await h.db.query("INSERT INTO kp VALUES (1, 'again', null); INSERT INTO kc VALUES (101, 1)");
    await d.write([rec('kp', 'update', { id: 2 }, { id: 2, v: 'b2' }, { before: { id: 1 } })]);
    expect(await h.rows('SELECT id, v, note FROM kp')).toEqual([{ id: 2, v: 'b2', note: 'kept' }]);
    expect(await h.rows('SELECT id, p FROM kc ORDER BY id')).toEqual([
      { id: 100, p: 2 },
      { id: 101, p: null },
    ]);
  });

  it('careful path (a later record fails): key moves replayed record by record stay correct', async () => {
    await h.db.query("CREATE TABLE km5 (id int PRIMARY KEY, v text CHECK (v <> 'bad'))");
    const d = await h.open();
    const once = () => [
      rec('km5', 'create', { id: 1 }, { id: 1, v: 'first' }),
      move('km5', 1, 2, 'moved'),
      rec('km5', 'create', { id: 1 }, { id: 1, v: 'second' }),
    ];
    const batch = [...once(), ...once(), rec('km5', 'create', { id: 9 }, { id: 9, v: 'bad' })];
    const e = await failure(() => d.write(batch));
    expect(e).toBeInstanceOf(RecordError);
    expect(e.index).toBe(6);
    expect(await h.rows('SELECT id, v FROM km5 ORDER BY id')).toEqual([
      { id: 1, v: 'second' },
      { id: 2, v: 'moved' },
    ]);
  });

  it('a long stream with key changes, written twice (big runs, both paths): same table as once', async () => {
    await h.db.query(
      'CREATE TABLE km6 (id int PRIMARY KEY, v int); CREATE TABLE km6_once (id int PRIMARY KEY, v int)',
    );
    // Deterministic pseudo-random stream: creates, updates, key moves and deletes.
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const live = new Set<number>();
    const stream: { op: 'create' | 'update' | 'delete'; id: number; from?: number; v: number }[] =
      [];
    let next = 0;
    for (let i = 0; i < 2000; i++) {
      const r = rnd(10);
      const ids = [...live];
      if (ids.length === 0 || r < 4) {
        const id = next++;
        live.add(id);
        stream.push({ op: 'create', id, v: i });
      } else if (r < 7) {
        stream.push({ op: 'update', id: ids[rnd(ids.length)]!, v: i });
      } else if (r < 9) {
        const from = ids[rnd(ids.length)]!;
        const id = next++;
        live.delete(from);
        live.add(id);
        stream.push({ op: 'update', id, from, v: i });
      } else {
        const id = ids[rnd(ids.length)]!;
        live.delete(id);
        stream.push({ op: 'delete', id, v: i });
      }
    }
    const records = (table: string) =>
      stream.map((s) =>
        s.op === 'delete'
          ? rec(table, 'delete', { id: s.id }, null)
          : rec(
              table,
              s.op,
              { id: s.id },
              { id: s.id, v: s.v },
              s.from === undefined ? {} : { before: { id: s.from, v: null } },
            ),
      );
    const d = await h.open();
    const write = async (all: OpenCDCRecord[], size: number) => {
      for (let i = 0; i < all.length; i += size) await d.write(all.slice(i, i + size));
    };
    await write(records('km6_once'), 500);
    // At-least-once: the whole stream, then a replay from the start and from the middle.
    await write(records('km6'), 500);
    await write(records('km6'), 300);
    await write(records('km6').slice(1000), 700);
    const once = await h.rows('SELECT id, v FROM km6_once ORDER BY id');
    expect(once.length).toBe(live.size);
    expect(await h.rows('SELECT id, v FROM km6 ORDER BY id')).toEqual(once);
  });
});
