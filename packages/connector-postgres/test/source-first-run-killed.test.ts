// A first run that stopped before its first ack (killed mid-snapshot) leaves its slot behind, and
// may have written snapshot rows downstream already. The next start must not drop that slot: the
// changes since its consistent point (a delete, a key move of a row the first run already
// delivered) must still arrive, or the destination keeps a row the source no longer has.
// (Found by the fault suite's kill storm: one stale seed row through Kafka.)
import { describe, expect, it } from 'vitest';
import { keyOf, openSource, readCount, readFor, sql, useSourceDatabase } from './source-helpers.js';

let url: string;
const settings = useSourceDatabase('pgsrc_first_killed', async (u) => {
  url = u;
  await sql(u, 'CREATE TABLE first_killed (id int PRIMARY KEY, v text)');
  await sql(u, `INSERT INTO first_killed SELECT g, 'seed' FROM generate_series(1, 50) g`);
});

describe('a first run stopped before its first ack', () => {
  it('keeps the slot: the next start replays the changes made since, after a fresh snapshot', async () => {
    const s = settings({ tables: 'first_killed' });
    const first = await openSource(s);
    const seen = await readCount(first, 50); // delivered downstream, never acked
    expect(seen.map((r) => keyOf(r).id)).toContain(7);
    await first.teardown(); // as a kill leaves it: the slot stays

    await sql(url, 'DELETE FROM first_killed WHERE id = 7');
    await sql(url, 'UPDATE first_killed SET id = 1008 WHERE id = 8');

    const second = await openSource(s); // no stored position
    try {
      const records = await readFor(second, 4000);
      const deleted = records.filter((r) => r.operation === 'delete').map((r) => keyOf(r).id);
      expect(deleted, 'the delete of a row the first run delivered').toContain(7);
      const moved = records.find((r) => r.operation === 'update' && keyOf(r).id === 1008);
      expect(moved, 'the key move of a row the first run delivered').toBeDefined();
      expect((moved!.payload.before as { id: number }).id).toBe(8);
    } finally {
      await second.teardown();
    }
  });
});
