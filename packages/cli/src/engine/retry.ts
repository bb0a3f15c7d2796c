import { DataError, MAX_DEPTH } from '@opencdc-ts/commons';
import { ConfigError, ConfigErrors, RecordError, TransientError } from '@opencdc-ts/sdk';

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
  if (err instanceof RecordError || err instanceof TransientError) return false;
  for (
    let e: unknown = err, depth = 0;
    e && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if (e instanceof DataError || e instanceof RangeError) return true;
    const name = (e as { name?: unknown }).name;
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

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Decides what a failure means. Connection-shaped errors that a connector did not wrap in
 * `TransientError` (driver errors, Postgres "admin shutdown"/connection classes, KafkaJS
 * retriable errors) are still treated as transient.
 */
export function classify(err: unknown): ErrorKind {
  if (
    err instanceof PipelineStopError ||
    err instanceof ConnectorConfigError ||
    configErrorsOf(err) !== undefined
  )
    return 'fatal';
  if (err instanceof RecordError) return 'fatal';
  if (err instanceof TransientError) return 'transient';
  for (
    let e: unknown = err, depth = 0;
    e && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const x = e as { code?: unknown; name?: unknown; retriable?: unknown; message?: unknown };
    if (typeof x.code === 'string' && (NETWORK_CODES.has(x.code) || /^(08|57P0)/.test(x.code)))
      return 'transient';
    if (typeof x.name === 'string' && /^KafkaJS/.test(x.name) && x.retriable === true)
      return 'transient';
    if (typeof x.name === 'string' && /Connection|Timeout/.test(x.name)) return 'transient';
    if (
      typeof x.message === 'string' &&
      /Connection terminated|connection (lost|closed|refused)|ECONNRESET|socket hang up/i.test(
        x.message,
      )
    ) {
      return 'transient';
    }
  }
  return 'unknown';
}

/** Exponential backoff with jitter: 200 ms, 400 ms, ... capped. */
export function backoffMs(attempt: number, capMs = 10_000): number {
  const base = Math.min(capMs, 200 * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.75 + Math.random() * 0.5));
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
