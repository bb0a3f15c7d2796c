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
      'Consumer group id. Default: "opencdc-<connector id>" (or the group recorded in the position), stable across restarts.',
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
