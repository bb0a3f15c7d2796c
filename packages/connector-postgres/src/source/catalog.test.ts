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
  it('names the parameter the refused privilege comes from', () => {
    expect(
      publicationPrivilegeError(denied('must be owner of publication p'), 'p', 't', url)?.parameter,
    ).toBe('logrepl.publicationName');
    expect(
      publicationPrivilegeError(denied('must be owner of table t'), 'p', 't', url)?.parameter,
    ).toBe('tables');
    expect(
      publicationPrivilegeError(denied('permission denied for database d'), 'p', 't', url)
        ?.parameter,
    ).toBe('url');
    expect(publicationPrivilegeError(new Error('other'), 'p', 't', url)).toBeUndefined();
  });
});
