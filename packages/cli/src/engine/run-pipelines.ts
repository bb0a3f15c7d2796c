import type { AppLogger } from '../log.js';
import type { StateStore } from '../state/store.js';
import { PipelineRunner, type ResolvedPipeline, type RunnerOptions } from './pipeline-runner.js';

export interface RunResult {
  failed: { pipeline: string; error: Error }[];
}

/**
 * Runs pipelines side by side until `stop` aborts. A pipeline that fails for good is logged and
 * leaves the others running (as Conduit does); the result lists the failures.
 */
export async function runPipelines(
  runners: readonly PipelineRunner[],
  stop: AbortSignal,
  logger: AppLogger,
): Promise<RunResult> {
  const results = await Promise.allSettled(
    runners.map(async (r) => {
      try {
        await r.run(stop);
        logger.info('pipeline stopped', { pipeline: r.id, records: r.stats.total });
      } catch (err) {
        logger.error('pipeline failed', { pipeline: r.id, error: (err as Error).message });
        throw err;
      }
    }),
  );
  const failed: RunResult['failed'] = [];
  results.forEach((res, i) => {
    if (res.status === 'rejected')
      failed.push({ pipeline: runners[i]!.id, error: res.reason as Error });
  });
  return { failed };
}

export function createRunners(
  pipelines: readonly ResolvedPipeline[],
  store: StateStore,
  logger: AppLogger,
  options?: RunnerOptions,
): PipelineRunner[] {
  return pipelines
    .filter((p) => p.config.status === 'running')
    .map((p) => new PipelineRunner(p, store, logger.child({ pipeline: p.config.id }), options));
}
