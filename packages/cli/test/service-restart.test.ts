// Issue 9: Postgres and the Kafka broker restart mid-stream; the running pipelines recover by
// themselves (no restart of opencdc) and every sequence number arrives (duplicates allowed).
import {
  type KafkaService,
  type PostgresService,
  startKafka,
  startPostgres,
} from '@opencdc-ts/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  type Chain,
  lostAfterCatchUp,
  maxIds,
  startChain,
  startWriter,
  waitForIdsAbove,
} from './service-restart-helpers.js';

const chains: Chain[] = [];
const services: { stop(): Promise<void> }[] = [];

afterAll(async () => {
  for (const c of chains) c.kill();
  for (const s of services) await s.stop();
});

/** Runs the chain, restarts a service mid-stream, checks recovery and that nothing is lost. */
async function restartMidStream(
  pgUrl: string,
  kafka: string[],
  tag: string,
  restart: () => Promise<void>,
  outageSeen: RegExp,
  logLevel?: string,
) {
  const chain = await startChain({ pgUrl, kafka, tag, ...(logLevel ? { logLevel } : {}) });
  chains.push(chain);
  const writer = startWriter(chain.sourceUrl, chain.tables);
  try {
    await waitForIdsAbove(
      chain,
      'CDC flowing end to end',
      Object.fromEntries(chain.tables.map((t) => [t, 100])),
    );
    await restart();
    // Rows written after the restart reach the destination: the pipelines came back on their own.
    const atRestart = await maxIds(chain.sourceUrl, chain.tables);
    const writtenBefore = writer.inserted;
    await waitForIdsAbove(chain, 'rows written after the restart', atRestart);
    expect(writer.inserted).toBeGreaterThan(writtenBefore);
  } finally {
    await writer.stop();
  }
  const lost = await lostAfterCatchUp(chain);
  for (const [t, missing] of Object.entries(lost))
    expect(
      missing,
      `${t}: lost ${missing.length} ids ${missing.slice(0, 20)}\n${chain.stderr().slice(-3000)}`,
    ).toEqual([]);
  expect(chain.exited()).toBeUndefined();
  // The pipelines did see the outage (the service really went away under them).
  expect(chain.stderr()).toMatch(outageSeen);
  if (process.env.SERVICE_RESTART_VERBOSE)
    console.log(tag, await maxIds(chain.destUrl, chain.tables), writer.failures, chain.stderr());
  expect(await chain.stop()).toBe(0);
  return chain;
}

describe('service restarts mid-stream (real Postgres and Kafka, opencdc bin)', () => {
  it('Postgres restarted (pg_ctl restart -m fast) under a Postgres → Kafka → Postgres chain', async () => {
    const pgService: PostgresService = await startPostgres();
    services.push(pgService);
    await restartMidStream(
      pgService.url,
      inject('kafkaBrokers'),
      'svc_pg',
      async () => {
        await pgService.restart!();
      },
      // Postgres drops every connection: the runtime restarts both pipelines from their positions.
      /restarting from the last acked position/,
    );
  }, 180_000);

  it('Kafka 4.x broker stopped and started again (same ports and data) under the chain', async () => {
    const kafka: KafkaService = await startKafka({ fastStartup: true });
    services.push(kafka);
    await restartMidStream(
      inject('pgUrl'),
      kafka.brokers,
      'svc_kafka',
      async () => {
        await kafka.restart!();
      },
      // A short broker outage is usually bridged by the Kafka client's own retries, which it
      // logs at debug level only.
      /ECONNREFUSED|restarting from the last acked position/,
      'debug',
    );
  }, 240_000);
});
