import { type KafkaService, type StartKafkaOptions, startKafka } from './kafka.js';
import { KAFKA_VERSIONS } from './kafka-fetch.js';
import { type PostgresService, startPostgres } from './postgres.js';

/** Addresses of the services the integration tests use. */
export interface ServiceAddresses {
  /** PostgreSQL (wal_level=logical), superuser `postgres`. */
  pgUrl: string;
  /** Kafka 4.x bootstrap servers. */
  kafkaBrokers: string[];
  /** Kafka 3.9.x bootstrap servers. */
  kafka39Brokers: string[];
}

export interface Services extends ServiceAddresses {
  /** Stops what this call started (services given through the environment are left alone). */
  stop(): Promise<void>;
}

function brokersFromEnv(value: string | undefined): string[] | undefined {
  const brokers = value
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return brokers && brokers.length > 0 ? brokers : undefined;
}

/** Postgres from `PG_URL` when set, else a throwaway one. */
export async function usePostgres(): Promise<PostgresService> {
  const url = process.env.PG_URL;
  if (url) return { url, logFile: '', stop: async () => {} };
  return startPostgres();
}

/**
 * Kafka of `version` from the environment (`KAFKA_BROKERS` for 4.x, `KAFKA_BROKERS_39` for 3.x)
 * when set, else a throwaway broker.
 */
export async function useKafka(
  version: string = KAFKA_VERSIONS.v4,
  options: Omit<StartKafkaOptions, 'version'> = {},
): Promise<KafkaService> {
  const fromEnv = brokersFromEnv(
    version.startsWith('3.') ? process.env.KAFKA_BROKERS_39 : process.env.KAFKA_BROKERS,
  );
  if (fromEnv) return { brokers: fromEnv, version, logFile: '', stop: async () => {} };
  return startKafka({ ...options, version });
}

export interface StartServicesOptions {
  /** Use PG_URL / KAFKA_BROKERS / KAFKA_BROKERS_39 when set (default true). */
  reuseFromEnv?: boolean;
  /** Brokers with client JIT only: quicker, cheaper start for tests (default true). */
  fastStartup?: boolean;
}

/**
 * Starts (or reuses, see `usePostgres`/`useKafka`) PostgreSQL and both Kafka versions in parallel.
 * If one fails, the others are stopped and the error names every failure.
 */
export async function startServices(options: StartServicesOptions = {}): Promise<Services> {
  const reuse = options.reuseFromEnv ?? true;
  const fastStartup = options.fastStartup ?? true;
  const kafka = (version: string) =>
    reuse ? useKafka(version, { fastStartup }) : startKafka({ version, fastStartup });
  const results = await Promise.allSettled([
    reuse ? usePostgres() : startPostgres(),
    kafka(KAFKA_VERSIONS.v4),
    kafka(KAFKA_VERSIONS.v3),
  ] as const);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stopAll = async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  if (failures.length > 0) {
    await stopAll();
    const text = failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n\n');
    throw new Error(`could not start the test services:\n\n${text}`);
  }
  const [pg, kafka4, kafka3] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    PostgresService,
    KafkaService,
    KafkaService,
  ];
  return {
    pgUrl: pg.url,
    kafkaBrokers: kafka4.brokers,
    kafka39Brokers: kafka3.brokers,
    stop: stopAll,
  };
}

/** The `export VAR=value` lines the shared dev services file holds. */
export function servicesEnvFile(addresses: ServiceAddresses): string {
  return [
    `export PG_URL='${addresses.pgUrl}'`,
    `export KAFKA_BROKERS='${addresses.kafkaBrokers.join(',')}'`,
    `export KAFKA_BROKERS_39='${addresses.kafka39Brokers.join(',')}'`,
    '',
  ].join('\n');
}
