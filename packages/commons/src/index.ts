export * from './constants.js';
export * from './errors.js';
export { fromOpenCDCJSON, toOpenCDCJSON } from './json.js';
export * from './metadata.js';
export { fromProto, toProto } from './proto.js';
export * from './record.js';
