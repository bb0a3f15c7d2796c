import { describe, expect, it } from 'vitest';
import { collectionOf } from '../sql.js';
import { parseTablePatterns, selectTables, unknownTables } from './tables.js';

const existing = [
  { schema: 'public', name: 'users' },
  { schema: 'public', name: 'MyTable' },
  { schema: 'public', name: 'audit_log' },
  { schema: 'sales', name: 'Orders' },
  { schema: 'sales', name: 'items' },
  { schema: 'we.ird', name: 'a,b' },
];

describe('table patterns', () => {
  it('folds unquoted names and keeps quoted ones', () => {
    const p = parseTablePatterns(' Users , "MyTable", sales."Orders", "we.ird"."a,b" ');
    expect(p.map((x) => [x.schema, x.table])).toEqual([
      ['public', 'users'],
      ['public', 'MyTable'],
      ['sales', 'Orders'],
      ['we.ird', 'a,b'],
    ]);
    expect(selectTables(p, existing).map(collectionOf)).toEqual([
      'MyTable',
      'users',
      'sales.Orders',
      '"we.ird".a,b',
    ]);
  });

  it('quotes a collection part that contains a dot or a quote, so names stay unique', () => {
    expect(collectionOf({ schema: 'public', name: 'a.b' })).toBe('"a.b"');
    expect(collectionOf({ schema: 'a', name: 'b' })).toBe('a.b');
    expect(collectionOf({ schema: 'x.y', name: 't' })).toBe('"x.y".t');
    expect(collectionOf({ schema: 'public', name: 'say "hi"' })).toBe('"say ""hi"""');
    expect(collectionOf({ schema: 'sales', name: 'Orders' })).toBe('sales.Orders');
    expect(collectionOf({ schema: 'public', name: 'My Table' })).toBe('My Table');
  });

  it('expands wildcards with exclusions', () => {
    expect(selectTables(parseTablePatterns('*, !audit_log'), existing).map(collectionOf)).toEqual([
      'MyTable',
      'users',
    ]);
    expect(selectTables(parseTablePatterns('sales.*'), existing).map(collectionOf)).toEqual([
      'sales.Orders',
      'sales.items',
    ]);
    expect(selectTables(parseTablePatterns('*.*, !sales.*'), existing)).toHaveLength(4);
  });

  it('reports unknown exact names with a case hint', () => {
    const u = unknownTables(parseTablePatterns('mytable, nope'), existing);
    expect(u.map((x) => [x.pattern.text, x.hint])).toEqual([
      ['mytable', 'did you mean public."MyTable"? Mixed-case names must be double-quoted'],
      ['nope', undefined],
    ]);
  });

  it('rejects malformed lists', () => {
    expect(() => parseTablePatterns('a.b.c')).toThrow(/more than two/);
    expect(() => parseTablePatterns('"open')).toThrow(/unterminated/);
    expect(() => parseTablePatterns('!x')).toThrow(/no table selected/);
    expect(() => parseTablePatterns('*.t')).toThrow(/wildcard schema/);
  });
});
