import { isProcessor, type Processor, type ProcessorFunction } from '@opencdc-ts/sdk';
import { importPluginModule, PluginError, parsePluginRef, pluginSpecifier } from './resolve.js';

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
 * Loads the processor a plugin reference names, read as Conduit reads plugin names
 * (`parsePluginRef`): a built-in (`field.set`, `builtin:field.set`, `any:field.set`; an
 * `@version` is accepted: one version ships with this runtime), else, exactly as a third-party
 * connector, an npm package name or a file path (relative to the pipeline file). The module must
 * export `processor` or `default`: a processor from `defineProcessor`, or a plain function.
 */
export async function loadProcessor(
  ref: string,
  baseDir: string,
  builtins: ReadonlyMap<string, Processor>,
): Promise<LoadedProcessor> {
  const parsed = parsePluginRef(ref);
  const builtin = parsed.kind === 'module' ? undefined : builtins.get(parsed.name);
  if (builtin)
    return {
      ref,
      name: parsed.name,
      version: builtin.specification.version,
      processor: builtin,
    };
  const names = () => [...builtins.keys()].sort().join(', ');
  if (parsed.kind === 'standalone')
    throw new PluginError(
      `processor "${ref}": Conduit standalone (WebAssembly) processors are not available in opencdc-ts; use a built-in, an npm package or a file path`,
    );
  if (parsed.kind === 'builtin')
    throw new PluginError(
      `unknown processor "${ref}": built-in processors are ${names()}; for another processor give its npm package name or a file path`,
    );
  let mod: unknown;
  try {
    mod = await importPluginModule(parsed.name, baseDir);
  } catch (err) {
    if (parsed.kind === 'module' || !parsed.name.includes('.')) throw err;
    // A dotted Conduit name is meant as a built-in: say so rather than "not installed".
    throw new PluginError(`unknown processor "${ref}": built-in processors are ${names()}`, {
      cause: err,
    });
  }
  const m = mod as { processor?: unknown; default?: unknown };
  const exported = m.processor !== undefined ? 'processor' : 'default';
  const candidate = m[exported];
  const module = { specifier: pluginSpecifier(parsed.name, baseDir), export: exported };
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
