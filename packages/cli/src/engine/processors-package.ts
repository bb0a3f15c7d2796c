import type { Processor } from '@opencdc-ts/sdk';
import type { ChainFactory } from './chain.js';

/**
 * `@opencdc-ts/processors`, loaded on first use: a pipeline without processors never loads it.
 * (The specifier is a variable while that package is being written; see `wire` below.)
 */
interface ProcessorsPackage {
  builtinProcessors: ReadonlyMap<string, Processor>;
  createChain: ChainFactory;
}

let loaded: Promise<ProcessorsPackage> | undefined;

export function processorsPackage(): Promise<ProcessorsPackage> {
  const specifier = '@opencdc-ts/processors';
  loaded ??= import(specifier) as Promise<ProcessorsPackage>;
  return loaded;
}

/** The built-in processors, by name (no `builtin:` prefix). */
export async function builtinProcessors(): Promise<ReadonlyMap<string, Processor>> {
  return (await processorsPackage()).builtinProcessors;
}

/** Builds a chain with the real package. */
export const createChain: ChainFactory = async (steps, options) =>
  (await processorsPackage()).createChain(steps, options);
