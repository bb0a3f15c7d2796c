import { runAcceptanceTests } from '@opencdc-ts/sdk/acceptance';
import { createTestDatabase } from '@opencdc-ts/testing';
import pg from 'pg';
import { inject } from 'vitest';
import { connector } from '../src/index.js';

// One database for the whole suite; every test uses its own tables, slot and publication.
let database: Promise<string> | undefined;
const db = () => {
  database ??= createTestDatabase(inject('pgUrl'), 'pgacc');
  return database;
};

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: await db() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The tables the default records need (the source captures existing tables). */
async function createTables(collections: readonly string[]): Promise<void> {
  await sql(
    collections
      .map(
        (c) =>
          `CREATE TABLE IF NOT EXISTS ${pg.escapeIdentifier(c)} (id bigint PRIMARY KEY, name text);`,
      )
      .join('\n'),
  );
}

runAcceptanceTests({
  connector,
  async sourceConfig(ctx) {
    await createTables(ctx.collections);
    return {
      url: await db(),
      tables: ctx.collections.join(','),
      'logrepl.slotName': ctx.id,
      'logrepl.publicationName': ctx.id,
    };
  },
  async destinationConfig(ctx) {
    await createTables(ctx.collections);
    return { url: await db() };
  },
  async cleanup(ctx) {
    await sql(`
      SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
        WHERE slot_name = ${pg.escapeLiteral(ctx.id)} AND NOT active;
      DROP PUBLICATION IF EXISTS ${pg.escapeIdentifier(ctx.id)};
      ${ctx.collections.map((c) => `DROP TABLE IF EXISTS ${pg.escapeIdentifier(c)};`).join('\n')}`);
  },
});
