import { PipelineFileError } from '../config/errors.js';
import { DEFAULT_PIPELINES_PATH, type Env, loadPipelineFile } from '../config/pipeline-file.js';
import { checkConnectors } from '../engine/check.js';
import type { ResolvedPipeline } from '../engine/pipeline-runner.js';
import { preparePipelines } from './prepare.js';

export interface ValidateOptions {
  /**
   * Also connect: check every connector against its server as `open` would, moving no data
   * (`--connect`). A configuration problem found so exits 2; an unreachable server exits 1.
   */
  connect?: boolean;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Checks a pipeline file (or a folder of them; `./pipelines` by default), every connector's and
 * processor's settings and plugin; opens nothing unless `connect`. Exit code: 0 valid, 2 invalid
 * (each problem is printed as `file:line:col: what is wrong; how to fix it`), 1 when `connect`
 * could not reach a server.
 */
export async function validateCommand(
  path: string = DEFAULT_PIPELINES_PATH,
  out: (line: string) => void = console.log,
  env: Env = process.env,
  options: ValidateOptions = {},
): Promise<number> {
  try {
    const { file, pipelines, findings } = await preparePipelines(path, undefined, env);
    for (const w of file.warnings) out(`warning: ${w}`);
    for (const f of findings) out(`${f.level}: ${f.message}`);
    for (const p of pipelines) out(`ok: ${describe(p)}`);
    if (findings.some((f) => f.level === 'error')) return 2;
    if (!options.connect) return 0;
    let code = 0;
    for (const p of pipelines)
      for (const c of await checkConnectors(p, quiet)) {
        if (c.outcome === 'ok') out(`ok: connected ${c.connector} (${c.plugin})`);
        else if (c.outcome === 'skipped')
          out(`skipped: ${c.connector} (${c.plugin}): ${c.message}`);
        else {
          out(
            `error: ${c.configError ? '' : `connector "${c.connector}" (${c.plugin}): `}${c.message}`,
          );
          code = Math.max(code, c.configError ? 2 : 1);
        }
      }
    return code;
  } catch (err) {
    if (err instanceof PipelineFileError) {
      // Warnings (an unset variable…) often explain the error: show them first.
      const warnings = await loadPipelineFile(path, env).then(
        (f) => f.warnings,
        () => err.warnings,
      );
      for (const w of warnings) out(`warning: ${w}`);
      out(err.message);
      return 2;
    }
    out(`error: ${(err as Error).message}`);
    return 2;
  }
}

function describe(p: ResolvedPipeline): string {
  const c = p.config;
  const procs = (list: readonly unknown[] | undefined) =>
    list && list.length > 0 ? ` [${list.length} processor${list.length > 1 ? 's' : ''}]` : '';
  const side = (r: { plugin: { name: string }; processors?: readonly unknown[] }) =>
    `${r.plugin.name}${procs(r.processors)}`;
  return `pipeline ${c.id} (${c.status}): ${p.sources.map(side).join(' + ')}${procs(p.processors)} -> ${p.destinations.map(side).join(', ')}; dead letters: ${p.deadLetter.plugin.name} (window ${c.deadLetter.windowSize}/${c.deadLetter.windowNackThreshold})`;
}
