import { type Features, sourceCanResume } from '@opencdc-ts/sdk';

export interface FeatureFinding {
  level: 'warning' | 'error';
  message: string;
}

export interface FeatureInput {
  pipelineId: string;
  source: { fullId: string; plugin: string; features: Features };
  destinations: { fullId: string; plugin: string; features: Features }[];
  /** A saved position exists: the source will be asked to resume. */
  hasSavedPosition: boolean;
}

/**
 * Compares what a pipeline needs with what its connectors declare, before anything runs.
 * Findings are warnings (the runtime cannot know the actual collections a config yields);
 * `--strict` turns them into errors.
 */
export function checkFeatures(input: FeatureInput): FeatureFinding[] {
  const out: FeatureFinding[] = [];
  const src = input.source.features.source ?? {};
  if (src.multipleCollections) {
    for (const d of input.destinations) {
      if (!d.features.destination?.multipleCollections) {
        out.push({
          level: 'warning',
          message: `pipeline ${input.pipelineId}: source ${input.source.fullId} (${input.source.plugin}) can emit several collections but destination ${d.fullId} (${d.plugin}) does not declare multipleCollections: records of every collection go to one target`,
        });
      }
    }
  }
  // `resume` alone (no change capture), or with CDC or long polling.
  const canResume = sourceCanResume(src);
  if (input.hasSavedPosition && !canResume) {
    out.push({
      level: 'warning',
      message: `pipeline ${input.pipelineId}: a saved position exists but source ${input.source.fullId} (${input.source.plugin}) does not declare resume: it may start over and write records again`,
    });
  }
  return out;
}
