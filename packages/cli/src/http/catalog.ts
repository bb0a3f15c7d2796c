/**
 * What the server describes besides the running pipelines: the connector plugins (built in, and
 * those the pipeline file names) and the processor plugins, with their specifications.
 */
import type { ProcessorSpecification, Specification } from '@opencdc-ts/sdk';
import { builtinProcessors } from '../engine/processors-package.js';
import { BUILTIN_PACKAGES, loadPlugin } from '../plugins/resolve.js';

export interface ConnectorPlugin {
  /** The plugin reference (`builtin:postgres`, a package name, a path). */
  plugin: string;
  source: boolean;
  destination: boolean;
  specification?: Specification;
  /** Why it could not be loaded (a built-in whose package is missing, say). */
  error?: string;
}

/** The built-in connectors, then `extra` references (resolved from `baseDir`), each once. */
export async function loadConnectorPlugins(
  extra: readonly string[],
  baseDir: string,
): Promise<ConnectorPlugin[]> {
  const builtin = ['log', ...Object.keys(BUILTIN_PACKAGES)].map((n) => `builtin:${n}`);
  const refs = [...new Set([...builtin, ...extra.filter((r) => !r.startsWith('builtin:'))])];
  return Promise.all(
    refs.map(async (plugin): Promise<ConnectorPlugin> => {
      try {
        const { connector } = await loadPlugin(plugin, baseDir);
        return {
          plugin,
          source: connector.source !== undefined,
          destination: connector.destination !== undefined,
          specification: connector.specification,
        };
      } catch (err) {
        return { plugin, source: false, destination: false, error: (err as Error).message };
      }
    }),
  );
}

/** The built-in processors' specifications (`@opencdc-ts/processors`); none if it cannot load. */
export async function loadProcessorSpecs(): Promise<ProcessorSpecification[]> {
  try {
    const builtins = await builtinProcessors();
    return [...builtins.values()]
      .map((p) => p.specification)
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}
