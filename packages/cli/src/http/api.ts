/**
 * The JSON API's shapes, after Conduit's HTTP API (`/v1/pipelines`, `/v1/connectors`,
 * `/v1/connectors/plugins`, `/v1/processors`, `/v1/processors/plugins`, `/info`): the same paths,
 * field names (camelCase) and enum strings where Conduit has an equivalent. What Conduit does not
 * have is added under its own key (`stats` of a pipeline, `features` and `plugin` of a connector
 * plugin). Settings are shown with secrets masked.
 */
import { arch, platform } from 'node:os';
import type { ProcessorSpecification } from '@opencdc-ts/sdk';
import type { ConnectorConfig, PipelineConfig, ProcessorConfig } from '../config/pipeline-file.js';
import type { PipelineStats, PipelineStatus } from '../engine/stats.js';
import type { ConnectorPlugin } from './catalog.js';

export interface ApiSource {
  version: string;
  /** Every pipeline of the file, running or not. */
  pipelines: readonly PipelineConfig[];
  /** The running pipelines' counters, by pipeline id. */
  stats: ReadonlyMap<string, PipelineStats>;
  connectorPlugins: readonly ConnectorPlugin[];
  processorPlugins: readonly ProcessorSpecification[];
}

/** Conduit's `Pipeline.Status` for ours. */
const CONDUIT_STATUS: { [s in PipelineStatus]: string } = {
  starting: 'STATUS_RUNNING',
  running: 'STATUS_RUNNING',
  retrying: 'STATUS_RECOVERING',
  stopping: 'STATUS_STOPPED',
  stopped: 'STATUS_STOPPED',
  failed: 'STATUS_DEGRADED',
};

export function pipelineView(p: PipelineConfig, s: PipelineStats | undefined) {
  const collections = new Set([
    ...(s?.readPerCollection.keys() ?? []),
    ...(s?.perCollection.keys() ?? []),
  ]);
  return {
    id: p.id,
    state: {
      status: s ? CONDUIT_STATUS[s.status] : 'STATUS_STOPPED',
      error: (s?.status === 'failed' || s?.status === 'retrying' ? s.lastError : undefined) ?? '',
    },
    config: { name: p.name, description: p.description },
    connectorIds: connectorsOf(p).map((c) => c.fullId),
    processorIds: processorsOf(p).map((x) => x.processor.id),
    stats: s && {
      status: s.status,
      ready: s.open,
      startedAt: new Date(s.startedAt).toISOString(),
      recordsRead: s.totalRead,
      recordsWritten: s.total,
      deadLetters: s.deadLettered,
      batches: s.batches,
      retries: s.retries,
      lagMs: s.lagMs ?? null,
      lastError: s.lastError ?? null,
      collections: [...collections].sort().map((collection) => ({
        collection,
        read: s.readPerCollection.get(collection) ?? 0,
        written: s.perCollection.get(collection) ?? 0,
        lagMs: s.lagPerCollection.get(collection) ?? null,
      })),
    },
  };
}

function connectorsOf(p: PipelineConfig): ConnectorConfig[] {
  // `sources` holds every source (`source` is the first of them).
  return [...(p.sources ?? [p.source]), ...p.destinations];
}

export function connectorView(p: PipelineConfig, c: ConnectorConfig) {
  return {
    id: c.fullId,
    type: c.type === 'source' ? 'TYPE_SOURCE' : 'TYPE_DESTINATION',
    plugin: c.plugin,
    pipelineId: p.id,
    config: { name: c.id, settings: maskSecrets(c.settings) },
    processorIds: (c.processors ?? []).map((x) => x.id),
  };
}

function processorsOf(
  p: PipelineConfig,
): { processor: ProcessorConfig; parent: { type: string; id: string } }[] {
  return [
    ...(p.processors ?? []).map((processor) => ({
      processor,
      parent: { type: 'TYPE_PIPELINE', id: p.id },
    })),
    ...connectorsOf(p).flatMap((c) =>
      (c.processors ?? []).map((processor) => ({
        processor,
        parent: { type: 'TYPE_CONNECTOR', id: c.fullId },
      })),
    ),
  ];
}

export function processorViews(p: PipelineConfig) {
  return processorsOf(p).map(({ processor, parent }) => ({
    id: processor.id,
    plugin: processor.plugin,
    parent,
    condition: processor.condition ?? '',
    config: { settings: maskSecrets(processor.settings), workers: processor.workers },
  }));
}

export function connectorPluginView(c: ConnectorPlugin) {
  const s = c.specification;
  return {
    name: s?.name ?? c.plugin,
    summary: s?.summary ?? '',
    description: s?.description ?? '',
    version: s?.version ?? '',
    author: s?.author ?? '',
    sourceParams: c.source ? (s?.sourceParams ?? {}) : {},
    destinationParams: c.destination ? (s?.destinationParams ?? {}) : {},
    plugin: c.plugin,
    source: c.source,
    destination: c.destination,
    features: s?.features ?? {},
    error: c.error,
  };
}

export function infoView(version: string) {
  return { version, os: platform(), arch: arch() };
}

/** The routes: a JSON body for a GET path, or `undefined` (404). */
export function apiGet(src: ApiSource, path: string, query: URLSearchParams): unknown {
  const pipelineId = query.get('pipelineId') ?? query.get('pipeline_id');
  const byPipeline = (p: PipelineConfig) => !pipelineId || p.id === pipelineId;
  if (path === '/info') return infoView(src.version);
  if (path === '/v1/pipelines')
    return src.pipelines.map((p) => pipelineView(p, src.stats.get(p.id)));
  if (path === '/v1/connectors/plugins') return src.connectorPlugins.map(connectorPluginView);
  if (path === '/v1/connectors')
    return src.pipelines
      .filter(byPipeline)
      .flatMap((p) => connectorsOf(p).map((c) => connectorView(p, c)));
  if (path === '/v1/processors/plugins') return src.processorPlugins;
  if (path === '/v1/processors') return src.pipelines.flatMap(processorViews);
  const one = /^\/v1\/(pipelines|connectors|processors)\/([^/]+)$/.exec(path);
  if (!one) return undefined;
  const id = decodeURIComponent(one[2]!);
  if (one[1] === 'pipelines') {
    const p = src.pipelines.find((x) => x.id === id);
    return p && pipelineView(p, src.stats.get(p.id));
  }
  if (one[1] === 'connectors') {
    for (const p of src.pipelines)
      for (const c of connectorsOf(p)) if (c.fullId === id) return connectorView(p, c);
    return undefined;
  }
  return src.pipelines.flatMap(processorViews).find((x) => x.id === id);
}

const SECRET_KEY = /password|passwd|secret|token|credential|private|apikey|api_key|\.key$/i;

/** Settings without secrets: secret-looking keys and the password of a URL are masked. */
export function maskSecrets(settings: { readonly [k: string]: string }): {
  [k: string]: string;
} {
  const out: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(settings)) {
    if (SECRET_KEY.test(k) && v !== '') out[k] = '***';
    // scheme://user:password@host
    else out[k] = v.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
  }
  return out;
}
