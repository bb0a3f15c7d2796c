import { ConfigError, ConfigErrors, RecordError, TransientError } from '@opencdc-ts/sdk';

/** Stops the pipeline for good (dead-letter window exceeded, dead-letter write failed). */
export class PipelineStopError extends Error {
  override readonly name = 'PipelineStopError';
}

export type ErrorKind = 'fatal' | 'transient' | 'unknown';

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
  if (err instanceof ConfigError || err instanceof ConfigErrors || err instanceof PipelineStopError)
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
