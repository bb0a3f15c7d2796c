export * from './buffer.js';
export * from './ledger.js';
