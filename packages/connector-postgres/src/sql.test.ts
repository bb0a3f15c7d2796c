import { describe, expect, it } from 'vitest';
import {
  allowMatcher,
  parseTableName,
  postgresIdentifier,
  qualified,
  resolveName,
  tableKey,
} from './sql.js';

describe('table routes', () => {
  it('splits schema.table and quotes every part', () => {
    expect(parseTableName('orders')).toEqual({ schema: undefined, table: 'orders' });
    expect(parseTableName('sales.Orders')).toEqual({ schema: 'sales', table: 'Orders' });
    expect(qualified({ schema: 'sales', table: 'Orders' })).toBe('"sales"."Orders"');
    expect(qualified({ schema: undefined, table: 'x"; DROP TABLE t; --' })).toBe(
      '"x""; DROP TABLE t; --"',
    );
  });

  it('reads double-quoted parts as the source writes collections', () => {
    // public."a.b" → collection "a.b"; schema a, table b → a.b; schema x.y, table t → "x.y".t
    expect(parseTableName('"a.b"')).toEqual({ schema: undefined, table: 'a.b' });
    expect(parseTableName('a.b')).toEqual({ schema: 'a', table: 'b' });
    expect(parseTableName('"x.y".t')).toEqual({ schema: 'x.y', table: 't' });
    expect(parseTableName('s."a.b"')).toEqual({ schema: 's', table: 'a.b' });
    expect(parseTableName('"x.y"."a.b"')).toEqual({ schema: 'x.y', table: 'a.b' });
    // `""` inside quotes is one `"`; quoted parts keep case, unquoted ones too.
    expect(parseTableName('"say ""hi"""')).toEqual({ schema: undefined, table: 'say "hi"' });
    expect(parseTableName('"Sales"."Orders"')).toEqual({ schema: 'Sales', table: 'Orders' });
    expect(parseTableName('Sales.Orders')).toEqual({ schema: 'Sales', table: 'Orders' });
    // A quote in the middle of an unquoted part is just a character (as before).
    expect(parseTableName('Mixed Case "q"')).toEqual({
      schema: undefined,
      table: 'Mixed Case "q"',
    });
    expect(parseTableName('a."b""c"')).toEqual({ schema: 'a', table: 'b"c' });
  });

  it('rejects empty parts, extra parts, bad quoting, system schemas and names over 63 bytes', () => {
    for (const bad of [
      '',
      '.x',
      'x.',
      'a.b.c',
      '"a".b.c',
      '""',
      '"".x',
      '"unterminated',
      '"a"b',
      '"a".',
      'pg_catalog.pg_class',
      '"pg_catalog".pg_class',
      'PG_CATALOG.pg_authid',
      '"Pg_Catalog"."pg_authid"',
      'information_schema.tables',
      'INFORMATION_SCHEMA.tables',
      'pg_toast.x',
      'pg_temp.x',
      'pg_temp_3.x',
      'pg_toast_temp_3.x',
      'nul\0byte',
      'é'.repeat(32),
      `"${'x'.repeat(64)}"`,
    ]) {
      expect(postgresIdentifier(bad), JSON.stringify(bad)).toBeTypeOf('string');
    }
    expect(postgresIdentifier('x'.repeat(63))).toBeUndefined();
    expect(postgresIdentifier('é'.repeat(31))).toBeUndefined(); // 62 bytes
    expect(postgresIdentifier(`"${'x'.repeat(63)}"`)).toBeUndefined();
    expect(postgresIdentifier('a.b.c')).toMatch(/3 name parts/);
    expect(postgresIdentifier('PG_CATALOG.pg_authid')).toMatch(/system schema "PG_CATALOG"/);
  });

  it('resolves unqualified names in the given current schema only', () => {
    expect(resolveName({ schema: undefined, table: 't' }, 'public')).toEqual({
      schema: 'public',
      table: 't',
    });
    expect(resolveName({ schema: 's', table: 't' }, 'public')).toEqual({ schema: 's', table: 't' });
  });

  it('keys tables unambiguously (public."a.b" is not a.b, "a.b".c is not a."b.c")', () => {
    expect(tableKey({ schema: 'public', table: 'a.b' })).not.toBe(
      tableKey({ schema: 'a', table: 'b' }),
    );
    expect(tableKey({ schema: 'a.b', table: 'c' })).not.toBe(
      tableKey({ schema: 'a', table: 'b.c' }),
    );
  });
});

describe('tables.allow', () => {
  const name = (route: string) => {
    const n = parseTableName(route);
    if (typeof n === 'string') throw new Error(n);
    return n;
  };

  it('matches parsed names: * within one part, unqualified entries only unqualified routes', () => {
    const allowed = allowMatcher(['audit_*', 'sales.*', '"x.y".t']);
    expect(allowed(name('audit_log'))).toBe(true);
    expect(allowed(name('"audit_a.b"'))).toBe(true);
    expect(allowed(name('public.audit_log'))).toBe(false);
    expect(allowed(name('sales.orders'))).toBe(true);
    expect(allowed(name('"sales".orders'))).toBe(true);
    expect(allowed(name('sales."a.b"'))).toBe(true);
    expect(allowed(name('salesx.orders'))).toBe(false);
    expect(allowed(name('"x.y".t'))).toBe(true);
    expect(allowed(name('x.t'))).toBe(false);
    expect(allowed(name('orders'))).toBe(false);
    const star = allowMatcher(['*']);
    expect(star(name('"a.b"'))).toBe(true);
    expect(star(name('a.b'))).toBe(false);
  });

  it('rejects entries with more than two parts', () => {
    expect(() => allowMatcher(['a.b.c'])).toThrow(/more than two name parts/);
  });
});
