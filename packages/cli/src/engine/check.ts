/**
 * `opencdc validate --connect`: each connector of a pipeline is created and checked against its
 * server (reachability, credentials, permissions, the server's settings, the collections) the way
 * `open` would check it, then torn down; no data moves and nothing is left behind.
 *
 * A connector that implements `check` is asked to check; a destination without it is opened and
 * torn down (a destination's `open` writes nothing); a source without it is skipped, because
 * opening one may create server-side state (a replication slot) that a check must not leave.
 */
import type { ConnectorContext, Destination, Logger, Source } from '@opencdc-ts/sdk';
import type { ResolvedConnector, ResolvedPipeline } from './pipeline-runner.js';
import { configErrorsOf } from './retry.js';
import { tagConfigError } from './write-destination.js';

export interface ConnectorCheck {
  /** `<pipeline>:<connector>`. */
  connector: string;
  plugin: string;
  outcome: 'ok' | 'skipped' | 'failed';
  /** Why it failed or was skipped. */
  message?: string;
  /** The failure is a configuration error (the fix is in the pipeline file or the server). */
  configError?: boolean;
}

/** Checks every connector of `pipeline`, one after the other, each within `timeoutMs`. */
export async function checkConnectors(
  pipeline: ResolvedPipeline,
  logger: Logger,
  timeoutMs = 30_000,
): Promise<ConnectorCheck[]> {
  const out: ConnectorCheck[] = [];
  for (const r of pipeline.sources)
    out.push(
      await checkOne(r, logger, timeoutMs, (s: Source) =>
        s.check ? (signal) => s.check!(signal) : undefined,
      ),
    );
  for (const r of [...pipeline.destinations, pipeline.deadLetter])
    out.push(
      await checkOne(r, logger, timeoutMs, (d: Destination) =>
        d.check ? (signal) => d.check!(signal) : (signal) => d.open(signal),
      ),
    );
  return out;
}

async function checkOne<T extends { teardown(): Promise<void> }>(
  r: ResolvedConnector<T>,
  logger: Logger,
  timeoutMs: number,
  how: (instance: T) => ((signal: AbortSignal) => Promise<void>) | undefined,
): Promise<ConnectorCheck> {
  const base = { connector: r.fullId, plugin: r.plugin.name };
  const ctx: ConnectorContext = { connectorId: r.fullId, logger };
  const instance = r.side.create(r.config, ctx);
  const check = how(instance);
  if (!check) {
    await instance.teardown().catch(() => undefined);
    return {
      ...base,
      outcome: 'skipped',
      message: 'the connector has no check (opening it could create server-side state)',
    };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await Promise.race([
      check(signal),
      new Promise<never>((_, reject) =>
        signal.addEventListener(
          'abort',
          () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)),
          { once: true },
        ),
      ),
    ]);
    return { ...base, outcome: 'ok' };
  } catch (err) {
    const tagged = tagConfigError(r, err) as Error;
    return {
      ...base,
      outcome: 'failed',
      message: tagged.message,
      configError: configErrorsOf(err) !== undefined,
    };
  } finally {
    await instance.teardown().catch(() => undefined);
  }
}
