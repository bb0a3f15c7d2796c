import pg from 'pg';

/** Postgres truncates identifiers longer than NAMEDATALEN-1 bytes; we reject them instead. */
export const MAX_IDENTIFIER_BYTES = 63;

/** A table name split into schema and table (schema `undefined` means the search path). */
export interface TableName {
  schema: string | undefined;
  table: string;
}

/**
 * Validates one identifier part. Any character is allowed (names are always quoted), except
 * NUL (Postgres cannot store it) and an empty name; the length limit is in bytes.
 */
export function identifierProblem(part: string): string | undefined {
  if (part.length === 0) return 'is empty';
  if (part.includes('\0')) return 'contains a NUL character';
  const bytes = Buffer.byteLength(part, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return `is ${bytes} bytes long (Postgres allows at most ${MAX_IDENTIFIER_BYTES})`;
  }
  return undefined;
}

/**
 * Splits a route into schema and table at the FIRST dot: `sales.orders` lands in schema
 * `sales`. A route with more than one dot is rejected (ambiguous), so is a system schema:
 * a destination must never write into `pg_catalog` / `information_schema` / `pg_toast`.
 */
export function parseTableName(route: string): TableName | string {
  const parts = route.split('.');
  if (parts.length > 2) {
    return `"${route}" has ${parts.length - 1} dots; a table route is "table" or "schema.table"`;
  }
  for (const p of parts) {
    const problem = identifierProblem(p);
    if (problem) return `"${route}": name part "${p}" ${problem}`;
  }
  const [a, b] = parts as [string, string | undefined];
  const schema = b === undefined ? undefined : a;
  if (schema !== undefined && isSystemSchema(schema)) {
    return `"${route}" targets the system schema "${schema}"; writing there is not allowed`;
  }
  return { schema, table: b ?? a };
}

function isSystemSchema(schema: string): boolean {
  return (
    schema === 'information_schema' || schema.startsWith('pg_') // pg_catalog, pg_toast, pg_temp_N
  );
}

/** Validator for the sdk router: an error message or `undefined`. */
export function postgresIdentifier(route: string): string | undefined {
  const parsed = parseTableName(route);
  return typeof parsed === 'string' ? parsed : undefined;
}

export const quote = (name: string): string => pg.escapeIdentifier(name);

/** The quoted, schema-qualified name for SQL text (never built from unquoted record data). */
export function qualified(name: TableName): string {
  return name.schema === undefined
    ? quote(name.table)
    : `${quote(name.schema)}.${quote(name.table)}`;
}

/** A stable map key for a table (the route text itself may differ for the same table). */
export function tableKey(name: TableName): string {
  return name.schema === undefined ? name.table : `${name.schema}.${name.table}`;
}
