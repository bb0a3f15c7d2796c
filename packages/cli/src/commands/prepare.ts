import type { Features } from '@opencdc-ts/sdk';
import { type Env, loadPipelineFile, type PipelineFile } from '../config/pipeline-file.js';
import { checkFeatures, type FeatureFinding } from '../engine/features.js';
import type { ResolvedPipeline } from '../engine/pipeline-runner.js';
import { resolvePipelines } from '../engine/resolve.js';
import { pluginVersionWarnings } from '../plugins/resolve.js';
import type { StateStore } from '../state/store.js';

export interface Prepared {
  file: PipelineFile;
  pipelines: ResolvedPipeline[];
  findings: FeatureFinding[];
}

/** Everything short of opening connectors: parse, substitute, load plugins, parse configs, check features. */
export async function preparePipelines(
  path: string,
  store: StateStore | undefined,
  env: Env = process.env,
): Promise<Prepared> {
  const file = await loadPipelineFile(path, env);
  const pipelines = await resolvePipelines(file);
  file.warnings.push(...(await pluginVersionWarnings(file)));
  const findings: FeatureFinding[] = [];
  for (const p of pipelines) {
    const state = store ? await store.load(p.config.id) : undefined;
    const spec = (r: { fullId: string; plugin: { name: string }; features: Features }) => ({
      fullId: r.fullId,
      plugin: r.plugin.name,
      features: r.features,
    });
    for (const source of p.sources) {
      findings.push(
        ...checkFeatures({
          pipelineId: p.config.id,
          source: spec(source),
          destinations: p.destinations.map(spec),
          // One-position state (written before positions were per source) belongs to a lone source.
          hasSavedPosition:
            state?.positions?.[source.fullId] !== undefined ||
            (p.sources.length === 1 && state?.position !== undefined),
        }),
      );
    }
  }
  return { file, pipelines, findings };
}
