// The Postgres connector: source (snapshot + CDC over many tables) and destination (routed writes).
// `source/` and `destination/` are independent modules; this file only assembles the connector.
import { defineConnector } from '@opencdc-ts/sdk';
import { destinationFeatures, destinationSide } from './destination/index.js';

export {
  type DestinationSettings,
  destinationConfig,
  destinationSide,
  PostgresDestination,
  type PostgresDestinationConfig,
  postgresIdentifier,
  TOAST_UNCHANGED_KEY,
} from './destination/index.js';

export const connector = defineConnector({
  name: 'postgres',
  summary: 'PostgreSQL destination: routed, set-based upserts and deletes in source order.',
  description:
    'Writes records of many collections into many tables, one transaction per batch, keeping the order of the source across tables; optional table creation, schema evolution and a checkpoint table.',
  version: '0.1.0',
  author: 'opencdc-ts',
  features: { destination: destinationFeatures },
  destination: destinationSide,
});

export default connector;
