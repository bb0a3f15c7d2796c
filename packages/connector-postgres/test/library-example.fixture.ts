// The "Library use" example of README.md, quoted there verbatim (from the first import on) and
// run against a real PostgreSQL by library-example.test.ts.
import { connector } from '@opencdc-ts/connector-postgres';

const side = connector.source!; // the source: its parameters, factory and lifecycle hooks
const logger = { debug() {}, info() {}, warn: console.warn, error: console.error };

/** `app` names the replication slot and the publication this reader owns. */
function configure(url: string, app: string) {
  // Settings are strings, as in a pipeline file: parse validates them and fills the defaults.
  const config = side.config.parse({
    url,
    tables: 'public.orders',
    'logrepl.slotName': app,
    'logrepl.publicationName': app,
  });
  return { config, ctx: { connectorId: `${app}:source`, logger } };
}

/** Reads `count` records: the snapshot of `public.orders`, then its changes. */
export async function readOrders(url: string, app: string, count: number) {
  const { config, ctx } = configure(url, app);
  const source = side.create(config, ctx);
  await source.open(undefined); // or the position of the last acked record, to resume after it
  const records = [];
  try {
    while (records.length < count) {
      const batch = await source.read(count - records.length, AbortSignal.timeout(30_000));
      records.push(...batch); // ...handle them (write them somewhere durable), then:
      // ack: the slot may now release that WAL, and a resume starts after these records.
      await source.ack(batch.map((r) => r.position));
    }
  } finally {
    await source.teardown(); // closes the connections; the slot and publication stay
  }
  return records;
}

/** Once the reader is gone for good: drop its slot (which pins WAL) and its publication. */
export async function removeReader(url: string, app: string) {
  const { config, ctx } = configure(url, app);
  await side.onDeleted?.(config, ctx);
}
