import {
  type ConnectorSide,
  compileRouter,
  type Destination,
  type DestinationFeatures,
} from '@opencdc-ts/sdk';
import { type DestinationSettings, destinationConfig, toDestinationConfig } from './config.js';
import { PostgresDestination } from './destination.js';
import { postgresIdentifier } from './identifiers.js';

export { type DestinationSettings, destinationConfig } from './config.js';
export { PostgresDestination, type PostgresDestinationConfig } from './destination.js';
export { postgresIdentifier } from './identifiers.js';

/** Glob (`public.*`, `audit_*`) to an anchored pattern; plain names stay exact names. */
function allowEntry(entry: string): string | RegExp {
  if (!entry.includes('*')) return entry;
  // `*` stays within one name part: `sales.*` is every table of schema sales, `*` every
  // unqualified name.
  const body = entry.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*');
  return new RegExp(`^${body}$`);
}

// Idempotent: create/update/snapshot are upserts by key and deletes by key (records without a key
// into a table without a key are plain inserts: see the README).
export const destinationFeatures: DestinationFeatures = {
  multipleCollections: true,
  idempotentWrites: true,
};

/** The Postgres destination side: routed, set-based upserts and deletes in source order. */
export const destinationSide: ConnectorSide<DestinationSettings, Destination> = {
  config: destinationConfig,
  create(settings, ctx) {
    const config = toDestinationConfig(settings);
    const router = compileRouter({
      parameter: 'table',
      template: config.table,
      validateName: postgresIdentifier,
      allow: config.allow.length > 0 ? config.allow.map(allowEntry) : undefined,
    });
    return new PostgresDestination(config, router, ctx);
  },
};
