import { describe, expect, it } from 'vitest';
import { collectionOf } from '../sql.js';
import type { TableInfo } from './catalog.js';
import { stateOf } from './start.js';

const table = (schema: string, name: string): TableInfo => ({
  schema,
  name,
  oid: 1,
  collection: collectionOf({ schema, name }),
  columns: [],
  primaryKey: ['id'],
  replicaIdentity: 'd',
  partitioned: false,
});

describe('stored positions across the collection naming change', () => {
  it('keeps ordinary names and honours an old unambiguous key of a dotted name', () => {
    const users = table('public', 'users');
    const dotted = table('x.y', 't');
    const state = { users: { k: ['5'] }, 'x.y.t': { d: 1 as const } };
    expect(stateOf(state, users, [users, dotted])).toEqual({ k: ['5'] });
    expect(stateOf(state, dotted, [users, dotted])).toEqual({ d: 1 });
  });

  it('ignores an old key that two selected tables shared', () => {
    const ab = table('public', 'a.b');
    const aDotB = table('a', 'b');
    const state = { 'a.b': { d: 1 as const } };
    expect(stateOf(state, ab, [ab, aDotB])).toBeUndefined();
    expect(stateOf(state, aDotB, [ab, aDotB])).toBeUndefined();
    // Alone, a.b keeps its state.
    expect(stateOf(state, aDotB, [aDotB])).toEqual({ d: 1 });
  });
});
