// The crash window between adding a new table to the publication and acknowledging its first
// backfilled record: the pending backfill is announced in the WAL in the same transaction as the
// publication change, so a restart from an older position backfills the table again.
import { describe, expect, it } from 'vitest';
import {
  collection,
  keyOf,
  openSource,
  readCount,
  readFor,
  sql,
  useSourceDatabase,
} from './source-helpers.js';

let url: string;
const settings = useSourceDatabase('pgsrc_bfcrash', (u) => {
  url = u;
});

const summary = (r: Parameters<typeof collection>[0]) => [collection(r), r.operation, keyOf(r).id];

describe('postgres source: durable pending backfills', () => {
  it('backfills a discovered table again after a crash before its first record was acked', async () => {
    await sql(
      url,
      'CREATE SCHEMA w; CREATE TABLE w.a (id int PRIMARY KEY); INSERT INTO w.a VALUES (1)',
    );
    const s = settings({ tables: 'w.*' });
    let src = await openSource(s);
    const [snap] = await readCount(src, 1);
    await src.ack([snap!.position]);
    await sql(url, 'INSERT INTO w.a VALUES (2)');
    const [c] = await readCount(src, 1);
    await src.ack([c!.position]);

    await sql(
      url,
      'CREATE TABLE w.b (id int PRIMARY KEY); INSERT INTO w.b SELECT generate_series(1, 3)',
    );
    // The table is found, added to the publication and its backfill starts...
    const bf = await readCount(src, 1, 20_000);
    expect(summary(bf[0]!)).toEqual(['w.b', 'snapshot', 1]);
    // ...and the process dies before anything of it was acknowledged.
    await src.teardown();

    src = await openSource(s, c!.position);
    try {
      const again = await readCount(src, 3, 20_000);
      expect(again.map(summary)).toEqual([1, 2, 3].map((id) => ['w.b', 'snapshot', id]));
      // Acknowledged past the announcement: a later restart does not backfill it a third time.
      await src.ack([again[2]!.position]);
      await sql(url, 'INSERT INTO w.b VALUES (4)');
      const [n] = await readCount(src, 1);
      expect(summary(n!)).toEqual(['w.b', 'create', 4]);
      await src.ack([n!.position]);
      await src.teardown();
      src = await openSource(s, n!.position);
      expect(await readFor(src, 1500)).toEqual([]);
    } finally {
      await src.teardown();
    }
  });
});
