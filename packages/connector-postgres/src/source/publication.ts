/**
 * The replication objects the source manages: the publication (created, reconciled, checked for
 * ownership), the WAL message that makes a pending backfill durable, and the slot.
 */
import { ConfigError } from '@opencdc-ts/sdk';
import type pg from 'pg';
import { quote, quoteRef, sqlName, type TableRef } from '../sql.js';
import { serverVersion } from './catalog.js';

/**
 * What works on a managed service (RDS, Cloud SQL, Azure), where the connector's role is not the
 * tables' owner and may not create publications: an administrator creates the publication once,
 * and the connector uses it as is. Spelled out with the exact SQL, because the server's own
 * message ("permission denied for database", "must be owner of table") names neither step.
 */
export function managedServiceRecipe(publication: string, refs: readonly TableRef[]): string {
  const list = refs.map(sqlName).join(', ') || '<schema>.<table>, ...';
  return (
    `ask an administrator (a superuser or the tables' owner) to run CREATE PUBLICATION ${quote(publication)} FOR TABLE ${list} WITH (publish_via_partition_root = true); ` +
    `then set logrepl.managePublication: false (logrepl.publicationName: ${publication}); the connector's role needs only REPLICATION (or rds_replication) and SELECT on the tables`
  );
}

/**
 * Managing the publication takes ownership of it and of the tables it lists; a refusal from the
 * server (42501) is a configuration problem, named with the parameter it comes from and with the
 * recipe that works without those privileges.
 */
export function publicationPrivilegeError(
  e: unknown,
  publication: string,
  refs: readonly TableRef[],
): ConfigError | undefined {
  const err = e as Error & { code?: string };
  if (err.code !== '42501') return undefined;
  const msg = err.message;
  const recipe = managedServiceRecipe(publication, refs);
  if (/publication/.test(msg))
    return new ConfigError(
      {
        parameter: 'logrepl.publicationName',
        value: publication,
        rule: `the user must own the managed publication (${msg})`,
        fix: `run ALTER PUBLICATION ${quote(publication)} OWNER TO <user>, choose another logrepl.publicationName, or ${recipe}`,
      },
      { cause: e },
    );
  if (/table|relation/.test(msg))
    return new ConfigError(
      {
        parameter: 'logrepl.managePublication',
        value: 'true',
        rule: `a managed publication can only list tables the user owns (${msg})`,
        fix: `${recipe}; or connect as the owner of the selected tables`,
      },
      { cause: e },
    );
  return new ConfigError(
    {
      parameter: 'logrepl.managePublication',
      value: 'true',
      rule: `managing the publication needs the CREATE privilege on the database (${msg})`,
      fix: `${recipe}; or GRANT CREATE ON DATABASE <db> TO <user> if the user also owns the tables`,
    },
    { cause: e },
  );
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
