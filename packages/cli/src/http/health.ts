import type { PipelineStats } from '../engine/stats.js';

export interface Readiness {
  ready: boolean;
  pipelines: { id: string; status: string; ready: boolean; reason?: string }[];
}

/**
 * `/readyz`: every running pipeline opened its connectors and is not retrying. A pipeline not
 * ready says why: still opening its connectors, retrying after an error (with it), failed,
 * stopping.
 */
export function readiness(pipelines: readonly PipelineStats[]): Readiness {
  const out = pipelines.map((s) => {
    if (s.open) return { id: s.pipelineId, status: s.status, ready: true };
    const error = s.lastError ? `: ${s.lastError}` : '';
    const reason =
      s.status === 'running' || s.status === 'starting'
        ? 'opening its connectors'
        : s.status === 'retrying'
          ? `retrying after an error${error}`
          : s.status === 'failed'
            ? `failed${error}`
            : s.status;
    return { id: s.pipelineId, status: s.status, ready: false, reason };
  });
  return { ready: out.every((p) => p.ready), pipelines: out };
}
