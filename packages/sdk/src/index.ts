export * from './connector.js';
export * from './define-connector.js';
export * from './errors.js';
/** Generated proto messages (`opencdc.sdk.v1`), e.g. `proto.SpecificationSchema`. */
export * as proto from './gen/opencdc/sdk/v1/specification_pb.js';
export * from './parameters.js';
export * from './params/index.js';
export * from './route/index.js';
export * from './routing.js';
export * from './spec/index.js';
export * from './specification.js';
