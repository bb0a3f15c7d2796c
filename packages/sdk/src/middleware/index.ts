/**
 * Connector middleware: Conduit's `sdk.*` parameters (batching, rate limiting, record format,
 * schema extraction) for every connector, with nothing for its author to write.
 * `defineConnector` applies it; runtimes apply `withMiddleware` to any connector they load.
 */
export { type Clock, systemClock } from './clock.js';
export { recordBytes, withDestinationMiddleware } from './destination.js';
export {
  RECORD_FORMATS,
  type RecordFormat,
  type RecordFormatSettings,
  type RecordFormatter,
  recordFormatter,
} from './format/index.js';
export {
  type DestinationMiddlewareConfig,
  destinationMiddlewareConfig,
  destinationMiddlewareParams,
  NO_SCHEMA_REGISTRY,
  processorMiddlewareConfig,
  processorMiddlewareParams,
  refuseSchemaTrue,
  type SourceMiddlewareConfig,
  sourceMiddlewareConfig,
  sourceMiddlewareParams,
} from './params.js';
export { RateLimiter } from './rate.js';
export { type BatchSettings, withSourceBatching } from './source-batch.js';
export {
  applyDestinationBatching,
  hasMiddleware,
  withDestinationSideMiddleware,
  withMiddleware,
  withSourceMiddleware,
} from './wrap.js';
