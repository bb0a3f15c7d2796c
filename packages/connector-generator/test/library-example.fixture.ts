// The "Library use" example of README.md, quoted there verbatim (from the first import on) and
// run by library-example.test.ts.
import { connector } from '@opencdc-ts/connector-generator';

const side = connector.source!; // the source: its parameters and factory
const logger = { debug() {}, info() {}, warn: console.warn, error: console.error };

/** Reads `count` fake users and orders; `after`: the last acked position, to continue there. */
export async function generate(count: number, after?: Uint8Array) {
  // Settings are strings, as in a pipeline file: parse validates them and fills the defaults.
  const config = side.config.parse({
    seed: '42', // the same records on every run, and an exact resume
    rate: '1000',
    'collections.users.format.options.id': 'int',
    'collections.users.format.options.name': 'person.fullName',
    'collections.orders.format.options.total': 'commerce.price',
  });
  const source = side.create(config, { connectorId: 'fake-shop:source', logger });
  await source.open(after);
  const records = [];
  try {
    while (records.length < count) {
      const batch = await source.read(count - records.length, AbortSignal.timeout(30_000));
      records.push(...batch); // ...handle them, then ack (nothing upstream to tell here)
      await source.ack(batch.map((r) => r.position));
    }
  } finally {
    await source.teardown(); // stops generating; nothing was created outside this process
  }
  return records;
}
