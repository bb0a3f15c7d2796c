import type { Logger } from '@opencdc-ts/sdk';
import { createKafkaJsClient } from './kafkajs.js';
import type { ClientSettings, KafkaClient } from './types.js';

export { classifyConnectError } from './errors.js';
export type * from './types.js';

/** The one place a driver is chosen; another client plugs in here. */
export function createClient(settings: ClientSettings, logger: Logger): KafkaClient {
  return createKafkaJsClient(settings, logger);
}
