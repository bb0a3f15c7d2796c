import { defineConnector } from '@opencdc-ts/sdk';
import { destinationConfig } from './destination/config.js';
import { KafkaDestination } from './destination/destination.js';
import { sourceConfig } from './source/config.js';
import { KafkaSource } from './source/source.js';
import { VERSION } from './version.js';

export type { DestinationConfig } from './destination/config.js';
export type { SourceConfig } from './source/config.js';
export type { KafkaPosition } from './source/position.js';
export { kafkaTopicName } from './topic-name.js';

/** Kafka source (many topics, patterns, live topic discovery) and routing destination. */
export const connector = defineConnector({
  name: 'kafka',
  summary: 'Reads many Kafka topics and writes each record to the topic its route names.',
  description:
    'Source: a consumer group over a list of topics and /regex/ patterns (new matching topics are picked up live), offsets committed only for acknowledged records. Destination: an idempotent producer routing each record by a topic template, with optional explicit topic creation.',
  version: VERSION,
  author: 'opencdc-ts',
  features: {
    source: { multipleCollections: true, cdc: { snapshot: false, resume: true } },
    destination: { multipleCollections: true },
  },
  source: {
    config: sourceConfig,
    create: (config, ctx) => new KafkaSource(config, ctx),
  },
  destination: {
    config: destinationConfig,
    create: (config, ctx) => new KafkaDestination(config, ctx),
  },
});

export default connector;
