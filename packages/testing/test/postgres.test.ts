import { createTestDatabase, withPgClient } from '@opencdc-ts/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';

describe('throwaway PostgreSQL', () => {
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase(inject('pgUrl'), 'testing_pg');
  });

  it('creates isolated databases', async () => {
    const other = await createTestDatabase(inject('pgUrl'), 'testing_pg');
    expect(other).not.toBe(url);
    const name = await withPgClient(other, async (c) => {
      const r = await c.query<{ db: string }>('select current_database() as db');
      return r.rows[0]?.db;
    });
    expect(other.endsWith(`/${name}`)).toBe(true);
  });

  it('runs with wal_level=logical and room for many slots', async () => {
    const settings = await withPgClient(url, async (c) => {
      const r = await c.query<{ name: string; setting: string }>(
        `select name, setting from pg_settings
         where name in ('wal_level', 'max_replication_slots', 'max_wal_senders')`,
      );
      return Object.fromEntries(r.rows.map((row) => [row.name, row.setting]));
    });
    expect(settings.wal_level).toBe('logical');
    expect(Number(settings.max_replication_slots)).toBeGreaterThanOrEqual(10);
    expect(Number(settings.max_wal_senders)).toBeGreaterThanOrEqual(10);
  });

  it('decodes a change through a logical replication slot', async () => {
    const slot = `testing_slot_${Date.now().toString(36)}`;
    await withPgClient(url, async (c) => {
      await c.query('create table items (id int primary key, name text)');
      await c.query("select pg_create_logical_replication_slot($1, 'test_decoding')", [slot]);
      try {
        await c.query("insert into items values (1, 'first')");
        const r = await c.query<{ data: string }>(
          'select data from pg_logical_slot_get_changes($1, null, null)',
          [slot],
        );
        const changes = r.rows.map((row) => row.data).filter((d) => d.startsWith('table'));
        expect(changes).toEqual(["table public.items: INSERT: id[integer]:1 name[text]:'first'"]);
      } finally {
        await c.query('select pg_drop_replication_slot($1)', [slot]);
      }
    });
  });

  it('streams pgoutput changes for a publication', async () => {
    const slot = `testing_pgoutput_${Date.now().toString(36)}`;
    await withPgClient(url, async (c) => {
      await c.query('create table events (id int primary key, body text)');
      await c.query('create publication testing_pub for table events');
      await c.query("select pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
      try {
        await c.query("insert into events values (7, 'hello')");
        const r = await c.query<{ data: Buffer }>(
          `select data from pg_logical_slot_get_binary_changes($1, null, null,
             'proto_version', '1', 'publication_names', 'testing_pub')`,
          [slot],
        );
        // pgoutput messages: B(egin), R(elation), I(nsert), C(ommit).
        const kinds = r.rows.map((row) => String.fromCharCode(row.data[0]!));
        expect(kinds).toEqual(['B', 'R', 'I', 'C']);
        const insert = r.rows[2]!.data.toString('latin1');
        expect(insert).toContain('hello');
      } finally {
        await c.query('select pg_drop_replication_slot($1)', [slot]);
      }
    });
  });
});
