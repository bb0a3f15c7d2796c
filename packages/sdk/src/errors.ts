/**
 * The three kinds of errors (see the design): configuration, record, transient.
 * The runtime decides what to do by class only: stop before any record moves (`ConfigError`,
 * `ConfigErrors`), dead-letter the one record (`RecordError`), or retry with backoff
 * (`TransientError`). A connector turns its driver's errors into these classes where it calls the
 * driver; the runtime never inspects SQLSTATEs, socket codes or driver error names.
 */

/** How many errors `causeChain` yields at most (a cycle or a runaway chain ends there). */
export const CAUSE_CHAIN_LIMIT = 8;

/**
 * `err`, then its `cause`, then that one's `cause`, ...: at most `limit` values, each once (a
 * cycle ends the chain), stopping at the first `null`/`undefined`. Values that are not `Error`s
 * are yielded too (a `cause` may be anything) but their own `cause` is followed only when they
 * are objects.
 */
export function* causeChain(err: unknown, limit = CAUSE_CHAIN_LIMIT): Generator<unknown> {
  const seen = new Set<unknown>();
  for (let e = err, n = 0; e !== undefined && e !== null && n < limit; n++) {
    if (seen.has(e)) return;
    seen.add(e);
    yield e;
    if (typeof e !== 'object' && typeof e !== 'function') return;
    e = (e as { cause?: unknown }).cause;
  }
}

export interface ConfigErrorDetails {
  /** The parameter's name, e.g. `snapshot.fetchSize` or `collections.users.weight`. */
  parameter: string;
  /** The offending value as given (after trimming), `undefined` when missing. */
  value: string | undefined;
  /** The rule broken, e.g. `required`, `greater-than 0`, `inclusion [initial, never]`. */
  rule: string;
  /** What the user should do, in one sentence. */
  fix: string;
}

/** A configuration error: raised at configure/open time, before any record moves. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly parameter: string;
  readonly value: string | undefined;
  readonly rule: string;
  readonly fix: string;

  constructor(details: ConfigErrorDetails, options?: { cause?: unknown }) {
    const shown = details.value === undefined ? '(not set)' : JSON.stringify(details.value);
    super(
      `parameter "${details.parameter}" = ${shown}: violates ${details.rule}. Fix: ${details.fix}`,
      options,
    );
    this.parameter = details.parameter;
    this.value = details.value;
    this.rule = details.rule;
    this.fix = details.fix;
  }
}

/** Several configuration errors found at once (all are reported, not just the first). */
export class ConfigErrors extends Error {
  override readonly name = 'ConfigErrors';
  constructor(readonly errors: readonly ConfigError[]) {
    super(
      errors.length === 1
        ? errors[0]!.message
        : `${errors.length} configuration errors:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`,
    );
  }
}

/**
 * This one record cannot be written (bad route, missing table, constraint violation).
 * Thrown by `Destination.write`: records before `index` were durably written, the record at
 * `index` failed, records after it were not attempted. The runtime dead-letters the record
 * (per its DLQ window) and calls `write` again with the rest.
 */
export class RecordError extends Error {
  override readonly name = 'RecordError';
  constructor(
    message: string,
    /** Index of the failed record in the batch passed to `write`. */
    readonly index: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The connection dropped, the broker restarted, a timeout: retry with backoff, never
 * dead-letter, never lose. Connectors wrap driver errors they know to be transient (keep the
 * driver's error as `cause`); the runtime retries nothing else forever.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** Thrown by `Source.read` when a caller-supplied signal aborts the wait. */
export class AbortedError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'aborted') {
    super(message);
  }
}
