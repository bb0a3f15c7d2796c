// Issue 20: managed Postgres (RDS, Cloud SQL, Azure) gives the connector a role with REPLICATION
// (or membership in rds_replication) and SELECT, never ownership or CREATE on the database. The
// default managed publication must fail naming the recipe that works, and the recipe must work.
import { ConfigError } from '@opencdc-ts/sdk';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { preflight } from '../src/source/catalog.js';
import {
  after,
  createSource,
  dropRoles,
  readCount,
  sql,
  urlAs,
  useSourceDatabase,
} from './source-helpers.js';

let url: string;
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const roles = {
  managed: `mgd_app_${suffix}`,
  group: `mgd_grp_${suffix}`,
  member: `mgd_member_${suffix}`,
};
const settings = useSourceDatabase('pgsrc_managed', async (u) => {
  url = u;
  await sql(
    url,
    `CREATE TABLE orders (id int PRIMARY KEY, item text);
     INSERT INTO orders VALUES (1, 'a'), (2, 'b');
     CREATE ROLE ${roles.managed} LOGIN REPLICATION;
     GRANT SELECT ON orders TO ${roles.managed};
     CREATE ROLE ${roles.group} NOLOGIN REPLICATION;
     CREATE ROLE ${roles.member} LOGIN IN ROLE ${roles.group};`,
  );
});

afterAll(async () => {
  await dropRoles(url, Object.values(roles));
});

const as = (role: string) => urlAs(url, role);

describe('postgres source on a managed service (no superuser, no ownership)', () => {
  it('the default managed publication fails naming the recipe; the recipe works', async () => {
    const s = settings({ url: as(roles.managed), tables: 'orders' });
    // `check` (validate --connect) finds the same problem, changing nothing.
    const checked = createSource(s);
    const checkError = await checked.check!().then(
      () => undefined,
      (e: unknown) => e,
    );
    await checked.teardown();
    expect((checkError as ConfigError).parameter).toBe('logrepl.managePublication');

    const denied = createSource(s);
    const error = await denied.open(undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    await denied.teardown();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).parameter).toBe('logrepl.managePublication');
    expect(message).toContain('logrepl.managePublication: false');

    // The administrator runs exactly the SQL the error names.
    const recipe = /CREATE PUBLICATION [^;]+;/.exec(message)?.[0];
    expect(recipe).toBeDefined();
    await sql(url, recipe as string);

    const source = createSource({ ...s, 'logrepl.managePublication': 'false' });
    try {
      await source.open(undefined);
      const snapshot = await readCount(source, 2);
      expect(snapshot.map((r) => after(r).item).sort()).toEqual(['a', 'b']);
      await source.ack(snapshot.map((r) => r.position));
      await sql(url, `INSERT INTO orders VALUES (3, 'c')`);
      const [change] = await readCount(source, 1);
      expect(change?.operation).toBe('create');
      expect(after(change!).item).toBe('c');
    } finally {
      await source.teardown();
    }
  });

  it('replication granted through role membership passes the preflight', async () => {
    const client = new pg.Client({ connectionString: as(roles.member) });
    await client.connect();
    try {
      await expect(preflight(client, as(roles.member))).resolves.toBeUndefined();
    } finally {
      await client.end();
    }
  });
});
