import { type AcceptanceContext, runAcceptanceTests } from '@opencdc-ts/sdk/acceptance';
import { inject } from 'vitest';
import { connector } from '../src/index.js';
import { createTopics, kafka } from './helpers.js';

// The acceptance suite on both broker versions. Topics are created up front (one partition
// each, so the suite's per-collection order checks hold) and deleted after each test.
for (const [name, brokersOf] of [
  ['4.x', () => inject('kafkaBrokers')],
  ['3.9', () => inject('kafka39Brokers')],
] as const) {
  const created = new Set<string>();
  const topics = async (ctx: AcceptanceContext) => {
    if (!created.has(ctx.id)) {
      created.add(ctx.id);
      await createTopics(brokersOf(), [...ctx.collections]);
    }
  };
  runAcceptanceTests({
    connector,
    name: `acceptance: kafka (Kafka ${name})`,
    sourceConfig: async (ctx) => {
      await topics(ctx);
      return {
        servers: brokersOf().join(','),
        topics: ctx.collections.join(','),
        groupID: ctx.id,
        readFromBeginning: 'true',
        valueFormat: 'opencdc',
        topicRefreshInterval: '500ms',
      };
    },
    destinationConfig: async (ctx) => {
      await topics(ctx);
      return { servers: brokersOf().join(',') };
    },
    cleanup: async (ctx) => {
      // Deleting topics that were never created makes kafkajs retry for seconds: skip those.
      if (!created.delete(ctx.id)) return;
      const admin = kafka(brokersOf()).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [...ctx.collections] }).catch(() => undefined);
      await admin.disconnect();
    },
    readTimeout: 20_000,
  });
}
