// The Postgres connector: source (snapshot + CDC over many tables) and destination (routed writes).
// `source/` and `destination/` are independent modules; this file only assembles the connector.
import { defineConnector } from '@opencdc-ts/sdk';
import { destinationFeatures, destinationSide } from './destination/index.js';
import { sourceFeatures, sourceSide } from './source/index.js';

export {
  type DestinationSettings,
  destinationConfig,
  destinationSide,
  PostgresDestination,
  type PostgresDestinationConfig,
  postgresIdentifier,
} from './destination/index.js';
export {
  PostgresSource,
  type SourceConfig,
  sourceConfig,
  sourceSide,
  TOAST_UNCHANGED_KEY,
  TRUNCATE_KEY,
} from './source/index.js';

import { VERSION } from './version.js';

export const connector = defineConnector({
  name: 'postgres',
  summary:
    'PostgreSQL source (snapshot + logical replication CDC over many tables) and destination (routed, set-based upserts and deletes in source order).',
  description:
    'The source snapshots and then streams changes of many tables (any schema, composite keys) through one replication slot, emitting each table as its own collection. The destination writes records of many collections into many tables, one transaction per batch, keeping the order of the source across tables; optional table creation, schema evolution and a checkpoint table.',
  version: VERSION,
  author: 'opencdc-ts',
  features: { source: sourceFeatures, destination: destinationFeatures },
  source: sourceSide,
  destination: destinationSide,
});

export default connector;
