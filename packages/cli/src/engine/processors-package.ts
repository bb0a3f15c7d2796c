import type { Processor } from '@opencdc-ts/sdk';
import type { ChainFactory } from './chain.js';

type ProcessorsPackage = typeof import('@opencdc-ts/processors');

let loaded: Promise<ProcessorsPackage> | undefined;

/**
 * `@opencdc-ts/processors`, loaded on first use: a pipeline without processors never loads it
 * (nor its built-ins' dependencies) and starts as fast as before.
 */
export function processorsPackage(): Promise<ProcessorsPackage> {
  loaded ??= import('@opencdc-ts/processors');
  return loaded;
}

/** The built-in processors, by name (no `builtin:` prefix). */
export async function builtinProcessors(): Promise<ReadonlyMap<string, Processor>> {
  return (await processorsPackage()).builtinProcessors;
}

/** Builds a chain with the real package. */
export const createChain: ChainFactory = async (steps, options) =>
  (await processorsPackage()).createChain(steps, options);
