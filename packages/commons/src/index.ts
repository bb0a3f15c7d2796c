export * from './metadata.js';
export * from './record.js';
