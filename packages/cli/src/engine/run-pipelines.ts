import type { AppLogger } from '../log.js';
import type { StateStore } from '../state/store.js';
import { PipelineRunner, type ResolvedPipeline, type RunnerOptions } from './pipeline-runner.js';
import { ConnectorConfigError } from './retry.js';

export interface RunResult {
  /** `config`: the pipeline stopped on a connector's configuration error (exit code 2). */
  failed: { pipeline: string; error: Error; config: boolean }[];
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
        if (err instanceof ConnectorConfigError) {
          // A setting is wrong, not the pipeline: say which and how to fix it, like `validate`.
          for (const e of err.errors) {
            logger.error(
              `configuration error: connector "${err.connector}" (${err.plugin}): ${e.message}`,
              {
                pipeline: r.id,
                connector: err.connector,
                parameter: e.parameter,
                value: e.value,
                rule: e.rule,
                fix: e.fix,
              },
            );
          }
        } else logger.error('pipeline failed', { pipeline: r.id, error: (err as Error).message });
        throw err;
      }
    }),
  );
  const failed: RunResult['failed'] = [];
  results.forEach((res, i) => {
    if (res.status === 'rejected')
      failed.push({
        pipeline: runners[i]!.id,
        error: res.reason as Error,
        config: res.reason instanceof ConnectorConfigError,
      });
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
