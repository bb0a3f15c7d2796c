import type { StructuredData } from '@opencdc-ts/commons';
import type pg from 'pg';
import { qualified, quote, type ResolvedName } from '../sql.js';
import { inferType } from './values.js';

/**
 * `autoCreate`: a table shaped after the first record routed to it. Columns get the type of
 * their first value (see `inferType`), key columns are NOT NULL and form the primary key; no
 * key (a keyless record into a new table) makes a table without a primary key.
 * `IF NOT EXISTS` so concurrent pipelines creating the same table do not fail. The name is
 * always schema-qualified: an unqualified CREATE TABLE would pick its schema from the
 * search_path.
 */
export async function createTable(
  client: pg.ClientBase,
  name: ResolvedName,
  row: StructuredData,
  key: readonly string[],
): Promise<void> {
  // Only when missing: CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege on the database
  // before it looks, so it would fail for a user who may create tables in an existing schema.
  const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name.schema]);
  if (exists.rowCount === 0) {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(name.schema)}`);
  }
  const defs = Object.entries(row).map(
    ([col, v]) => `${quote(col)} ${inferType(v)}${key.includes(col) ? ' NOT NULL' : ''}`,
  );
  if (key.length > 0) defs.push(`PRIMARY KEY (${key.map(quote).join(', ')})`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(name)} (${defs.join(', ')})`);
}

/** `autoEvolve`: adds missing columns, nullable, typed from the record's values. */
export async function addColumns(
  client: pg.ClientBase,
  tableSql: string,
  columns: ReadonlyMap<string, StructuredData[string]>,
): Promise<void> {
  const adds = [...columns].map(
    ([col, v]) => `ADD COLUMN IF NOT EXISTS ${quote(col)} ${inferType(v)}`,
  );
  await client.query(`ALTER TABLE ${tableSql} ${adds.join(', ')}`);
}
