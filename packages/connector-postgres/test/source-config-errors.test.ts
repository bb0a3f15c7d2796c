// Issue 14 (finding 8): problems found at open are ConfigErrors naming the real parameter and its
// value (the runtime turns a ConfigError raised at open into exit code 2), never `url = (not set)`.
import { ConfigError } from '@opencdc-ts/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { createSource, dropRoles, sql, urlAs, useSourceDatabase } from './source-helpers.js';

let url: string;
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const roles = {
  norepl: `cfg_norepl_${suffix}`,
  noselect: `cfg_nosel_${suffix}`,
  notowner: `cfg_notown_${suffix}`,
};
const settings = useSourceDatabase('pgsrc_cfgerr', async (u) => {
  url = u;
  const db = decodeURIComponent(new URL(url).pathname.slice(1));
  await sql(
    url,
    `CREATE TABLE nopk (v text);
     CREATE TABLE ok (id int PRIMARY KEY);
     CREATE TABLE secret (id int PRIMARY KEY);
     CREATE ROLE ${roles.norepl} LOGIN;
     GRANT SELECT ON ok TO ${roles.norepl};
     CREATE ROLE ${roles.noselect} LOGIN REPLICATION;
     GRANT SELECT ON ok TO ${roles.noselect};
     CREATE ROLE ${roles.notowner} LOGIN REPLICATION;
     GRANT SELECT ON ok, secret TO ${roles.notowner};
     GRANT CREATE ON DATABASE "${db}" TO ${roles.notowner};
     CREATE PUBLICATION theirs_${suffix} FOR TABLE ok;`,
  );
});

afterAll(async () => {
  await sql(url, `DROP PUBLICATION IF EXISTS theirs_${suffix}`).catch(() => undefined);
  await dropRoles(url, Object.values(roles));
});

const as = (role: string) => urlAs(url, role);

async function openError(extra: { [k: string]: string }): Promise<ConfigError> {
  const src = createSource(settings(extra), 't');
  try {
    await src.open(undefined);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  } finally {
    await src.teardown();
  }
  throw new Error('open succeeded');
}

describe('postgres source: configuration problems at open are ConfigErrors', () => {
  it('a table without primary key or replica identity: tables', async () => {
    const e = await openError({ tables: 'ok, nopk' });
    expect([e.parameter, e.value]).toEqual(['tables', 'ok, nopk']);
    expect(e.message).toMatch(/REPLICA IDENTITY FULL/);
  });

  it('an unknown table or schema: tables', async () => {
    const e = await openError({ tables: 'ok, nosuch' });
    expect([e.parameter, e.value]).toEqual(['tables', 'ok, nosuch']);
    const e2 = await openError({ tables: 'nosuch.*' });
    expect([e2.parameter, e2.value]).toEqual(['tables', 'nosuch.*']);
  });

  it('a user without REPLICATION: url, with its value', async () => {
    const e = await openError({ url: as(roles.norepl), tables: 'ok' });
    expect(e.parameter).toBe('url');
    expect(e.value).toBe(as(roles.norepl));
    expect(e.message).not.toMatch(/not set/);
    expect(e.message).toMatch(/WITH REPLICATION/);
  });

  it('a database that does not exist: url', async () => {
    const u = new URL(url);
    u.pathname = '/no_such_db_at_all';
    const e = await openError({ url: u.toString(), tables: 'ok' });
    expect(e.parameter).toBe('url');
  });

  it('no SELECT on a selected table: tables (before the snapshot fails on it)', async () => {
    const e = await openError({ url: as(roles.noselect), tables: 'ok, secret' });
    expect([e.parameter, e.value]).toEqual(['tables', 'ok, secret']);
    expect(e.message).toMatch(/GRANT SELECT ON "public"."secret"/);
  });

  it('a managed publication owned by someone else: logrepl.publicationName', async () => {
    const e = await openError({
      url: as(roles.notowner),
      tables: 'ok, secret',
      'logrepl.publicationName': `theirs_${suffix}`,
    });
    expect([e.parameter, e.value]).toEqual(['logrepl.publicationName', `theirs_${suffix}`]);
  });

  it('a managed publication over tables the user does not own: logrepl.managePublication', async () => {
    const e = await openError({ url: as(roles.notowner), tables: 'ok, secret' });
    expect([e.parameter, e.value]).toEqual(['logrepl.managePublication', 'true']);
    expect(e.message).toMatch(/must be owner of table/);
    expect(e.message).toMatch(/logrepl.managePublication: false/);
  });
});
