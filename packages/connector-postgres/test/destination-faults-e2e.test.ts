// Postgres to Postgres through this connector's own source and destination, for the cases of
// issue 14: keyless tables, collections whose names contain dots, and key moves written twice
// (at-least-once replays them).
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { sourceSettings, transfer, usePgToPg } from './source-helpers.js';

const e2e = usePgToPg('pgdest_f_src', 'pgdest_f_dst');

describe('postgres source to postgres destination: issue 14', () => {
  it('keyless tables, dotted names and key moves arrive, and a replay changes nothing', async () => {
    const { upstream, down } = e2e;
    const ddl = `
      CREATE TABLE bag (n int, label text, doc jsonb);
      CREATE TABLE public."a.b" (id int PRIMARY KEY, v text);
      CREATE SCHEMA a; CREATE TABLE a.b (id int PRIMARY KEY, v text);
      CREATE TABLE moves (id int PRIMARY KEY, v text);`;
    await upstream.query(`${ddl}
      ALTER TABLE bag REPLICA IDENTITY FULL;
      INSERT INTO bag VALUES (1, 'a', '{"k": 1}'), (1, 'b', '{"k": 1}'), (2, 'two', null);
      INSERT INTO public."a.b" VALUES (1, 'public a.b');
      INSERT INTO a.b VALUES (1, 'schema a');
      INSERT INTO moves VALUES (1, 'one');`);
    await down.db.query(ddl);
    const source = await e2e.openSource(
      sourceSettings(e2e.upstreamUrl, { tables: 'bag,"a.b",a.b,moves' }),
    );
    const dest = await down.open();
    const seen: OpenCDCRecord[] = [];
    const pump = async (n: number) => {
      const records = await transfer(source, dest, n);
      seen.push(...records);
      return records;
    };
    await pump(6); // snapshot

    await upstream.query(`
      UPDATE bag SET label = 'changed' WHERE label = 'a';
      DELETE FROM bag WHERE n = 2;
      UPDATE public."a.b" SET v = 'public a.b, 2';
      UPDATE moves SET id = 2 WHERE id = 1;
      INSERT INTO moves VALUES (1, 'one again');`);
    await pump(5);

    const state = async () => ({
      bag: await down.rows('SELECT n, label, doc FROM bag ORDER BY n, label'),
      ab: await down.rows('SELECT id, v FROM public."a.b"'),
      a_b: await down.rows('SELECT id, v FROM a.b'),
      moves: await down.rows('SELECT id, v FROM moves ORDER BY id'),
    });
    const want = {
      bag: [
        { n: 1, label: 'b', doc: { k: 1 } },
        { n: 1, label: 'changed', doc: { k: 1 } },
      ],
      ab: [{ id: 1, v: 'public a.b, 2' }],
      a_b: [{ id: 1, v: 'schema a' }],
      moves: [
        { id: 1, v: 'one again' },
        { id: 2, v: 'one' },
      ],
    };
    expect(await state()).toEqual(want);

    // At-least-once: the changes again (not the keyless snapshot rows, whose appends a replay
    // would duplicate: documented), one by one, then once more in one batch.
    const changes = seen.slice(6);
    for (const r of changes) await dest.write([r]);
    await dest.write(changes);
    expect(await state()).toEqual(want);
  });
});
