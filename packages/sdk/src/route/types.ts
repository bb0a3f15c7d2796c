import type { OpenCDCRecord } from '@opencdc-ts/commons';

/** Conduit's shipped default route: the record's collection. */
export const DEFAULT_ROUTE_TEMPLATE = '{{ index .Metadata "opencdc.collection" }}';

export interface RouterOptions {
  /** Parameter name the template came from (for error messages), e.g. `table`, `topic`. */
  parameter: string;
  /** The template; empty or undefined means the default (the record's collection). */
  template?: string | undefined;
  /**
   * Validates a rendered (or static) name; returns an error message or `undefined` if legal.
   * E.g. a connector's rule for topic or table names.
   */
  validateName?: (name: string) => string | undefined;
  /** Optional allow-list: exact names and/or patterns a route must match. */
  allow?: readonly (string | RegExp)[] | undefined;
}

/** A compiled route. Compile once at configure time; call `route` per record. */
export interface Router {
  /** Set when the template has no template syntax: the route is this name for every record. */
  readonly staticRoute: string | undefined;
  /** The route for a record; throws `RouteError` (a per-record error) when it cannot be routed. */
  route(record: OpenCDCRecord): string;
}

/** A record could not be routed: empty result, illegal name, not allowed. */
export class RouteError extends Error {
  override readonly name = 'RouteError';
}
