import { PipelineFileError } from '../config/errors.js';
import { DEFAULT_PIPELINES_PATH } from '../config/pipeline-file.js';
import { createRunners, runPipelines } from '../engine/run-pipelines.js';
import type { HttpServer } from '../http/server.js';
import { type AppLogger, createLogger, type LogLevel, streamSink } from '../log.js';
import { logProgress, type Progress, ttyProgress } from '../progress/reporter.js';
import { FileStateStore } from '../state/file-store.js';
import type { StateStore } from '../state/store.js';
import { preparePipelines } from './prepare.js';

export interface RunOptions {
  stateDir: string;
  /** `postgres://…` to keep state in a Postgres table instead of files. */
  state?: string;
  json: boolean;
  logLevel: LogLevel;
  batchSize: number;
  strict: boolean;
  progressInterval: number;
  /** Stops the run (the bin wires SIGINT/SIGTERM to it). */
  signal: AbortSignal;
  /** `host:port` of the HTTP server (health, metrics, API, page); none when unset. */
  http?: string;
}

/**
 * Exit codes: 0 stopped cleanly, 1 a pipeline failed, 2 the file or a setting is invalid (found
 * before the run, or by a connector's `open`: a `ConfigError`).
 */
export async function runCommand(path: string | undefined, opts: RunOptions): Promise<number> {
  const progress: Progress =
    !opts.json && process.stderr.isTTY
      ? ttyProgress(process.stderr)
      : logProgress(streamSink(opts.json), opts.json, opts.progressInterval);
  const logger = createLogger({ json: opts.json, level: opts.logLevel, sink: progress.sink });
  const store = await openStateStore(opts);
  try {
    let prepared: Awaited<ReturnType<typeof preparePipelines>>;
    try {
      prepared = await preparePipelines(path ?? DEFAULT_PIPELINES_PATH, store);
    } catch (err) {
      return reportSetupError(err, logger);
    }
    for (const w of prepared.file.warnings) logger.warn(w);
    for (const f of prepared.findings) {
      if (f.level === 'error' || opts.strict) logger.error(f.message);
      else logger.warn(f.message);
    }
    if (
      prepared.findings.some((f) => f.level === 'error') ||
      (opts.strict && prepared.findings.length > 0)
    )
      return 2;

    const runners = createRunners(prepared.pipelines, store, logger, { batchSize: opts.batchSize });
    if (runners.length === 0) {
      logger.warn('no pipeline with status "running" in the file; nothing to do');
      return 0;
    }
    let http: HttpServer | undefined;
    if (opts.http) {
      try {
        // Loaded only when asked for: prom-client and its dependencies (with pg, below) made
        // `opencdc --help` take 0.45 s instead of 0.22 s.
        const { serveRun } = await import('../http/serve-run.js');
        http = await serveRun(
          opts.http,
          prepared.file,
          runners.map((r) => r.stats),
          logger,
        );
      } catch (err) {
        logger.error(`cannot serve HTTP on ${opts.http}: ${(err as Error).message}`);
        return 2;
      }
    }
    logger.info('starting', { pipelines: runners.map((r) => r.id), state: store.description });
    progress.start(
      runners.map((r) => r.stats),
      logger,
    );
    // A source waiting for data may hold no timer or socket; keep the process alive until stopped.
    const keepAlive = setInterval(() => {}, 1 << 30);
    let result: Awaited<ReturnType<typeof runPipelines>>;
    try {
      result = await runPipelines(runners, opts.signal, logger);
    } finally {
      clearInterval(keepAlive);
      progress.stop();
      await http?.close();
    }
    // A configuration error found when a connector opened is what `validate` would report had
    // it connected: 2, like the errors found before anything ran.
    if (result.failed.some((f) => f.config)) return 2;
    return result.failed.length > 0 ? 1 : 0;
  } finally {
    await store.close().catch(() => {});
  }
}

export async function openStateStore(
  opts: Pick<RunOptions, 'state' | 'stateDir'>,
): Promise<StateStore> {
  if (opts.state && /^postgres(ql)?:\/\//.test(opts.state)) {
    // Loaded only for this store: a pipeline without Postgres does not pay for loading pg.
    const { PostgresStateStore } = await import('../state/postgres-store.js');
    return new PostgresStateStore(opts.state);
  }
  return new FileStateStore(opts.state ?? opts.stateDir);
}

export function reportSetupError(err: unknown, logger: AppLogger): number {
  if (err instanceof PipelineFileError) {
    for (const w of err.warnings) logger.warn(w);
    for (const i of err.issues)
      logger.error(i.message, { at: `${i.at.file}:${i.at.line}:${i.at.col}` });
    return 2;
  }
  logger.error((err as Error).message ?? String(err));
  return 2;
}
