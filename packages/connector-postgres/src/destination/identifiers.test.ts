import { describe, expect, it } from 'vitest';
import { parseTableName, postgresIdentifier, qualified } from './identifiers.js';

describe('table routes', () => {
  it('splits schema.table and quotes every part', () => {
    expect(parseTableName('orders')).toEqual({ schema: undefined, table: 'orders' });
    expect(parseTableName('sales.Orders')).toEqual({ schema: 'sales', table: 'Orders' });
    expect(qualified({ schema: 'sales', table: 'Orders' })).toBe('"sales"."Orders"');
    expect(qualified({ schema: undefined, table: 'x"; DROP TABLE t; --' })).toBe(
      '"x""; DROP TABLE t; --"',
    );
  });

  it('rejects empty parts, extra dots, system schemas and names over 63 bytes', () => {
    for (const bad of [
      '',
      '.x',
      'x.',
      'a.b.c',
      'pg_catalog.pg_class',
      'information_schema.tables',
      'pg_toast.x',
      'nul\0byte',
      'é'.repeat(32),
    ]) {
      expect(postgresIdentifier(bad), JSON.stringify(bad)).toBeTypeOf('string');
    }
    expect(postgresIdentifier('x'.repeat(63))).toBeUndefined();
    expect(postgresIdentifier('é'.repeat(31))).toBeUndefined(); // 62 bytes
  });
});
