export * from './connector.js';
export * from './define-connector.js';
export * from './errors.js';
export * from './parameters.js';
export * from './params/index.js';
export * from './route/index.js';
export * from './routing.js';
export * from './specification.js';
