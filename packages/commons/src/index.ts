export { isStandardBase64 } from './base64.js';
export * from './constants.js';
export { findTooDeep, MAX_DEPTH, truncateDepth } from './depth.js';
export * from './errors.js';
export { fromOpenCDCJSON, toOpenCDCJSON } from './json.js';
export * from './metadata.js';
export { fromProto, toProto } from './proto.js';
export * from './record.js';
