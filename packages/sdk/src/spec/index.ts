/**
 * `@opencdc-ts/sdk/spec`: what runtimes, UIs and tools do with a specification (an author needs
 * none of it): conversion to and from the proto message, JSON and YAML, the README renderer, and
 * the generated proto types (`proto.SpecificationSchema`).
 */
/** Generated proto messages (`opencdc.sdk.v1`), e.g. `proto.SpecificationSchema`. */
export * as proto from '../gen/opencdc/sdk/v1/specification_pb.js';
export {
  specificationFromBinary,
  specificationFromProto,
  specificationToBinary,
  specificationToJSON,
  specificationToObject,
  specificationToProto,
  specificationToYAML,
} from './convert.js';
export { README_END, README_START, renderReadmeSection, replaceReadmeSection } from './readme.js';
export type {
  DestinationFeatures,
  Features,
  SourceFeatures,
  Specification,
} from './types.js';
