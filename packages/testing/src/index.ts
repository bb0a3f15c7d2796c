// Brings the typed `inject('pgUrl' | 'kafkaBrokers' | 'kafka39Brokers')` (a vitest
// ProvidedContext augmentation) to every test file that imports this package.
export type {} from './global-setup.js';
export {
  type KafkaSaslUser,
  type KafkaService,
  type StartKafkaOptions,
  startKafka,
} from './kafka.js';
export { fetchKafka, KAFKA_VERSIONS, type KafkaVersion, kafkaLibsDir } from './kafka-fetch.js';
export { selfSignedCa } from './kafka-tls.js';
export { freePort, freePorts } from './ports.js';
export {
  createTestDatabase,
  findPostgresBin,
  type PostgresService,
  type StartPostgresOptions,
  startPostgres,
  withPgClient,
} from './postgres.js';
export { readmeExample } from './readme.js';
export {
  type ServiceAddresses,
  type Services,
  servicesEnvFile,
  startServices,
  useKafka,
  usePostgres,
} from './services.js';
export { type WaitForOptions, waitFor } from './wait.js';
