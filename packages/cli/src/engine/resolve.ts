import { dirname } from 'node:path';
import {
  ConfigError,
  ConfigErrors,
  type ConnectorSide,
  type Destination,
  type Source,
} from '@opencdc-ts/sdk';
import { type FileIssue, PipelineFileError } from '../config/errors.js';
import type { ConnectorConfig, PipelineConfig, PipelineFile } from '../config/pipeline-file.js';
import { type LoadedPlugin, loadPlugin } from '../plugins/resolve.js';
import {
  type ResolvedConnector,
  type ResolvedPipeline,
  resolvePluginInfo,
} from './pipeline-runner.js';

/** Conduit's default dead-letter settings for `builtin:log`. */
const DEFAULT_LOG_DLQ_SETTINGS = { level: 'warn', message: 'record delivery failed' };

/**
 * Loads every plugin and parses every connector's settings with its `ConfigSchema`, without
 * opening anything. All problems are reported together, each at its place in the file.
 */
export async function resolvePipelines(file: PipelineFile): Promise<ResolvedPipeline[]> {
  const issues: FileIssue[] = [];
  const baseDir = dirname(file.file);
  const cache = new Map<string, Promise<LoadedPlugin>>();
  const load = (ref: string) => {
    let p = cache.get(ref);
    if (!p) {
      p = loadPlugin(ref, baseDir);
      cache.set(ref, p);
    }
    return p;
  };

  async function resolveSide<T>(
    c: Pick<ConnectorConfig, 'fullId' | 'type' | 'plugin' | 'settings' | 'at' | 'pluginAt'>,
  ): Promise<ResolvedConnector<T> | undefined> {
    let plugin: LoadedPlugin;
    try {
      plugin = await load(c.plugin);
    } catch (err) {
      issues.push({ message: (err as Error).message, at: c.pluginAt });
      return undefined;
    }
    const side = plugin.connector[c.type] as ConnectorSide<unknown, T> | undefined;
    if (!side) {
      issues.push({
        message: `plugin "${c.plugin}" (${plugin.connector.specification.name}) has no ${c.type}; it can be used as ${c.type === 'source' ? 'a destination' : 'a source'} only`,
        at: c.pluginAt,
      });
      return undefined;
    }
    try {
      const config = side.config.parse(c.settings);
      return {
        fullId: c.fullId,
        plugin: resolvePluginInfo(c.plugin, plugin.connector),
        features: plugin.connector.specification.features ?? {},
        side,
        config,
      };
    } catch (err) {
      const list =
        err instanceof ConfigErrors ? err.errors : err instanceof ConfigError ? [err] : undefined;
      if (!list) throw err;
      for (const e of list)
        issues.push({ message: `connector "${c.fullId}" (${c.plugin}): ${e.message}`, at: c.at });
      return undefined;
    }
  }

  const out: ResolvedPipeline[] = [];
  for (const p of file.pipelines) {
    const source = await resolveSide<Source>(p.source);
    const destinations: ResolvedConnector<Destination>[] = [];
    for (const d of p.destinations) {
      const r = await resolveSide<Destination>(d);
      if (r) destinations.push(r);
    }
    const deadLetter = await resolveSide<Destination>(deadLetterConnector(p));
    if (source && deadLetter && destinations.length === p.destinations.length) {
      out.push({ config: p, source, destinations, deadLetter });
    }
  }
  if (issues.length > 0) throw new PipelineFileError(issues);
  return out;
}

function deadLetterConnector(p: PipelineConfig): ConnectorConfig {
  const d = p.deadLetter;
  const settings =
    d.plugin.startsWith('builtin:log') && Object.keys(d.settings).length === 0
      ? DEFAULT_LOG_DLQ_SETTINGS
      : d.settings;
  return {
    id: 'dlq',
    fullId: `${p.id}:dlq`,
    type: 'destination',
    plugin: d.plugin,
    settings,
    processors: [],
    at: d.at,
    pluginAt: d.at,
  };
}
