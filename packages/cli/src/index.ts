/**
 * The opencdc-ts runtime as a library: parse Conduit pipeline files, resolve plugins, run
 * pipelines at least once with state, dead letters and progress. The `opencdc` bin uses these.
 */
export { type FileIssue, type FilePosition, PipelineFileError } from './config/errors.js';
export {
  type ConnectorConfig,
  type DeadLetterConfig,
  loadPipelineFile,
  type PipelineConfig,
  type PipelineFile,
  parsePipelineFile,
  SUPPORTED_VERSIONS,
} from './config/pipeline-file.js';
export { checkFeatures, type FeatureFinding } from './engine/features.js';
export { NackWindow } from './engine/nack-window.js';
export {
  PipelineRunner,
  type ResolvedPipeline,
  type RunnerOptions,
} from './engine/pipeline-runner.js';
export { resolvePipelines } from './engine/resolve.js';
export { ConnectorConfigError, PipelineStopError } from './engine/retry.js';
export { createRunners, type RunResult, runPipelines } from './engine/run-pipelines.js';
export { PipelineStats } from './engine/stats.js';
export { type AppLogger, createLogger, type LogLevel } from './log.js';
export { logConnector } from './plugins/log-connector.js';
export { BUILTIN_PACKAGES, loadPlugin, PluginError } from './plugins/resolve.js';
export { FileStateStore } from './state/file-store.js';
export { PostgresStateStore } from './state/postgres-store.js';
export type { PipelineState, StateStore } from './state/store.js';
