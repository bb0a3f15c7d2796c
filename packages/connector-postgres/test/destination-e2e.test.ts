// Postgres to Postgres through this connector's own source and destination: what the source
// emits for TOAST, key changes, deletes and foreign keys is what the destination applies.
import { describe, expect, it } from 'vitest';
import { sourceSettings, transfer, usePgToPg } from './source-helpers.js';

const e2e = usePgToPg('pgdest_e2e_src', 'pgdest_e2e_dst');

describe('postgres source to postgres destination', () => {
  it('replicates snapshot and changes, keeps unchanged TOAST values, follows key changes', async () => {
    const { upstream, down } = e2e;
    await upstream.query(`
      CREATE TABLE authors (id int PRIMARY KEY, name text);
      CREATE TABLE docs (id int PRIMARY KEY, author int REFERENCES authors(id), title text, body text);
      ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
      INSERT INTO authors VALUES (1, 'ann');
      INSERT INTO docs VALUES (1, 1, 'first', repeat('x', 20000));`);
    await down.db.query(`
      CREATE TABLE authors (id int PRIMARY KEY, name text);
      CREATE TABLE docs (id int PRIMARY KEY, author int REFERENCES authors(id), title text, body text);`);
    // The snapshot emits parents before children (foreign-key order, see the README).
    const source = await e2e.openSource(
      sourceSettings(e2e.upstreamUrl, { tables: 'authors,docs', 'snapshot.concurrency': '2' }),
    );
    const dest = await down.open();
    const pump = (n: number) => transfer(source, dest, n);
    await pump(2); // snapshot

    await upstream.query(`
      BEGIN;
      INSERT INTO authors VALUES (2, 'bob');
      INSERT INTO docs VALUES (2, 2, 'second', 'short');
      UPDATE docs SET title = 'first, edited' WHERE id = 1;
      UPDATE docs SET id = 10 WHERE id = 2;
      COMMIT;`);
    const changes = await pump(4);
    expect(changes.map((r) => r.operation)).toEqual(['create', 'create', 'update', 'update']);
    expect(changes[2]!.metadata.get('postgres.toast.unchanged')).toBe('["body"]');

    expect(
      await down.rows('SELECT id, author, title, length(body) AS len FROM docs ORDER BY id'),
    ).toEqual([
      { id: 1, author: 1, title: 'first, edited', len: 20000 },
      { id: 10, author: 2, title: 'second', len: 5 },
    ]);

    await upstream.query('DELETE FROM docs WHERE id = 10; DELETE FROM authors WHERE id = 2;');
    await pump(2);
    expect(await down.rows('SELECT id FROM docs ORDER BY id')).toEqual([{ id: 1 }]);
    expect(await down.rows('SELECT id FROM authors ORDER BY id')).toEqual([{ id: 1 }]);
  });
});
