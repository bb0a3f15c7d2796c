import { ConfigError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { preflight, type Queryable } from './catalog.js';
import { publicationPrivilegeError } from './publication.js';

/** A client answering the preflight query with one row. */
function fake(row: { wal_level: string; rolreplication: boolean; rolsuper: boolean }): Queryable {
  return { query: async () => ({ rows: [row] }) } as unknown as Queryable;
}

const url = 'postgres://alice:s3cret@db.example:5432/shop';

async function error(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('no error');
}

describe('preflight', () => {
  it('wal_level not logical is a ConfigError of url, with the url (password hidden)', async () => {
    const e = await error(
      preflight(fake({ wal_level: 'replica', rolreplication: true, rolsuper: false }), url),
    );
    expect(e.parameter).toBe('url');
    expect(e.value).toBe('postgres://alice:***@db.example:5432/shop');
    expect(e.message).toMatch(/wal_level = logical \(it is replica\)/);
    expect(e.message).not.toMatch(/s3cret|not set/);
  });

  it('a user without REPLICATION is a ConfigError of url', async () => {
    const e = await error(
      preflight(fake({ wal_level: 'logical', rolreplication: false, rolsuper: false }), url),
    );
    expect(e.parameter).toBe('url');
    expect(e.message).toMatch(/ALTER ROLE <user> WITH REPLICATION/);
  });

  it('passes a replication user on a logical server', async () => {
    await preflight(fake({ wal_level: 'logical', rolreplication: true, rolsuper: false }), url);
  });
});

describe('publicationPrivilegeError', () => {
  const denied = (message: string) => Object.assign(new Error(message), { code: '42501' });
  const refs = [{ schema: 'public', name: 't' }];
  const error = (message: string) => publicationPrivilegeError(denied(message), 'p', refs);
  it('names the parameter the refused privilege comes from', () => {
    expect(error('must be owner of publication p')?.parameter).toBe('logrepl.publicationName');
    expect(error('must be owner of table t')?.parameter).toBe('logrepl.managePublication');
    expect(error('permission denied for database d')?.parameter).toBe('logrepl.managePublication');
    expect(publicationPrivilegeError(new Error('other'), 'p', refs)).toBeUndefined();
  });

  it('names the recipe that works without ownership, with the exact SQL', () => {
    for (const m of ['must be owner of table t', 'permission denied for database d']) {
      const e = error(m)!;
      expect(e.message).toContain(
        'CREATE PUBLICATION "p" FOR TABLE "public"."t" WITH (publish_via_partition_root = true)',
      );
      expect(e.message).toContain('logrepl.managePublication: false');
    }
  });
});
