/** Catalog queries: preflight checks, table discovery, publication and slot management. */
import { ConfigError } from '@opencdc-ts/sdk';
import type pg from 'pg';
import { quote, quoteRef, sqlName, type TableRef } from '../sql.js';
import { redactUrl } from './connection.js';
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
  const { rows } = await client.query<{
    wal_level: string;
    rolreplication: boolean;
    rolsuper: boolean;
  }>(
    `SELECT current_setting('wal_level') AS wal_level, r.rolreplication, r.rolsuper
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const r = rows[0]!;
  if (r.wal_level !== 'logical')
    throw new ConfigError({
      parameter: 'url',
      value: redactUrl(url),
      rule: `server setting wal_level = logical (it is ${r.wal_level})`,
      fix: "set wal_level = 'logical' in postgresql.conf (ALTER SYSTEM SET wal_level = logical) and restart Postgres",
    });
  if (!r.rolreplication && !r.rolsuper)
    throw new ConfigError({
      parameter: 'url',
      value: redactUrl(url),
      rule: 'the user needs the REPLICATION attribute',
      fix: 'run ALTER ROLE <user> WITH REPLICATION (as a superuser), or connect as a user that has it',
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

/**
 * Managing the publication takes ownership of it and of the tables it lists; a refusal from the
 * server (42501) is a configuration problem, named with the parameter it comes from.
 */
export function publicationPrivilegeError(
  e: unknown,
  publication: string,
  tablesRaw: string,
  url: string,
): ConfigError | undefined {
  const err = e as Error & { code?: string };
  if (err.code !== '42501') return undefined;
  const msg = err.message;
  if (/publication/.test(msg))
    return new ConfigError(
      {
        parameter: 'logrepl.publicationName',
        value: publication,
        rule: `the user must own the managed publication (${msg})`,
        fix: `run ALTER PUBLICATION ${quote(publication)} OWNER TO <user>, choose another logrepl.publicationName, or set logrepl.managePublication to false`,
      },
      { cause: e },
    );
  if (/table|relation/.test(msg))
    return new ConfigError(
      {
        parameter: 'tables',
        value: tablesRaw,
        rule: `a managed publication can only list tables the user owns (${msg})`,
        fix: 'connect as the owner of the selected tables, create the publication yourself and set logrepl.managePublication to false, or narrow the tables parameter',
      },
      { cause: e },
    );
  return new ConfigError(
    {
      parameter: 'url',
      value: redactUrl(url),
      rule: `the user must be allowed to create the publication (${msg})`,
      fix: 'GRANT CREATE ON DATABASE <db> TO <user>, or create the publication yourself and set logrepl.managePublication to false',
    },
    { cause: e },
  );
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
 * Tables currently in a publication, or `null` if it does not exist. A partition is reported as
 * the root of its partition tree: without `publish_via_partition_root` the server lists the
 * leaves of a published partitioned table, and the selection only ever names roots.
 * `viaRoot`: the publication's `publish_via_partition_root` (false before PostgreSQL 13).
 */
export async function publicationTables(
  client: pg.Client,
  name: string,
): Promise<{ all: boolean; viaRoot: boolean; tables: TableRef[] } | null> {
  const version = await serverVersion(client);
  const p = await client.query<{ puballtables: boolean; viaroot: boolean }>(
    `SELECT puballtables, ${version >= 130000 ? 'pubviaroot' : 'false'} AS viaroot
       FROM pg_publication WHERE pubname = $1`,
    [name],
  );
  if (p.rows.length === 0) return null;
  const root = version >= 120000 ? 'COALESCE(pg_partition_root(c.oid), c.oid)' : 'c.oid';
  const t = await client.query<{ schemaname: string; tablename: string }>(
    `SELECT DISTINCT rn.nspname AS schemaname, rc.relname AS tablename
       FROM pg_publication_tables p
       JOIN pg_namespace n ON n.nspname = p.schemaname
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename
       JOIN pg_class rc ON rc.oid = ${root}
       JOIN pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE p.pubname = $1`,
    [name],
  );
  return {
    all: p.rows[0]!.puballtables,
    viaRoot: p.rows[0]!.viaroot,
    tables: t.rows.map((r) => ({ schema: r.schemaname, name: r.tablename })),
  };
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

const key = (t: TableRef) => `${t.schema}\u0000${t.name}`;

/**
 * Managed: create the publication with exactly `tables`, or reconcile it (`SET TABLE`).
 * User-owned: it must exist and contain every selected table. Returns the tables that were in
 * the publication before (new ones need a backfill when resuming).
 */
export async function ensurePublication(
  client: pg.Client,
  name: string,
  managed: boolean,
  tables: readonly TableRef[],
): Promise<Set<string>> {
  const current = await publicationTables(client, name);
  const list = tables.map(sqlName).join(', ');
  // Changes of a partition are published under the partitioned table the selection names (the
  // snapshot reads that root), for partitions attached later too. The stream also maps a leaf to
  // its root, for publications without this option (user-owned, or older servers).
  const viaRoot = (await serverVersion(client)) >= 130000;
  const withViaRoot = viaRoot ? ' WITH (publish_via_partition_root = true)' : '';
  if (!managed) {
    if (!current)
      throw new ConfigError({
        parameter: 'logrepl.publicationName',
        value: name,
        rule: 'the publication must exist when logrepl.managePublication is false',
        fix: `run CREATE PUBLICATION ${quote(name)} FOR TABLE ${list || '...'}, or set logrepl.managePublication to true`,
      });
    const have = new Set(current.tables.map(key));
    const missing = current.all ? [] : tables.filter((t) => !have.has(key(t)));
    if (missing.length > 0)
      throw new ConfigError({
        parameter: 'logrepl.publicationName',
        value: name,
        rule: `the publication must include every selected table (missing: ${missing.map(quoteRef).join(', ')})`,
        fix: `run ALTER PUBLICATION ${quote(name)} ADD TABLE ${missing.map(sqlName).join(', ')}, or narrow the tables parameter`,
      });
    return new Set(current.all ? tables.map(key) : current.tables.map(key));
  }
  if (!current) {
    if (tables.length === 0) await client.query(`CREATE PUBLICATION ${quote(name)}${withViaRoot}`);
    else await client.query(`CREATE PUBLICATION ${quote(name)} FOR TABLE ${list}${withViaRoot}`);
    return new Set();
  }
  if (current.all)
    throw new ConfigError({
      parameter: 'logrepl.publicationName',
      value: name,
      rule: 'a managed publication lists exactly the selected tables, but this one is FOR ALL TABLES',
      fix: 'choose another logrepl.publicationName, or set logrepl.managePublication to false to use this publication as is',
    });
  const want = new Set(tables.map(key));
  const have = new Set(current.tables.map(key));
  const same = want.size === have.size && [...want].every((k) => have.has(k));
  if (!same) {
    if (tables.length === 0)
      await client.query(
        `ALTER PUBLICATION ${quote(name)} DROP TABLE ${current.tables.map(sqlName).join(', ')}`,
      );
    else await client.query(`ALTER PUBLICATION ${quote(name)} SET TABLE ${list}`);
  }
  if (viaRoot && !current.viaRoot)
    await client.query(`ALTER PUBLICATION ${quote(name)} SET (publish_via_partition_root = true)`);
  return have;
}

/** Prefix of the WAL message that makes a pending backfill durable (see `announceBackfill`). */
export const BACKFILL_MESSAGE = 'opencdc-backfill';

/**
 * Adds `t` to the publication (when `add`) and, when `announce` names the slot, writes in the
 * SAME transaction a WAL message naming the table: a restart whose stored position precedes it
 * replays the message and backfills the table again, so a crash before the first backfilled
 * record was acknowledged cannot lose the backfill.
 */
export async function announceBackfill(
  client: pg.Client,
  publication: string,
  t: TableRef,
  add: boolean,
  announce: string | undefined,
): Promise<void> {
  if (!announce) {
    if (add) await client.query(`ALTER PUBLICATION ${quote(publication)} ADD TABLE ${sqlName(t)}`);
    return;
  }
  await client.query('BEGIN');
  try {
    if (add) await client.query(`ALTER PUBLICATION ${quote(publication)} ADD TABLE ${sqlName(t)}`);
    await client.query('SELECT pg_logical_emit_message(true, $1, $2)', [
      BACKFILL_MESSAGE,
      JSON.stringify({ slot: announce, schema: t.schema, name: t.name }),
    ]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The server's `server_version_num` (e.g. 150004). */
export async function serverVersion(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ v: string }>(
    "SELECT current_setting('server_version_num') AS v",
  );
  return Number(rows[0]!.v);
}

export interface SlotInfo {
  active: boolean;
  walStatus: string | null;
  confirmedFlush: string | null;
  plugin: string;
}

export async function slotInfo(client: pg.Client, slot: string): Promise<SlotInfo | null> {
  const { rows } = await client.query<{
    active: boolean;
    wal_status: string | null;
    confirmed_flush_lsn: string | null;
    plugin: string;
    database: string;
    current: string;
  }>(
    `SELECT active, wal_status, confirmed_flush_lsn::text, plugin, database, current_database() AS current
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  const r = rows[0];
  if (!r) return null;
  if (r.plugin !== 'pgoutput' || r.database !== r.current)
    throw new ConfigError({
      parameter: 'logrepl.slotName',
      value: slot,
      rule: `the slot must be a pgoutput slot of database ${r.current} (it is ${r.plugin} on ${r.database})`,
      fix: 'choose another logrepl.slotName or drop that slot',
    });
  return {
    active: r.active,
    walStatus: r.wal_status,
    confirmedFlush: r.confirmed_flush_lsn,
    plugin: r.plugin,
  };
}

export async function dropSlot(client: pg.Client, slot: string): Promise<void> {
  await client.query(
    'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
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
