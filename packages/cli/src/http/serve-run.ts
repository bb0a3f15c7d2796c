import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PipelineFile } from '../config/pipeline-file.js';
import type { PipelineStats } from '../engine/stats.js';
import type { AppLogger } from '../log.js';
import { loadConnectorPlugins, loadProcessorSpecs } from './catalog.js';
import { type HttpServer, startHttpServer } from './server.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Starts `opencdc run`'s HTTP server for the pipelines of `file`, `running` being those run. */
export async function serveRun(
  listen: string,
  file: PipelineFile,
  running: readonly PipelineStats[],
  logger: AppLogger,
): Promise<HttpServer> {
  const refs = file.pipelines.flatMap((p) => [
    ...(p.sources ?? [p.source]).map((c) => c.plugin),
    ...p.destinations.map((c) => c.plugin),
    p.deadLetter.plugin,
  ]);
  const server = await startHttpServer(
    listen,
    {
      version: VERSION,
      pipelines: file.pipelines,
      stats: new Map(running.map((s) => [s.pipelineId, s])),
      connectorPlugins: await loadConnectorPlugins(refs, dirname(file.file)),
      processorPlugins: await loadProcessorSpecs(),
    },
    logger,
  );
  logger.info('http server listening', {
    url: server.url,
    endpoints: '/ /healthz /readyz /metrics /v1/pipelines /v1/connectors/plugins',
  });
  return server;
}
