import type { StructuredData } from '@opencdc-ts/commons';
import { RecordError } from '@opencdc-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, type Harness, harness, rec } from './destination-helpers.js';

// Issue 14, finding 7: one bad record never kills the pipeline. A value nested 20,000 levels
// deep overflowed the call stack (`Maximum call stack size exceeded`, no record named, the
// pipeline failed); it must be a RecordError for that record.

let h: Harness;
beforeAll(async () => {
  h = await harness('pgdvalues');
});
afterAll(async () => {
  await h?.close();
});

function deepObject(levels: number): StructuredData {
  const root: StructuredData = {};
  let at = root;
  for (let i = 1; i < levels; i++) {
    const next: StructuredData = {};
    at.a = next;
    at = next;
  }
  return root;
}

function deepArray(levels: number): unknown[] {
  const root: unknown[] = [];
  let at = root;
  for (let i = 1; i < levels; i++) {
    const next: unknown[] = [];
    at.push(next);
    at = next;
  }
  return root;
}

describe('postgres destination: values nested too deep', () => {
  it('a 20,000-deep object in a jsonb column fails its record only', async () => {
    await h.db.query('CREATE TABLE deep (id int PRIMARY KEY, doc jsonb)');
    const d = await h.open();
    const e = await failure(() =>
      d.write([
        rec('deep', 'create', { id: 1 }, { id: 1, doc: { ok: true } }),
        rec('deep', 'create', { id: 2 }, { id: 2, doc: deepObject(1000) }), // at the limit: fine
        rec('deep', 'create', { id: 3 }, { id: 3, doc: deepObject(20_000) }),
        rec('deep', 'create', { id: 4 }, { id: 4, doc: { after: true } }),
      ]),
    );
    expect(e).toBeInstanceOf(RecordError);
    expect(e.index).toBe(2);
    expect(e.message).toMatch(/payload\.after\.doc: nested deeper than 1000 levels/);
    expect(await h.rows('SELECT id FROM deep ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    // The rest is written on the next call (as the runtime does after dead-lettering).
    await d.write([rec('deep', 'create', { id: 4 }, { id: 4, doc: { after: true } })]);
    expect(await h.rows('SELECT id FROM deep ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 4 },
    ]);
  });

  it('deep JSON text, deep arrays, raw JSON payloads, keys and before images', async () => {
    await h.db.query(`
      CREATE TABLE deep2 (id int PRIMARY KEY, doc jsonb, arr int[], t text);
      CREATE TABLE deep_keyless (doc jsonb, v int);`);
    const d = await h.open();
    const enc = (o: unknown) =>
      new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));
    const deepText = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const cases = [
      // JSON text into jsonb: the server's own parser is recursive too.
      {
        r: rec('deep2', 'create', { id: 2 }, { id: 2, doc: deepText }),
        field: 'payload.after.doc',
      },
      // A nested array into an array column (multi-dimensional array literal).
      {
        r: rec('deep2', 'create', { id: 3 }, { id: 3, arr: deepArray(20_000) as never }),
        field: 'payload.after.arr',
      },
      // An object into a text column (rendered as its JSON text).
      {
        r: rec('deep2', 'create', { id: 4 }, { id: 4, t: deepObject(20_000) }),
        field: 'payload.after.t',
      },
      // Raw bytes holding a deep JSON object.
      {
        r: rec('deep2', 'create', enc({ id: 5 }), enc(`{"id":5,"doc":{"x":${deepText}}}`)),
        field: 'payload.after.doc',
      },
      // The before image of a keyless update.
      {
        r: rec(
          'deep_keyless',
          'update',
          null,
          { doc: {}, v: 1 },
          { before: { doc: deepObject(20_000), v: 0 } },
        ),
        field: 'payload.before.doc',
      },
    ];
    for (const { r, field } of cases) {
      const e = await failure(() =>
        d.write([rec('deep2', 'create', { id: 1 }, { id: 1, t: 'ok' }), r]),
      );
      expect(e, field).toBeInstanceOf(RecordError);
      expect(e.index, field).toBe(1);
      expect(e.message, field).toContain(`${field}: nested deeper than 1000 levels`);
    }
    expect(await h.rows('SELECT id, t FROM deep2')).toEqual([{ id: 1, t: 'ok' }]);
  });
});
