// Postgres to Postgres through this connector's own source and destination: what the source
// emits for TOAST, key changes, deletes and foreign keys is what the destination applies.
import type { Source } from '@opencdc-ts/sdk';
import { createTestDatabase } from '@opencdc-ts/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Harness, harness } from './destination-helpers.js';
import { openSource, readCount, sourceSettings } from './source-helpers.js';

let upstream: pg.Client;
let upstreamUrl: string;
let down: Harness;
let source: Source | undefined;

beforeAll(async () => {
  upstreamUrl = await createTestDatabase(inject('pgUrl'), 'pgdest_e2e_src');
  upstream = new pg.Client({ connectionString: upstreamUrl });
  await upstream.connect();
  down = await harness('pgdest_e2e_dst');
});
afterAll(async () => {
  await source?.teardown();
  await upstream?.end();
  await down?.close();
});

describe('postgres source to postgres destination', () => {
  it('replicates snapshot and changes, keeps unchanged TOAST values, follows key changes', async () => {
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
    source = await openSource(
      sourceSettings(upstreamUrl, { tables: 'authors,docs', 'snapshot.concurrency': '2' }),
    );
    const dest = await down.open();
    const pump = async (n: number) => {
      const records = await readCount(source!, n);
      await dest.write(records);
      await source!.ack(records.map((r) => r.position));
      return records;
    };
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
