/**
 * `@opencdc-ts/processors`: Conduit's built-in processors with Conduit's names, parameters and
 * behaviour (`builtinProcessors`), and `createChain`, which runs processors over records with
 * conditions and workers, as the cli does for a pipeline's `processors:`.
 */
export { builtinProcessors, unavailableProcessorNames } from './builtin/index.js';
export { type Chain, type ChainOptions, type ChainStep, createChain } from './chain.js';
export type { ModuleRef } from './workers.js';
