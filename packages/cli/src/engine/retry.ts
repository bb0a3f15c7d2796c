import { DataError, MAX_DEPTH } from '@opencdc-ts/commons';
import {
  ConfigError,
  ConfigErrors,
  causeChain,
  RecordError,
  TransientError,
} from '@opencdc-ts/sdk';

/** Stops the pipeline for good (dead-letter window exceeded, dead-letter write failed). */
export class PipelineStopError extends Error {
  override readonly name = 'PipelineStopError';
}

/**
 * A connector's `open` (or `onCreated`) refused its configuration: which connector, and the
 * `ConfigError`/`ConfigErrors` it threw. Never retried; `opencdc run` exits 2.
 */
export class ConnectorConfigError extends Error {
  override readonly name = 'ConnectorConfigError';
  constructor(
    /** `<pipeline>:<connector>`. */
    readonly connector: string,
    /** The plugin reference, e.g. `builtin:postgres`. */
    readonly plugin: string,
    /** Each configuration problem (a `ConfigErrors` is spread). */
    readonly errors: readonly ConfigError[],
    options?: { cause?: unknown },
  ) {
    super(
      errors.map((e) => `connector "${connector}" (${plugin}): ${e.message}`).join('\n'),
      options,
    );
  }
}

/**
 * The configuration errors in `err`, or `undefined` when it is not one. By class, and by name
 * too: a third-party connector may bundle its own copy of the sdk, whose classes differ.
 */
export function configErrorsOf(err: unknown): ConfigError[] | undefined {
  if (err instanceof ConfigErrors) return [...err.errors];
  if (err instanceof ConfigError) return [err];
  const e = err as { name?: unknown; errors?: unknown };
  if (e?.name === 'ConfigErrors' && Array.isArray(e.errors)) return e.errors as ConfigError[];
  if (e?.name === 'ConfigError' && typeof (e as { parameter?: unknown }).parameter === 'string')
    return [err as ConfigError];
  return undefined;
}

export type ErrorKind = 'fatal' | 'transient' | 'unknown';

const DATA_ERROR_NAMES = new Set(['DataError', 'EncodeError', 'DecodeError', 'MetadataValueError']);

/**
 * Whether a destination's failure is about the data of a record rather than the connection or
 * the configuration: a commons `DataError` (a record that cannot be encoded or decoded), or a
 * `RangeError` (a stack overflow on a deeply nested value, a string or array too long to build).
 * Retrying such an error fails the same way forever, so the runtime finds the record that causes
 * it and dead-letters it, even when the connector did not wrap it in a `RecordError`.
 */
export function isDataError(err: unknown): boolean {
  if (err instanceof RecordError || isTransient(err)) return false;
  for (const e of causeChain(err, 5)) {
    if (e instanceof DataError || e instanceof RangeError) return true;
    const name = (e as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && DATA_ERROR_NAMES.has(name)) return true;
  }
  return false;
}

/** The dead-letter reason for a data error: what happened, and the likely cause of a RangeError. */
export function dataErrorReason(err: unknown, connector: string): string {
  const e = err as Error;
  const text = `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
  return /call stack/i.test(text)
    ? `${connector} could not convert the record (${text}): a value is probably nested too deep (the OpenCDC codecs allow ${MAX_DEPTH} levels)`
    : `${connector} could not convert the record (${text})`;
}

/**
 * A `TransientError`: by class, and by name too (a connector bundling its own copy of the sdk).
 */
function isTransient(err: unknown): boolean {
  return (
    err instanceof TransientError ||
    (err instanceof Error && (err as { name?: unknown }).name === 'TransientError')
  );
}

/**
 * Decides what a failure means, by class only (connectors wrap their drivers' errors at their
 * boundary; nothing here knows a SQLSTATE, a socket code or a driver's error names):
 *
 * - `fatal`: `PipelineStopError`, `ConnectorConfigError`, `ConfigError`/`ConfigErrors`, and a
 *   `RecordError` that reached this far (the dead-letter handling did not take it);
 * - `transient`: a `TransientError`, or an error caused by one (anywhere in its `causeChain`):
 *   retried with backoff, forever;
 * - `unknown`: anything else: retried a few times in a row, then the pipeline fails.
 *
 * Data errors (`isDataError`) are handled before this, record by record.
 */
export function classify(err: unknown): ErrorKind {
  if (
    err instanceof PipelineStopError ||
    err instanceof ConnectorConfigError ||
    configErrorsOf(err) !== undefined
  )
    return 'fatal';
  if (err instanceof RecordError) return 'fatal';
  for (const e of causeChain(err)) if (isTransient(e)) return 'transient';
  return 'unknown';
}

/**
 * Exponential backoff with jitter: 200 ms, 400 ms, ... never more than `capMs` (the jitter is
 * applied before the cap, so the documented cap holds: ±25 % around 10 s once gave 12.1 s).
 */
export function backoffMs(attempt: number, capMs = 10_000): number {
  const base = 200 * 2 ** Math.min(attempt, 16);
  return Math.round(Math.min(capMs, base * (0.75 + Math.random() * 0.5)));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
