import { isProcessor, type Processor, type ProcessorFunction } from '@opencdc-ts/sdk';
import { importPluginModule, PluginError, pluginSpecifier } from './resolve.js';

export interface LoadedProcessor {
  /** The plugin reference as written (`field.set`, `builtin:field.set`, `my-pkg`, `./mask.js`). */
  ref: string;
  /** The built-in's name, the specification's name, or the reference of a plain function. */
  name: string;
  version: string;
  processor: Processor | ProcessorFunction;
  /** Where a third-party processor is imported from (so `workers` can run it in threads). */
  module?: { specifier: string; export: string };
}

/**
 * Loads the processor a plugin reference names: a built-in (`field.set`, `builtin:field.set`,
 * an optional `@version` accepted and ignored), else, exactly as a third-party connector, an npm
 * package name or a file path (relative to the pipeline file). The module must export
 * `processor` or `default`: a processor from `defineProcessor`, or a plain function.
 */
export async function loadProcessor(
  ref: string,
  baseDir: string,
  builtins: ReadonlyMap<string, Processor>,
): Promise<LoadedProcessor> {
  const prefixed = /^(builtin|any):/.exec(ref);
  const bare = prefixed ? ref.slice(prefixed[0].length) : ref;
  const name = bare.startsWith('@') ? bare : bare.replace(/@.*$/, '');
  const builtin = builtins.get(name);
  if (builtin) return { ref, name, version: builtin.specification.version, processor: builtin };
  if (prefixed?.[1] === 'builtin' || ref.startsWith('standalone:')) {
    throw new PluginError(
      `unknown processor "${ref}": built-in processors are ${[...builtins.keys()].sort().join(', ')}; for another processor give its npm package name or a file path`,
    );
  }
  let mod: unknown;
  try {
    mod = await importPluginModule(bare, baseDir);
  } catch (err) {
    if (!/^[a-z0-9]+(\.[a-z0-9]+)+$/.test(bare)) throw err;
    // A dotted name is probably meant as a built-in: say so rather than "not installed".
    throw new PluginError(
      `unknown processor "${ref}": built-in processors are ${[...builtins.keys()].sort().join(', ')}`,
      { cause: err },
    );
  }
  const m = mod as { processor?: unknown; default?: unknown };
  const exported = m.processor !== undefined ? 'processor' : 'default';
  const candidate = m[exported];
  const module = { specifier: pluginSpecifier(bare, baseDir), export: exported };
  if (typeof candidate === 'function')
    return { ref, name: ref, version: '', processor: candidate as ProcessorFunction, module };
  if (isProcessor(candidate))
    return {
      ref,
      name: candidate.specification.name,
      version: candidate.specification.version,
      processor: candidate,
      module,
    };
  throw new PluginError(
    `plugin "${ref}" does not export a processor (expected an export "processor" or "default": a processor from defineProcessor, or a function of the records)`,
  );
}
