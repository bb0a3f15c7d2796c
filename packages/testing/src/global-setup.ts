// Loads vitest's types so the ProvidedContext augmentation below has a module to augment.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startServices } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL URL (superuser, wal_level=logical). Use `createTestDatabase` for isolation. */
    pgUrl: string;
    /** Kafka 4.x bootstrap servers. */
    kafkaBrokers: string[];
    /** Kafka 3.9.x bootstrap servers. */
    kafka39Brokers: string[];
  }
}

/**
 * Vitest global setup of the `integration` project: starts PostgreSQL and both Kafka versions in
 * parallel (or reuses PG_URL / KAFKA_BROKERS / KAFKA_BROKERS_39) and provides their addresses.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // kafkajs warns about its v2 partitioner change on every producer; tests don't care.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const started = Date.now();
  let services: Awaited<ReturnType<typeof startServices>>;
  try {
    services = await startServices();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      `\n[opencdc-testing] the integration test services did not start.\n${message}\n\n` +
        'Fix the prerequisite named above (bash scripts/setup.sh installs them), or point the tests ' +
        'at running services with PG_URL, KAFKA_BROKERS (4.x) and KAFKA_BROKERS_39 (3.9.x).\n',
    );
    throw error;
  }
  if (!process.env.CI) {
    console.log(
      `[opencdc-testing] services ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  project.provide('pgUrl', services.pgUrl);
  project.provide('kafkaBrokers', services.kafkaBrokers);
  project.provide('kafka39Brokers', services.kafka39Brokers);
  return () => services.stop();
}
