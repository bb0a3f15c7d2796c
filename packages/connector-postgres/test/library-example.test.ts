import { createTestDatabase, readmeExample, withPgClient } from '@opencdc-ts/testing';
import { expect, inject, it } from 'vitest';
import { readOrders, removeReader } from './library-example.fixture.js';

it('the README quotes the library example verbatim', () => {
  const { block, readme } = readmeExample(
    new URL('./library-example.fixture.ts', import.meta.url),
    new URL('../README.md', import.meta.url),
  );
  expect(readme).toContain(block);
});

it('the library example reads, acks, tears down, and removes the slot and publication', async () => {
  const url = await createTestDatabase(inject('pgUrl'), 'pglib');
  const app = `lib_${Date.now().toString(36)}`;
  await withPgClient(url, (c) =>
    c.query(
      `CREATE TABLE public.orders (id int PRIMARY KEY, total numeric);
       INSERT INTO public.orders VALUES (1, 9.5), (2, 20), (3, 7.25);`,
    ),
  );
  const records = await readOrders(url, app, 3);
  expect(records.map((r) => [r.operation, r.metadata.get('opencdc.collection')])).toEqual([
    ['snapshot', 'orders'],
    ['snapshot', 'orders'],
    ['snapshot', 'orders'],
  ]);
  expect(records.map((r) => (r.key as { id: number }).id).sort()).toEqual([1, 2, 3]);

  const owned = () =>
    withPgClient(url, async (c) => ({
      slots: (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [app]))
        .rowCount,
      publications: (await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [app]))
        .rowCount,
    }));
  // What the README says: teardown() leaves the slot (pinning WAL) until onDeleted drops it.
  expect(await owned()).toEqual({ slots: 1, publications: 1 });
  await removeReader(url, app);
  expect(await owned()).toEqual({ slots: 0, publications: 0 });
});
