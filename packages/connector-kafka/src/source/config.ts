import { defineConfig, param } from '@opencdc-ts/sdk';
import { commonParams } from '../config/common.js';
import { parseTopics } from './topics.js';

export const sourceConfig = defineConfig({
  ...commonParams,
  topics: param.string({
    required: true,
    description:
      'Topics to read: a comma-separated list of names and/or /regex/ patterns (e.g. "orders,/^inventory\\..*/"). Topics created later that match are picked up without a restart; internal topics (names starting with __) never match.',
    check: (v) => {
      try {
        parseTopics(v);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  }),
  groupID: param.string({
    description:
      'Consumer group id. Default: "opencdc-<connector id>" (or the group recorded in the position), stable across restarts. Differs from Conduit on purpose (its default is empty): a group id derived from the connector keeps commits and lag in one group across restarts.',
  }),
  commitOffsetsDelay: param.duration({
    default: '5s',
    description:
      'How often acknowledged offsets are committed to the consumer group; 0 commits on every acknowledgement. Resuming uses the saved position, so this only delays what the group (and its lag) shows.',
    check: (ms) => (ms >= 0 ? undefined : 'use 0 or a positive duration'),
  }),
  commitOffsetsSize: param.int({
    default: 1000,
    greaterThan: 0,
    description:
      'Commit as soon as this many records were acknowledged since the last commit, without waiting for commitOffsetsDelay.',
  }),
  retryGroupJoinErrors: param.bool({
    default: true,
    description:
      'Keep retrying when joining the consumer group fails (no coordinator, rebalances); false: such an error stops the source (and the runtime restarts the pipeline with backoff).',
  }),
  readFromBeginning: param.bool({
    default: false,
    description:
      'For a group without committed offsets: read topics that exist at start from their beginning (true) or only new messages (false). Topics created later are always read from their beginning.',
  }),
  valueFormat: param.string({
    default: 'raw',
    inclusion: ['raw', 'json', 'opencdc'],
    description:
      'How message values become records: raw bytes (raw), a JSON object as structured data (json), or an OpenCDC JSON record unwrapped with its operation, key, payload and metadata (opencdc).',
  }),
  topicRefreshInterval: param.duration({
    default: '10s',
    description: 'How often to look for new topics matching "topics" (and retry pending commits).',
    check: (ms) => (ms >= 100 ? undefined : 'use at least 100ms'),
  }),
  bufferSize: param.int({
    default: 10_000,
    greaterThan: 0,
    description:
      'Records buffered ahead of read(); when full, fetching pauses (backpressure) until half of it is read.',
  }),
});

export type SourceConfig = ReturnType<typeof sourceConfig.parse>;
