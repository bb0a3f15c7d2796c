export * from './contract.js';
export * from './define.js';
export {
  type FieldReference,
  FieldReferenceError,
  parseReference,
  type ReferenceKind,
} from './reference.js';
