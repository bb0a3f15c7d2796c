import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** Give up after this many milliseconds (default 30 s). */
  timeout?: number;
  /** Pause between attempts in milliseconds (default 100). */
  interval?: number;
  /** Named in the timeout error, e.g. "Kafka 4.4.0 on 127.0.0.1:9092 to accept connections". */
  description?: string;
  /** Stop waiting early (e.g. the process under test exited): return a message to fail with. */
  abort?: () => string | undefined;
}

/**
 * Polls `predicate` until it returns a truthy value (which is returned) or the timeout passes.
 * A throwing predicate counts as "not yet"; its last error is named in the timeout error.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const { timeout = 30_000, interval = 100, description = 'condition' } = options;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted !== undefined) throw new Error(`gave up waiting for ${description}: ${aborted}`);
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${description}${cause}`, {
        cause: lastError,
      });
    }
    await sleep(interval);
  }
}
