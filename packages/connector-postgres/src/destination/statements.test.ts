import { describe, expect, it } from 'vitest';
import type { ColumnInfo, TableInfo } from './catalog.js';
import { type Statement, toQuery } from './statements.js';

const col = (name: string, type: string, kind: ColumnInfo['kind'] = 'other'): ColumnInfo => ({
  name,
  type,
  kind,
  elementKind: 'other',
});

const table: TableInfo = {
  oid: 1,
  links: [],
  name: { schema: 's', table: 't' },
  sql: '"s"."t"',
  columns: new Map([
    ['a', col('a', 'integer')],
    ['b', col('b', 'text')],
    ['j', col('j', 'jsonb', 'json')],
  ]),
  primaryKey: ['a', 'b'],
  uniqueKeys: [['a', 'b']],
};

const statement = (kind: Statement['kind'], columns: string[], match?: string[]): Statement => ({
  kind,
  table,
  columns,
  conflict: [],
  update: [],
  rows: [],
  ...(match ? { match } : {}),
});

describe('statement SQL', () => {
  it('a key move: delete the old row only when the new key is taken, else move it', () => {
    const row = { index: 0, values: ['2', 'y', '1', 'x'] }; // new key, then old key
    expect(toQuery(statement('displace', ['a', 'b']), [row])).toEqual({
      text: 'DELETE FROM "s"."t" WHERE ("a", "b") = ($3::integer, $4::text) AND EXISTS (SELECT 1 FROM "s"."t" WHERE ("a", "b") = ($1::integer, $2::text))',
      values: row.values,
    });
    expect(toQuery(statement('rekey', ['a', 'b']), [row]).text).toBe(
      'UPDATE "s"."t" SET ("a", "b") = ROW($1::integer, $2::text) WHERE ("a", "b") = ($3::integer, $4::text)',
    );
  });

  it('keyless: one row picked by tableoid/ctid, null-safe comparisons as text (json as jsonb)', () => {
    const del = toQuery(statement('match-delete', [], ['a', 'j']), [
      { index: 0, values: ['1', '{}'] },
    ]);
    expect(del.text).toBe(
      'WITH m AS (SELECT x.tableoid AS o, x.ctid AS c FROM "s"."t" AS x WHERE x."a"::text IS NOT DISTINCT FROM ($1::integer)::text AND x."j"::jsonb IS NOT DISTINCT FROM $2::jsonb::jsonb LIMIT 1) DELETE FROM "s"."t" WHERE tableoid = (SELECT o FROM m) AND ctid = (SELECT c FROM m)',
    );
    const upd = toQuery(statement('match-update', ['a', 'b'], ['b']), [
      { index: 0, values: ['1', 'new', 'old'] },
    ]);
    expect(upd.values).toEqual(['1', 'new', 'old']);
    expect(upd.text).toContain('WHERE x."b"::text IS NOT DISTINCT FROM ($3::text)::text LIMIT 1)');
    expect(upd.text).toContain(
      'u AS (UPDATE "s"."t" SET "a" = $1::integer, "b" = $2::text WHERE tableoid = (SELECT o FROM m) AND ctid = (SELECT c FROM m) RETURNING 1)',
    );
    // No row matched: insert the after image unless an identical row exists (a replay).
    expect(upd.text).toContain(
      'INSERT INTO "s"."t" ("a", "b") SELECT $1::integer, $2::text WHERE NOT EXISTS (SELECT 1 FROM u) AND NOT EXISTS (SELECT 1 FROM "s"."t" AS x WHERE x."a"::text IS NOT DISTINCT FROM ($1::integer)::text AND x."b"::text IS NOT DISTINCT FROM ($2::text)::text)',
    );
  });
});
