import { createRequire } from 'node:module';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connector } from '@opencdc-ts/sdk';
import { logConnector } from './log-connector.js';

/** Built-in plugin names and the packages that implement them (loaded lazily, by name). */
export const BUILTIN_PACKAGES: { readonly [name: string]: string } = {
  postgres: '@opencdc-ts/connector-postgres',
  kafka: '@opencdc-ts/connector-kafka',
  generator: '@opencdc-ts/connector-generator',
};

export class PluginError extends Error {
  override readonly name = 'PluginError';
}

export interface LoadedPlugin {
  /** The plugin reference as written (`builtin:postgres`, `./my-connector.js`, `some-pkg`). */
  ref: string;
  connector: Connector;
}

/**
 * Loads the connector a plugin reference names. `builtin:<name>` (an optional `@version` is
 * accepted and ignored: one version ships with this runtime), an npm package name (resolved
 * from the working directory first, then from this runtime), or a file path (relative to the
 * pipeline file). The module must export `connector` or `default`.
 */
export async function loadPlugin(
  ref: string,
  baseDir: string = process.cwd(),
): Promise<LoadedPlugin> {
  const name = ref.startsWith('builtin:')
    ? ref.slice('builtin:'.length).replace(/@.*$/, '')
    : undefined;
  if (name === 'log') return { ref, connector: logConnector };
  let mod: unknown;
  if (name !== undefined) {
    const pkg = BUILTIN_PACKAGES[name];
    if (!pkg) {
      throw new PluginError(
        `unknown plugin "${ref}": built-in plugins are ${['log', ...Object.keys(BUILTIN_PACKAGES)].map((n) => `builtin:${n}`).join(', ')}; for another connector give its npm package name or a file path`,
      );
    }
    mod = await importOrExplain(pkg, ref);
  } else if (ref.startsWith('standalone:')) {
    throw new PluginError(
      `plugin "${ref}": Conduit standalone plugins are not supported; use an npm package name or a file path`,
    );
  } else mod = await importPluginModule(ref, baseDir);
  return { ref, connector: pickConnector(mod, ref) };
}

/**
 * Imports a third-party plugin module: a file path (relative to `baseDir`, the pipeline file's
 * folder) or an npm package name (resolved from the working directory first, then from this
 * runtime). Connectors and processors are loaded the same way.
 */
export async function importPluginModule(ref: string, baseDir: string): Promise<unknown> {
  return importOrExplain(pluginSpecifier(ref, baseDir), ref);
}

/** What `importPluginModule` imports for `ref`: a `file:` URL, else the package name itself. */
export function pluginSpecifier(ref: string, baseDir: string): string {
  if (ref.startsWith('.') || isAbsolute(ref)) return pathToFileURL(resolvePath(baseDir, ref)).href;
  try {
    // Third-party plugins are usually installed next to the pipeline, not next to us.
    return pathToFileURL(createRequire(resolvePath(process.cwd(), 'noop.js')).resolve(ref)).href;
  } catch {
    // Fall back to resolving from this runtime's own dependencies.
    return ref;
  }
}

async function importOrExplain(specifier: string, ref: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new PluginError(
        `plugin "${ref}": cannot load module "${specifier}" (${firstLine(e.message)}); is it installed?`,
        { cause: err },
      );
    }
    throw new PluginError(`plugin "${ref}": loading failed: ${e.message}`, { cause: err });
  }
}

function pickConnector(mod: unknown, ref: string): Connector {
  const m = mod as { connector?: unknown; default?: unknown };
  const candidate = m.connector ?? m.default;
  if (isConnector(candidate)) return candidate;
  throw new PluginError(
    `plugin "${ref}" does not export a connector (expected an export "connector" or "default" with "specification" and "source" and/or "destination")`,
  );
}

function isConnector(v: unknown): v is Connector {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Partial<Connector>;
  return (
    typeof c.specification === 'object' &&
    c.specification !== null &&
    (c.source !== undefined || c.destination !== undefined)
  );
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
