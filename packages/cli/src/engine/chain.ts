import type { createChain } from '@opencdc-ts/processors';

/** The runtime's view of processor chains: `@opencdc-ts/processors`' own types. */
export type { Chain, ChainStep } from '@opencdc-ts/processors';

/** Builds a chain: `createChain`, or a fake in the runner's unit tests. */
export type ChainFactory = typeof createChain;
