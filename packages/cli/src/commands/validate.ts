import { PipelineFileError } from '../config/errors.js';
import { preparePipelines } from './prepare.js';

/** Checks a pipeline file and every connector's settings; opens nothing. Returns the exit code. */
export async function validateCommand(
  path: string,
  out: (line: string) => void = console.log,
): Promise<number> {
  try {
    const { file, pipelines, findings } = await preparePipelines(path, undefined);
    for (const w of file.warnings) out(`warning: ${w}`);
    for (const f of findings) out(`${f.level}: ${f.message}`);
    for (const p of pipelines) {
      out(
        `ok: pipeline ${p.config.id} (${p.config.status}): ${p.source.plugin.name} -> ${p.destinations.map((d) => d.plugin.name).join(', ')}; dead letters: ${p.deadLetter.plugin.name} (window ${p.config.deadLetter.windowSize}/${p.config.deadLetter.windowNackThreshold})`,
      );
    }
    return findings.some((f) => f.level === 'error') ? 2 : 0;
  } catch (err) {
    if (err instanceof PipelineFileError) {
      out(err.message);
      return 2;
    }
    out(`error: ${(err as Error).message}`);
    return 2;
  }
}
