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
