/**
 * `@opencdc-ts/sdk`: the connector author's contract: the connector and its source and
 * destination, errors, parameters, routing and features. What runtimes and tools do with a
 * specification (proto, JSON, YAML, README) is `@opencdc-ts/sdk/spec`; the acceptance suite is
 * `@opencdc-ts/sdk/acceptance`.
 */
export * from './connector.js';
export * from './define-connector.js';
export * from './errors.js';
export * from './middleware/index.js';
export * from './params/index.js';
export * from './processor/index.js';
export * from './route/index.js';
export * from './source/index.js';
export {
  type DestinationFeatures,
  type Features,
  type SourceFeatures,
  type Specification,
  sourceCanResume,
} from './spec/types.js';
