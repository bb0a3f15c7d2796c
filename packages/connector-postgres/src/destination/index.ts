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
export { TOAST_UNCHANGED_KEY } from './planner.js';

/** Glob (`public.*`, `audit_*`) to an anchored pattern; plain names stay exact names. */
function allowEntry(entry: string): string | RegExp {
  if (!entry.includes('*')) return entry;
  const body = entry.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${body}$`);
}

export const destinationFeatures: DestinationFeatures = { multipleCollections: true };

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
