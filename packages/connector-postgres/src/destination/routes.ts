/**
 * Route resolution: the table a record's route names, in the connection's schemas, refusing
 * routes that would land in a system catalog or schema.
 */
import { ConfigError } from '@opencdc-ts/sdk';
import {
  isSystemSchema,
  parseTableName,
  type ResolvedName,
  resolveName,
  type TableName,
} from '../sql.js';

/** What a connection resolves unqualified names in (queried once per connection). */
export interface ConnectionSchema {
  /** `current_schema()`: null when no schema of the search_path exists. */
  current: string | null;
  /** `current_setting('search_path')`, for messages. */
  searchPath: string;
  /** Names of pg_catalog's relations (tables, views, …): see `Routes.#resolve`. */
  catalog: ReadonlySet<string>;
}

/** Resolved routes: a batch usually has few distinct routes, each is resolved once. */
export class Routes {
  readonly #names = new Map<string, ResolvedName | string>();

  constructor(private readonly schema: ConnectionSchema) {}

  /**
   * The table a route names: schema-qualified as written, or (unqualified) in the connection's
   * current schema only. A message when the route is illegal or lands in a system schema.
   */
  resolve(route: string): ResolvedName | string {
    let name = this.#names.get(route);
    if (name === undefined) {
      const parsed = parseTableName(route);
      name = typeof parsed === 'string' ? `invalid table route: ${parsed}` : this.#resolve(parsed);
      this.#names.set(route, name);
    }
    return name;
  }

  #resolve(parsed: TableName): ResolvedName | string {
    if (parsed.schema !== undefined) return resolveName(parsed, parsed.schema);
    const { current, searchPath, catalog } = this.schema;
    if (catalog.has(parsed.table)) {
      // Every session searches pg_catalog first (unless its search_path lists it later): a
      // user table of that name would be shadowed for everyone who reads it unqualified, and
      // such routes (`pg_authid`) are how a hostile producer aims at the catalog. Refused;
      // a qualified route (`public.pg_authid`) says what it means and is written.
      return `unqualified route "${parsed.table}" names a system catalog relation (pg_catalog.${parsed.table}); the destination never writes there: route to schema.table for a user table of that name`;
    }
    if (current === null) {
      // Not one record's fault: every unqualified route fails alike. Fail the write loudly
      // rather than dead-letter the stream.
      throw new ConfigError({
        parameter: 'table',
        value: parsed.table,
        rule: `an unqualified route lands in the session's current_schema(), and there is none (search_path = ${searchPath}: none of its schemas exists)`,
        fix: 'route to schema.table, create a schema of the search_path, or set one in the url (e.g. "?options=-c%20search_path%3Dpublic")',
      });
    }
    if (isSystemSchema(current)) {
      return `unqualified route "${parsed.table}" would land in the system schema "${current}" (the session's current_schema(); search_path = ${searchPath}); the destination never writes there: qualify the route or fix the search_path`;
    }
    return resolveName(parsed, current);
  }
}
