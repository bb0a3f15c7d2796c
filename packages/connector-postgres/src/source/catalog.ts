/** Catalog queries: preflight checks, table discovery and description, foreign keys. */
import { ConfigError } from '@opencdc-ts/sdk';
import type pg from 'pg';
import { redactUrl } from '../errors.js';
import { quoteRef, sqlName, type TableRef } from '../sql.js';
import { selectTables, type TablePattern, unknownSchemas, unknownTables } from './tables.js';

/** What the checks need of a client (a fake one in unit tests). */
export type Queryable = Pick<pg.Client, 'query'>;

export interface ColumnInfo {
  name: string;
  typeOid: number;
  /** `format_type(...)`, used to cast keyset parameters. */
  sqlType: string;
}

export interface TableInfo extends TableRef {
  oid: number;
  collection: string;
  columns: ColumnInfo[];
  /** Primary key columns in key order; empty when none. */
  primaryKey: string[];
  /** `d` default, `f` full, `i` index, `n` nothing. */
  replicaIdentity: string;
  /** A partitioned table (the root of a partition tree): its rows live in its partitions. */
  partitioned: boolean;
}

/**
 * Fails loudly, naming the fix, when the server or user cannot do logical replication. These are
 * configuration problems of `url` (its server and user), reported with the URL (password hidden)
 * so the runtime stops with a configuration error instead of retrying.
 */
export async function preflight(client: Queryable, url: string): Promise<void> {
  // Managed services grant replication through membership in a role of theirs (RDS:
  // `rds_replication`) instead of the REPLICATION attribute, so membership in any role that has
  // it, or in `rds_replication`, passes here; the server has the last word when the replication
  // connection starts.
  const { rows } = await client.query<{
    wal_level: string;
    rolreplication: boolean;
    rolsuper: boolean;
  }>(
    `SELECT current_setting('wal_level') AS wal_level, r.rolsuper,
            r.rolreplication OR EXISTS (
              SELECT 1 FROM pg_roles g
               WHERE (g.rolreplication OR g.rolname = 'rds_replication')
                 AND g.oid <> r.oid AND pg_has_role(r.oid, g.oid, 'MEMBER')) AS rolreplication
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const r = rows[0]!;
  if (r.wal_level !== 'logical')
    throw new ConfigError({
      parameter: 'url',
      value: redactUrl(url),
      rule: `server setting wal_level = logical (it is ${r.wal_level})`,
      fix: "set wal_level = 'logical' in postgresql.conf (ALTER SYSTEM SET wal_level = logical) and restart Postgres; on a managed service set its logical replication flag (RDS: rds.logical_replication = 1 in the parameter group; Cloud SQL: cloudsql.logical_decoding = on; Azure: wal_level = logical in server parameters)",
    });
  if (!r.rolreplication && !r.rolsuper)
    throw new ConfigError({
      parameter: 'url',
      value: redactUrl(url),
      rule: 'the user needs the REPLICATION attribute (or membership in a role that grants it, e.g. rds_replication)',
      fix: 'run ALTER ROLE <user> WITH REPLICATION (as a superuser; on RDS: GRANT rds_replication TO <user>), or connect as a user that has it',
    });
}

export async function listTables(
  client: pg.Client,
): Promise<{ tables: TableRef[]; schemas: string[] }> {
  const t = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r','p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
  );
  const s = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace');
  return { tables: t.rows, schemas: s.rows.map((r) => r.nspname) };
}

/** Resolves patterns to tables; an unknown exact table or schema is a ConfigError. */
export async function resolveSelection(
  client: pg.Client,
  patterns: readonly TablePattern[],
  raw: string,
): Promise<TableRef[]> {
  const { tables, schemas } = await listTables(client);
  const badSchemas = unknownSchemas(patterns, schemas);
  if (badSchemas.length > 0)
    throw new ConfigError({
      parameter: 'tables',
      value: raw,
      rule: `schema must exist (${badSchemas.map((p) => p.text).join(', ')})`,
      fix: 'fix the schema name (unquoted names fold to lower case; quote mixed case) or create the schema',
    });
  const unknown = unknownTables(patterns, tables);
  if (unknown.length > 0)
    throw new ConfigError({
      parameter: 'tables',
      value: raw,
      rule: `every listed table must exist (unknown: ${unknown.map((u) => u.pattern.text + (u.hint ? ` — ${u.hint}` : '')).join('; ')})`,
      fix: 'fix the table names or create the tables before starting the pipeline',
    });
  return selectTables(patterns, tables);
}

export async function describeTables(
  client: pg.Client,
  refs: readonly TableRef[],
  collectionOf: (t: TableRef) => string,
): Promise<TableInfo[]> {
  if (refs.length === 0) return [];
  const { rows } = await client.query<{
    oid: number;
    schema: string;
    name: string;
    ident: string;
    columns: { name: string; typeOid: number; sqlType: string }[];
    pk: string[] | null;
    kind: string;
  }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relreplident::text AS ident,
       c.relkind::text AS kind,
       (SELECT json_agg(json_build_object('name', a.attname, 'typeOid', a.atttypid::int,
                'sqlType', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
          FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM pg_index i
          CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [refs.map((r) => r.schema), refs.map((r) => r.name)],
  );
  return rows.map((r) => {
    const ref = { schema: r.schema, name: r.name };
    return {
      ...ref,
      oid: r.oid,
      collection: collectionOf(ref),
      columns: r.columns ?? [],
      primaryKey: r.pk ?? [],
      replicaIdentity: r.ident,
      partitioned: r.kind === 'p',
    };
  });
}

/**
 * The user must be able to read every selected table (the snapshot and backfills SELECT from
 * it): otherwise the snapshot would fail mid-way with "permission denied", retried forever.
 */
export async function checkReadable(
  client: Queryable,
  tables: readonly TableInfo[],
  raw: string,
): Promise<void> {
  if (tables.length === 0) return;
  const { rows } = await client.query<{ oid: number }>(
    `SELECT c.oid::int AS oid FROM pg_class c
      WHERE c.oid = ANY($1::oid[])
        AND NOT (has_schema_privilege(c.relnamespace, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'))`,
    [tables.map((t) => t.oid)],
  );
  const bad = tables.filter((t) => rows.some((r) => r.oid === t.oid));
  if (bad.length === 0) return;
  throw new ConfigError({
    parameter: 'tables',
    value: raw,
    rule: `the user must be allowed to read every selected table (no SELECT on ${bad.map(quoteRef).join(', ')})`,
    fix: `run GRANT SELECT ON ${bad.map(sqlName).join(', ')} TO <user> (and GRANT USAGE on the schema), or exclude the tables with !name`,
  });
}

/** A table whose updates/deletes cannot be replicated is an error naming the fix. */
export function checkIdentity(tables: readonly TableInfo[], raw: string): void {
  const bad = tables.filter(
    (t) => t.primaryKey.length === 0 && t.replicaIdentity !== 'f' && t.replicaIdentity !== 'i',
  );
  if (bad.length === 0) return;
  const list = bad.map(quoteRef).join(', ');
  throw new ConfigError({
    parameter: 'tables',
    value: raw,
    rule: `every table needs a primary key or a replica identity (missing on ${list})`,
    fix: `add a primary key, or run ALTER TABLE ${quoteRef(bad[0]!)} REPLICA IDENTITY FULL (for each such table), or exclude it with !name`,
  });
}

/**
 * The selected table a relation of the stream belongs to when it is a partition (at any depth)
 * of a selected partitioned table: its oid, else `undefined`.
 */
export async function partitionRoot(client: pg.Client, relid: number): Promise<number | undefined> {
  if ((await serverVersion(client)) < 120000) return undefined;
  const { rows } = await client.query<{ root: number | null }>(
    'SELECT pg_partition_root($1::oid::regclass)::oid::int AS root',
    [relid],
  );
  const root = rows[0]?.root;
  return root != null && root !== relid ? root : undefined;
}

/** The server's `server_version_num` (e.g. 150004). */
export async function serverVersion(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ v: string }>(
    "SELECT current_setting('server_version_num') AS v",
  );
  return Number(rows[0]!.v);
}

/** Foreign keys among `tables` as `[child, parent]` table OIDs (self-references included). */
export async function foreignKeys(
  client: pg.Client,
  tables: readonly TableInfo[],
): Promise<[number, number][]> {
  if (tables.length < 2) return [];
  const oids = tables.map((t) => t.oid);
  const { rows } = await client.query<{ child: number; parent: number }>(
    `SELECT DISTINCT conrelid::int AS child, confrelid::int AS parent FROM pg_constraint
      WHERE contype = 'f' AND conrelid = ANY($1::oid[]) AND confrelid = ANY($1::oid[])`,
    [oids],
  );
  return rows.map((r) => [r.child, r.parent]);
}
