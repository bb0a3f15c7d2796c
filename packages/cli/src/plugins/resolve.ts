import { createRequire, isBuiltin } from 'node:module';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Connector, withMiddleware } from '@opencdc-ts/sdk';
import { formatPosition } from '../config/errors.js';
import type { PipelineFile } from '../config/pipeline-file.js';
import { logConnector } from './log-connector.js';

/** Built-in plugin names and the packages that implement them (loaded lazily, by name). */
export const BUILTIN_PACKAGES: { readonly [name: string]: string } = {
  postgres: '@opencdc-ts/connector-postgres',
  kafka: '@opencdc-ts/connector-kafka',
  generator: '@opencdc-ts/connector-generator',
  file: '@opencdc-ts/connector-file',
};

export class PluginError extends Error {
  override readonly name = 'PluginError';
}

export interface LoadedPlugin {
  /** The plugin reference as written (`builtin:postgres`, `./my-connector.js`, `some-pkg`). */
  ref: string;
  connector: Connector;
  /** Set when the reference asks for a version other than the one installed (which is used). */
  versionWarning?: string;
}

/** A plugin reference read as Conduit reads it: `[builtin:|standalone:|any:]name[@version]`. */
export type PluginRef =
  | { kind: 'builtin' | 'standalone' | 'any'; name: string; version?: string }
  /** Not a Conduit name: an npm package name or a file path. */
  | { kind: 'module'; name: string };

export function parsePluginRef(ref: string): PluginRef {
  // Paths and scoped npm packages are ours, not Conduit names (whose "@" starts a version).
  if (ref.startsWith('.') || ref.startsWith('@') || isAbsolute(ref) || ref.includes('/')) {
    return { kind: 'module', name: ref };
  }
  const colon = /^([a-z]+):/.exec(ref);
  const kind = colon ? colon[1] : 'any';
  if (kind !== 'builtin' && kind !== 'standalone' && kind !== 'any') {
    throw new PluginError(
      `plugin "${ref}": unknown prefix "${kind}:"; use builtin:, any: (or no prefix), an npm package name or a file path`,
    );
  }
  const rest = colon ? ref.slice(colon[0].length) : ref;
  const at = rest.indexOf('@');
  return at < 0
    ? { kind, name: rest }
    : { kind, name: rest.slice(0, at), version: rest.slice(at + 1) };
}

/** Every built-in connector name (`log` is part of this runtime). */
export function builtinConnectorNames(): string[] {
  return ['log', ...Object.keys(BUILTIN_PACKAGES)].sort();
}

const builtinList = () => builtinConnectorNames().join(', ');

/**
 * Loads the connector a plugin reference names, as Conduit resolves names: `builtin:<name>`,
 * `any:<name>` or a bare `<name>` (a built-in first; a bare name that is no built-in is then
 * tried as an npm package), each with an optional `@version` (one version ships with this
 * runtime: a different one is used anyway, with `versionWarning`); `standalone:<name>` is not
 * available (no Conduit plugin binaries here). Also an npm package name (resolved from the
 * working directory first, then from this runtime) or a file path (relative to the pipeline
 * file). The module must export `connector` or `default`.
 */
export async function loadPlugin(
  ref: string,
  baseDir: string = process.cwd(),
): Promise<LoadedPlugin> {
  const parsed = parsePluginRef(ref);
  if (parsed.kind === 'standalone') {
    throw new PluginError(
      `plugin "${ref}" is not available: Conduit standalone plugins (binaries) do not run in opencdc-ts; use a built-in (${builtinList()}), an npm package name or a file path`,
    );
  }
  const builtin =
    parsed.kind !== 'module' && (parsed.name === 'log' || parsed.name in BUILTIN_PACKAGES);
  let connector: Connector;
  if (builtin) {
    // Every connector gets the SDK middleware (`sdk.*` parameters), also those not built with
    // `defineConnector` (which applies it already; applying it twice is a no-op).
    connector = withMiddleware(
      parsed.name === 'log'
        ? logConnector
        : pickConnector(await importOrExplain(BUILTIN_PACKAGES[parsed.name] as string, ref), ref),
    );
  } else if (parsed.kind === 'module') {
    connector = withMiddleware(pickConnector(await importPluginModule(ref, baseDir), ref));
  } else {
    const notAvailable = `plugin "${ref}" is not available: "${parsed.name}" is not a built-in connector of opencdc-ts (built-ins: ${builtinList()})`;
    // `builtin:` names only a built-in; Node's own modules (`http`) are never connectors.
    if (parsed.kind === 'builtin' || isBuiltin(parsed.name)) {
      throw new PluginError(
        `${notAvailable}; for another connector give its npm package name or a file path`,
      );
    }
    let mod: unknown;
    try {
      mod = await importPluginModule(parsed.name, baseDir);
    } catch (err) {
      throw new PluginError(
        `${notAvailable} and no npm package "${parsed.name}" is installed; install one that exports a connector, or use a built-in`,
        { cause: err },
      );
    }
    connector = withMiddleware(pickConnector(mod, ref));
  }
  const versionWarning =
    parsed.kind !== 'module' ? checkVersion(ref, parsed.version, connector) : undefined;
  return { ref, connector, ...(versionWarning ? { versionWarning } : {}) };
}

/** Conduit refuses a version it does not have; one version ships here, so it is used with a warning. */
function checkVersion(
  ref: string,
  wanted: string | undefined,
  connector: Connector,
): string | undefined {
  if (wanted === undefined || wanted === 'latest') return undefined;
  const installed = connector.specification.version;
  const norm = (v: string) => v.replace(/^v/, '');
  if (norm(wanted) === norm(installed)) return undefined;
  return `plugin "${ref}": version ${wanted} asked for, but ${connector.specification.name} ${installed} is installed; using ${installed} (remove "@${wanted}" to silence this)`;
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

/**
 * A warning (with its file position) for each connector whose plugin reference asks for a
 * version other than the installed one. References that do not load are skipped: resolving the
 * pipelines reports those.
 */
export async function pluginVersionWarnings(file: PipelineFile): Promise<string[]> {
  const out: string[] = [];
  for (const p of file.pipelines) {
    const refs = [
      ...p.sources,
      ...p.destinations,
      { plugin: p.deadLetter.plugin, pluginAt: p.deadLetter.at },
    ];
    for (const { plugin, pluginAt } of refs) {
      let parsed: PluginRef;
      try {
        parsed = parsePluginRef(plugin);
      } catch {
        continue;
      }
      if (parsed.kind === 'module' || parsed.version === undefined) continue;
      const warning = await loadPlugin(plugin, dirname(file.file)).then(
        (l) => l.versionWarning,
        () => undefined,
      );
      if (warning) out.push(`${formatPosition(pluginAt)}: ${warning}`);
    }
  }
  return out;
}
