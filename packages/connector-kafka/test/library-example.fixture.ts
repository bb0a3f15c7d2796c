// The "Library use" example of README.md, quoted there verbatim (from the first import on) and
// run against a real broker by library-example.test.ts.
import { connector } from '@opencdc-ts/connector-kafka';
import { Kafka } from 'kafkajs';

const side = connector.source!; // the source: its parameters and factory
const logger = { debug() {}, info() {}, warn: console.warn, error: console.error };

/** Reads `count` records of `topics` (names and /regex/ patterns) as consumer group `group`. */
export async function readTopics(servers: string, topics: string, group: string, count: number) {
  // Settings are strings, as in a pipeline file: parse validates them and fills the defaults.
  const config = side.config.parse({ servers, topics, groupID: group, readFromBeginning: 'true' });
  const source = side.create(config, { connectorId: group, logger });
  await source.open(undefined); // or the position of the last acked record, to resume after it
  const records = [];
  try {
    while (records.length < count) {
      const batch = await source.read(count - records.length, AbortSignal.timeout(30_000));
      records.push(...batch); // ...handle them (write them somewhere durable), then:
      // ack: commits these offsets for the group, where a restart resumes.
      await source.ack(batch.map((r) => r.position));
    }
  } finally {
    await source.teardown(); // leaves the group; its committed offsets stay on the broker
  }
  return records;
}

/** Once the reader is gone for good: delete its consumer group and committed offsets. */
export async function removeGroup(servers: string, group: string) {
  const admin = new Kafka({ brokers: servers.split(',') }).admin();
  await admin.connect();
  try {
    await admin.deleteGroups([group]);
  } finally {
    await admin.disconnect();
  }
}
