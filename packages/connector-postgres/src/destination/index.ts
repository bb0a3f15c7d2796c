import {
  ConfigError,
  type ConnectorSide,
  compileRouter,
  type Destination,
  type DestinationFeatures,
} from '@opencdc-ts/sdk';
import { allowMatcher, parseTableName, postgresIdentifier } from '../sql.js';
import { type DestinationSettings, destinationConfig, toDestinationConfig } from './config.js';
import { PostgresDestination } from './destination.js';

export { postgresIdentifier } from '../sql.js';
export { type DestinationSettings, destinationConfig } from './config.js';
export { PostgresDestination, type PostgresDestinationConfig } from './destination.js';

/**
 * The route check: a legal name outside system schemas (`postgresIdentifier`), then
 * `tables.allow`, matched on the PARSED name (`*` = one name part, quoted or not), so a quoted
 * spelling (`"sales".orders`, `public."a.b"`) means the same as in a route.
 */
function routeCheck(allow: readonly string[]): (route: string) => string | undefined {
  if (allow.length === 0) return postgresIdentifier;
  let allowed: ReturnType<typeof allowMatcher>;
  try {
    allowed = allowMatcher(allow);
  } catch (err) {
    throw new ConfigError({
      parameter: 'tables.allow',
      value: allow.join(','),
      rule: (err as Error).message,
      fix: 'list names as "table", "schema.table" or globs such as "sales.*"',
    });
  }
  return (route) => {
    const name = parseTableName(route);
    if (typeof name === 'string') return name;
    return allowed(name) ? undefined : `not in the allow-list (${allow.join(', ')})`;
  };
}

// Idempotent: create/update/snapshot are upserts by key, deletes by key, key moves replay-safe
// (displace or move, then upsert). Exception: keyless records into a table without a key are
// appended, and a replayed append duplicates its row (see the README).
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
      validateName: routeCheck(config.allow),
    });
    return new PostgresDestination(config, router, ctx);
  },
};
