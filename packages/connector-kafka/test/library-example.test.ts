import { readmeExample } from '@opencdc-ts/testing';
import { expect, inject, it } from 'vitest';
import { createTopics, kafka, produce, unique } from './helpers.js';
import { readTopics, removeGroup } from './library-example.fixture.js';

it('the README quotes the library example verbatim', () => {
  const { block, readme } = readmeExample(
    new URL('./library-example.fixture.ts', import.meta.url),
    new URL('../README.md', import.meta.url),
  );
  expect(readme).toContain(block);
});

it('the library example reads, acks, tears down, and removes its consumer group', async () => {
  const brokers = inject('kafkaBrokers');
  const topic = unique('orders');
  const group = unique('lib');
  await createTopics(brokers, [topic]);
  await produce(
    brokers,
    topic,
    [1, 2, 3].map((i) => ({ key: String(i), value: `order ${i}` })),
  );
  const records = await readTopics(brokers.join(','), topic, group, 3);
  expect(records.map((r) => r.metadata.get('opencdc.collection'))).toEqual([topic, topic, topic]);
  expect(records.map((r) => new TextDecoder().decode(r.payload.after as Uint8Array))).toEqual([
    'order 1',
    'order 2',
    'order 3',
  ]);

  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    const groups = async () => (await admin.listGroups()).groups.map((g) => g.groupId);
    // What the README says: the group (its committed offsets) stays after teardown().
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    expect(offsets[0]!.partitions[0]!.offset).toBe('3');
    expect(await groups()).toContain(group);
    await removeGroup(brokers.join(','), group);
    expect(await groups()).not.toContain(group);
  } finally {
    await admin.disconnect();
  }
});
