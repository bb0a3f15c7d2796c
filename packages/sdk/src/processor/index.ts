export * from './contract.js';
export * from './define.js';
export {
  copyMetadata,
  type FieldReference,
  FieldReferenceError,
  parseReference,
  type ReferenceKind,
  recordWith,
} from './reference.js';
