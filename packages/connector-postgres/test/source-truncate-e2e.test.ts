// TRUNCATE through this connector's own source and destination: the source emits one key-less
// `delete` record marked `postgres.truncate` per truncated table; the destination truncates the
// routed table in order, inside the batch transaction.
import { describe, expect, it } from 'vitest';
import { TRUNCATE_KEY } from '../src/index.js';
import { collection, readCount, transfer, usePgToPg } from './source-helpers.js';

const e2e = usePgToPg('pgsrc_trunc_src', 'pgsrc_trunc_dst');

describe('postgres source TRUNCATE to postgres destination', () => {
  it('emits truncate records and the destination truncates in order', async () => {
    const { upstream, down } = e2e;
    const ddl = `
      CREATE TABLE parent (id int PRIMARY KEY);
      CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent(id));
      CREATE TABLE other (id int PRIMARY KEY);`;
    await upstream.query(`${ddl}
      INSERT INTO parent VALUES (1), (2);
      INSERT INTO child VALUES (1, 1), (2, 2);
      INSERT INTO other VALUES (1);`);
    await down.db.query(ddl);
    const settings = e2e.settings({ tables: 'parent,child' });
    let source = await e2e.openSource(settings);
    const dest = await down.open();
    const pump = (n: number) => transfer(source, dest, n);
    await pump(4); // snapshot, parents first
    expect(await down.rows('SELECT count(*)::int AS n FROM child')).toEqual([{ n: 2 }]);

    await upstream.query('TRUNCATE child');
    const [t1] = await pump(1);
    expect(t1!.operation).toBe('delete');
    expect(t1!.key).toBeNull();
    expect(t1!.payload).toEqual({ before: null, after: null });
    expect(t1!.metadata.get(TRUNCATE_KEY)).toBe('true');
    expect(collection(t1!)).toBe('child');
    expect(await down.rows('SELECT id FROM child')).toEqual([]);
    expect(await down.rows('SELECT id FROM parent ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);

    // Several tables linked by a foreign key in one TRUNCATE (an unselected one too), with
    // changes before and after it in the same transaction: applied in source order.
    await upstream.query(`
      BEGIN;
      INSERT INTO parent VALUES (3);
      INSERT INTO child VALUES (3, 3);
      TRUNCATE parent, child, other RESTART IDENTITY;
      INSERT INTO parent VALUES (4);
      INSERT INTO child VALUES (4, 4);
      COMMIT;`);
    const recs = await readCount(source, 6);
    await dest.write(recs);
    // Acknowledge up to the first truncate record only: the rest comes again after a restart.
    await source.ack(recs.slice(0, 3).map((r) => r.position));
    expect(recs.map((r) => `${r.operation}:${collection(r)}`)).toEqual([
      'create:parent',
      'create:child',
      expect.stringMatching(/^delete:(parent|child)$/),
      expect.stringMatching(/^delete:(parent|child)$/),
      'create:parent',
      'create:child',
    ]);
    expect(recs[2]!.metadata.get(`${TRUNCATE_KEY}.restartIdentity`)).toBe('true');
    expect(await down.rows('SELECT id FROM parent')).toEqual([{ id: 4 }]);
    expect(await down.rows('SELECT id, parent_id FROM child')).toEqual([{ id: 4, parent_id: 4 }]);

    // Resuming from the first truncate record of that transaction skips what was acknowledged.
    await source.teardown();
    source = await e2e.openSource(settings, recs[2]!.position);
    const again = await readCount(source, 3);
    expect(again.map((r) => `${r.operation}:${collection(r)}`)).toEqual([
      `delete:${collection(recs[3]!)}`,
      'create:parent',
      'create:child',
    ]);
    expect(again[0]!.metadata.get(TRUNCATE_KEY)).toBe('true');
    expect(again.map((r) => r.position)).toEqual(recs.slice(3).map((r) => r.position));
  });
});
