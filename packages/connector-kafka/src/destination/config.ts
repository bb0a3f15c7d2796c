import { DEFAULT_ROUTE_TEMPLATE, defineConfig, param } from '@opencdc-ts/sdk';
import { commonParams } from '../config/common.js';

export const destinationConfig = defineConfig({
  ...commonParams,
  topic: param.string({
    default: DEFAULT_ROUTE_TEMPLATE,
    description:
      'Topic to write each record to: a name (the same topic for every record, no per-record work) or a Go template over the record, e.g. {{ index .Metadata "opencdc.collection" }} (the default: the record\'s collection) or {{ .Payload.After.region }}. Rendered names must be legal Kafka topic names.',
  }),
  acks: param.string({
    default: 'all',
    inclusion: ['none', 'one', 'all'],
    description:
      'Broker acknowledgement awaited per write: none, one (the leader), all (every in-sync replica). all enables the idempotent producer (no duplicates or reordering across retries).',
  }),
  compression: param.string({
    default: 'snappy',
    inclusion: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
    description:
      "Compression of message batches: none, gzip, snappy (Conduit's default), lz4 or zstd. The source reads all of them.",
  }),
  batchBytes: param.int({
    default: 1_048_576,
    greaterThan: 0,
    description:
      "Upper bound of one produce request in bytes; a write larger than this is sent as several requests, in order. (Conduit: 1000012, the broker's default max.message.bytes.)",
  }),
  deliveryTimeout: param.duration({
    default: '30s',
    description:
      'How long one produce request may take, retries included, before the write fails (and is retried by the runtime).',
    check: (ms) => (ms >= 100 ? undefined : 'use at least 100ms'),
  }),
  valueFormat: param.string({
    default: 'opencdc',
    inclusion: ['opencdc', 'payload'],
    description:
      'Message value: the record in the format sdk.record.format names (opencdc: OpenCDC JSON by default, or debezium/json, or a template), or only payload.after (payload: raw bytes or structured data as JSON; a delete becomes a tombstone; metadata goes into headers; sdk.record.format does not apply).',
  }),
  topicCreation: param.string({
    default: 'auto',
    inclusion: ['auto', 'explicit'],
    description:
      'auto: rely on the broker creating missing topics (auto.create.topics.enable). explicit: create missing topics with the admin API before writing to them (for brokers with auto-creation off).',
  }),
  'topic.partitions': param.int({
    default: -1,
    description:
      'Partitions of topics created with topicCreation=explicit (-1: the broker default).',
    check: (n) => (n === -1 || n > 0 ? undefined : 'use -1 (broker default) or a positive number'),
  }),
  'topic.replicationFactor': param.int({
    default: -1,
    description:
      'Replication factor of topics created with topicCreation=explicit (-1: the broker default).',
    check: (n) => (n === -1 || n > 0 ? undefined : 'use -1 (broker default) or a positive number'),
  }),
});

export type DestinationConfig = ReturnType<typeof destinationConfig.parse>;
