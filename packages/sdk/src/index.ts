export * from './connector.js';
export * from './errors.js';
export * from './parameters.js';
export * from './routing.js';
export * from './specification.js';
