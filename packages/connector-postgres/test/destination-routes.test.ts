import { createHash } from 'node:crypto';
import { ConfigError, RecordError } from '@opencdc-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, type Harness, harness, rec } from './destination-helpers.js';

// Issue 14, finding 6 (no writes into system schemas, unqualified names resolve in
// current_schema() only) and finding 5 (collection names with quoted parts).

let h: Harness;
beforeAll(async () => {
  h = await harness('pgdroutes');
});
afterAll(async () => {
  await h?.close();
});

/** A fingerprint of the catalog tables a hostile route would aim at. */
async function catalogState(): Promise<unknown> {
  return h.rows(`SELECT (SELECT count(*)::int FROM pg_authid) AS roles,
    (SELECT count(*)::int FROM pg_description) AS descriptions,
    (SELECT count(*)::int FROM pg_class) AS classes,
    (SELECT count(*)::int FROM pg_namespace) AS schemas`);
}

/** The URL of the test database with extra libpq options (e.g. a search_path). */
function withOptions(options: string): string {
  const u = new URL(h.url);
  u.searchParams.set('options', options);
  return u.toString();
}

describe('postgres destination: never writes into a system schema', () => {
  it('refuses system-schema routes however spelled, tables.allow "*" and autoCreate included', async () => {
    await h.db.query('CREATE TABLE sys_ok (id int PRIMARY KEY)');
    const before = await catalogState();
    const d = await h.open({ 'tables.allow': '*,*.*', autoCreate: 'true', autoEvolve: 'true' });
    const hostile = [
      'pg_catalog.pg_authid',
      '"pg_catalog".pg_class',
      '"pg_catalog"."pg_description"',
      'PG_CATALOG.pg_authid',
      'Pg_Catalog.pg_authid',
      '"PG_CATALOG".pg_authid',
      'information_schema.x',
      'INFORMATION_SCHEMA.sql_features',
      'pg_temp.x',
      'pg_temp_1.x',
      'pg_toast.x',
      'pg_toast_temp_1.x',
    ];
    for (const route of hostile) {
      const e = await failure(() =>
        d.write([
          rec('sys_ok', 'create', { id: 1 }, { id: 1 }),
          rec(
            route,
            'create',
            { oid: 424242 },
            { oid: 424242, rolname: 'evil', rolsuper: true, rolcanlogin: true },
          ),
        ]),
      );
      expect(e, route).toBeInstanceOf(RecordError);
      expect(e.index, route).toBe(1);
      expect(e.message, route).toMatch(/system schema/);
    }
    expect(await catalogState()).toEqual(before);
    expect(await h.rows("SELECT 1 FROM pg_roles WHERE rolname = 'evil'")).toEqual([]);
  });

  it('refuses unqualified names of catalog relations (pg_authid, pg_description), autoCreate included', async () => {
    await h.db.query('CREATE TABLE cat_ok (v int)');
    const before = await catalogState();
    const d = await h.open({ 'tables.allow': '*,public.*', autoCreate: 'true' });
    for (const route of ['pg_authid', 'pg_description', '"pg_authid"', 'pg_roles', 'pg_class']) {
      const e = await failure(() =>
        d.write([
          rec('cat_ok', 'create', null, { v: 1 }),
          rec(route, 'create', null, { oid: 424243, rolname: 'evil2', rolsuper: true }),
        ]),
      );
      expect(e, route).toBeInstanceOf(RecordError);
      expect(e.index, route).toBe(1);
      expect(e.message, route).toMatch(/names a system catalog relation \(pg_catalog\.pg_\w+\)/);
    }
    expect(await h.rows('SELECT count(*)::int AS n FROM cat_ok')).toEqual([{ n: 5 }]);
    // Not created in public either.
    expect(
      await h.rows(
        "SELECT relname FROM pg_class WHERE relname IN ('pg_authid', 'pg_description') AND relnamespace = 'public'::regnamespace",
      ),
    ).toEqual([]);
    expect(await catalogState()).toEqual(before);
    // Qualified, the same names are ordinary tables of public; other pg_ names are ordinary.
    await d.write([
      rec('public.pg_authid', 'create', null, { rolname: 'evil3', rolsuper: true }),
      rec('pg_custom', 'create', null, { v: 'x' }),
    ]);
    expect(await h.rows('SELECT rolname, rolsuper FROM public.pg_authid')).toEqual([
      { rolname: 'evil3', rolsuper: true },
    ]);
    expect(await h.rows('SELECT v FROM public.pg_custom')).toEqual([{ v: 'x' }]);
    expect(await h.rows("SELECT 1 FROM pg_roles WHERE rolname LIKE 'evil%'")).toEqual([]);
  });

  it('an unqualified route is not captured by a same-named temp table of the session', async () => {
    // The destination's own session holds temp staging tables (pg_temp, which the
    // search_path searches first). Route a record to one's name: it must land in public.
    await h.db.query('CREATE TABLE shadow_src (id int PRIMARY KEY, v text)');
    const d = await h.open();
    const updates = Array.from({ length: 100 }, (_, i) =>
      rec('shadow_src', 'update', { id: i }, { id: i, v: `v${i}` }),
    );
    await d.write(updates); // a big run of updates: staged through a temp table
    // Mirrors staging.ts: the staging table for the column types (integer, text).
    const hash = createHash('sha256').update('integer\u0000text').digest('hex').slice(0, 16);
    const stage = `opencdc_stage_2_${hash}`;
    await h.db.query(`CREATE TABLE public.${stage} (c1 integer, c2 text)`);
    await d.write([rec(stage, 'create', null, { c1: 1, c2: 'landed' })]);
    expect(await h.rows(`SELECT c1, c2 FROM public.${stage}`)).toEqual([{ c1: 1, c2: 'landed' }]);
  });

  it('follows current_schema(), not the rest of the search_path; refuses a system current schema', async () => {
    await h.db.query(`
      CREATE SCHEMA landing; CREATE SCHEMA other;
      CREATE TABLE other.sp_t (id int PRIMARY KEY, v text);`);
    // search_path = landing, other: current_schema() is landing. The old resolution
    // (to_regclass) found other.sp_t; the route must mean landing.sp_t.
    const d = await h.open({
      url: withOptions('-c search_path=landing,other'),
      autoCreate: 'true',
    });
    await d.write([rec('sp_t', 'create', { id: 1 }, { id: 1, v: 'landing' })]);
    expect(await h.rows('SELECT id, v FROM landing.sp_t')).toEqual([{ id: '1', v: 'landing' }]);
    expect(await h.rows('SELECT id, v FROM other.sp_t')).toEqual([]);

    // pg_catalog listed first: current_schema() is pg_catalog; unqualified routes are refused.
    const before = await catalogState();
    const sys = await h.open({
      url: withOptions('-c search_path=pg_catalog,public'),
      autoCreate: 'true',
    });
    for (const route of ['anything', 'pg_custom_2']) {
      const e = await failure(() =>
        sys.write([rec(route, 'create', null, { objoid: 1, classoid: 1, objsubid: 0 })]),
      );
      expect(e, route).toBeInstanceOf(RecordError);
      expect(e.message, route).toMatch(/system schema "pg_catalog"/);
    }
    expect(await catalogState()).toEqual(before);
    // A qualified route still works on that connection.
    await sys.write([rec('landing.q', 'create', { id: 1 }, { id: 1 })]);
    expect(await h.rows('SELECT id FROM landing.q')).toEqual([{ id: '1' }]);

    // No schema of the search_path exists: unqualified routes fail the write (not one
    // record's fault), naming the search_path.
    const none = await h.open({ url: withOptions('-c search_path=nowhere') });
    const e = await failure(() => none.write([rec('x', 'create', null, { v: 1 })]));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/current_schema\(\), and there is none \(search_path = nowhere/);
    // An unqualified checkpoint table is refused the same way when it would land in a system
    // schema (before any SQL touches it).
    const beforeCheckpoint = await catalogState();
    const cp = await failure(() =>
      h.open({ url: withOptions('-c search_path=pg_catalog'), 'checkpoint.table': 'checkpoints' }),
    );
    expect(cp).toBeInstanceOf(ConfigError);
    expect(cp.message).toMatch(/checkpoint\.table.*system schema "pg_catalog"/);
    expect(await catalogState()).toEqual(beforeCheckpoint);
  });
});

describe('postgres destination: collections with quoted parts', () => {
  it('public."a.b" and a.b are two tables; "x.y".t lands in schema x.y', async () => {
    await h.db.query(`
      CREATE TABLE public."a.b" (id int PRIMARY KEY, v text);
      CREATE SCHEMA a; CREATE TABLE a.b (id int PRIMARY KEY, v text);
      CREATE SCHEMA "x.y"; CREATE TABLE "x.y".t (id int PRIMARY KEY, v text);
      CREATE TABLE public."q""uote" (id int PRIMARY KEY, v text);`);
    const d = await h.open({ 'tables.allow': '*,a.*,"x.y".*' });
    await d.write([
      rec('"a.b"', 'create', { id: 1 }, { id: 1, v: 'public a.b' }),
      rec('a.b', 'create', { id: 2 }, { id: 2, v: 'schema a, table b' }),
      rec('"x.y".t', 'create', { id: 3 }, { id: 3, v: 'schema x.y' }),
      rec('"q""uote"', 'create', { id: 4 }, { id: 4, v: 'quote' }),
    ]);
    expect(await h.rows('SELECT id, v FROM public."a.b"')).toEqual([{ id: 1, v: 'public a.b' }]);
    expect(await h.rows('SELECT id, v FROM a.b')).toEqual([{ id: 2, v: 'schema a, table b' }]);
    expect(await h.rows('SELECT id, v FROM "x.y".t')).toEqual([{ id: 3, v: 'schema x.y' }]);
    expect(await h.rows('SELECT id, v FROM public."q""uote"')).toEqual([{ id: 4, v: 'quote' }]);
    // Not allowed: schema "x.y"'s other tables are, schema x is not.
    const e = await failure(() => d.write([rec('x.t', 'create', { id: 1 }, { id: 1 })]));
    expect(e).toBeInstanceOf(RecordError);
    expect(e.message).toMatch(/not in the allow-list/);
  });
});
