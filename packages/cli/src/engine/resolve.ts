import { dirname } from 'node:path';
import {
  applyDestinationBatching,
  ConfigError,
  ConfigErrors,
  type ConnectorSide,
  compileCondition,
  type Destination,
  type Source,
  TemplateSyntaxError,
} from '@opencdc-ts/sdk';
import { type FileIssue, PipelineFileError } from '../config/errors.js';
import type {
  ConnectorConfig,
  PipelineConfig,
  PipelineFile,
  ProcessorConfig,
} from '../config/pipeline-file.js';
import { type LoadedProcessor, loadProcessor } from '../plugins/processor-plugin.js';
import { type LoadedPlugin, loadPlugin } from '../plugins/resolve.js';
import type { ChainStep } from './chain.js';
import {
  type ResolvedConnector,
  type ResolvedPipeline,
  resolvePluginInfo,
} from './pipeline-runner.js';
import { builtinProcessors } from './processors-package.js';

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

  const processorCache = new Map<string, Promise<LoadedProcessor>>();
  const loadProc = async (ref: string) => {
    let p = processorCache.get(ref);
    if (!p) {
      p = builtinProcessors().then((builtins) => loadProcessor(ref, baseDir, builtins));
      processorCache.set(ref, p);
    }
    return p;
  };

  /** Loads each processor and checks its settings; undefined when one has a problem. */
  async function resolveProcessors(
    list: readonly ProcessorConfig[],
    pipelineId: string,
  ): Promise<ChainStep[] | undefined> {
    const steps: ChainStep[] = [];
    let ok = true;
    for (const pc of list) {
      let loaded: LoadedProcessor;
      try {
        loaded = await loadProc(pc.plugin);
      } catch (err) {
        issues.push({ message: (err as Error).message, at: pc.at });
        ok = false;
        continue;
      }
      if (pc.condition !== undefined && pc.condition.trim() !== '') {
        try {
          compileCondition(pc.condition);
        } catch (err) {
          if (!(err instanceof TemplateSyntaxError)) throw err;
          issues.push({
            message: `processor "${pipelineId}:${pc.id}" (${pc.plugin}): condition ${JSON.stringify(pc.condition)}: template syntax: ${err.message}. Fix: write a Go template that renders true or false, e.g. {{ eq .Metadata.table "users" }}`,
            at: pc.at,
          });
          ok = false;
          continue;
        }
      }
      const proc = loaded.processor;
      if (typeof proc !== 'function') {
        try {
          proc.config.parse(pc.settings);
        } catch (err) {
          const list =
            err instanceof ConfigErrors
              ? err.errors
              : err instanceof ConfigError
                ? [err]
                : undefined;
          if (!list) throw err;
          for (const e of list)
            issues.push({
              message: `processor "${pipelineId}:${pc.id}" (${pc.plugin}): ${e.message}`,
              at: pc.at,
            });
          ok = false;
          continue;
        }
      }
      steps.push({
        id: pc.id,
        processor: proc,
        settings: pc.settings,
        ...(pc.condition !== undefined ? { condition: pc.condition } : {}),
        workers: pc.workers,
        ...(loaded.module ? { module: loaded.module } : {}),
      });
    }
    return ok ? steps : undefined;
  }

  async function resolveSide<T>(
    c: Pick<ConnectorConfig, 'fullId' | 'type' | 'plugin' | 'settings' | 'at' | 'pluginAt'> & {
      processors?: readonly ProcessorConfig[];
    },
    pipelineId: string,
  ): Promise<ResolvedConnector<T> | undefined> {
    const processors =
      c.processors && c.processors.length > 0
        ? await resolveProcessors(c.processors, pipelineId)
        : [];
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
      if (!processors) return undefined;
      return {
        fullId: c.fullId,
        plugin: resolvePluginInfo(c.plugin, plugin.connector),
        features: plugin.connector.specification.features ?? {},
        side,
        config,
        ...(processors.length > 0 ? { processors } : {}),
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
    const sources: ResolvedConnector<Source>[] = [];
    for (const c of p.sources) {
      const r = await resolveSide<Source>(c, p.id);
      if (r) sources.push(r);
    }
    const destinations: ResolvedConnector<Destination>[] = [];
    for (const d of p.destinations) {
      const r = await resolveSide<Destination>(d, p.id);
      if (r) destinations.push(r);
    }
    const processors = p.processors.length > 0 ? await resolveProcessors(p.processors, p.id) : [];
    const deadLetter = await resolveSide<Destination>(deadLetterConnector(p), p.id);
    if (
      sources.length === p.sources.length &&
      sources.length > 0 &&
      deadLetter &&
      processors &&
      destinations.length === p.destinations.length
    ) {
      // The destinations' sdk.batch.* shape what is read (writes follow reads one to one).
      for (const s of sources)
        applyDestinationBatching(
          s.config,
          destinations.map((d) => d.config),
        );
      out.push({
        config: p,
        sources,
        source: sources[0]!,
        destinations,
        deadLetter,
        ...(processors.length > 0 ? { processors } : {}),
      });
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
