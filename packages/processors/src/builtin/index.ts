/** The registry of built-in processors, keyed by Conduit's plugin name (no `builtin:` prefix). */
import type { Processor } from '@opencdc-ts/sdk';
import { base64Decode, base64Encode, jsonDecode, jsonEncode } from './encoding.js';
import { fieldConvert, fieldExclude, fieldRename, fieldSet } from './field.js';
import { clone, error, filter, split } from './flow.js';
import { customJavascript } from './javascript.js';
import { unavailableProcessors } from './unavailable.js';

export { unavailableProcessorNames } from './unavailable.js';

import { unwrapDebezium, unwrapKafkaConnect, unwrapOpenCDC } from './unwrap.js';
import { webhookHttp } from './webhook.js';

const all: readonly Processor[] = [
  fieldSet,
  fieldRename,
  fieldExclude,
  fieldConvert,
  filter,
  error,
  clone,
  split,
  jsonDecode,
  jsonEncode,
  base64Decode,
  base64Encode,
  unwrapOpenCDC,
  unwrapDebezium,
  unwrapKafkaConnect,
  webhookHttp,
  customJavascript,
  ...unavailableProcessors,
];

export const builtinProcessors: ReadonlyMap<string, Processor> = new Map(
  all.map((p) => [p.specification.name, p]),
);
