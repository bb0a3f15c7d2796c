import { describe, expect, it } from 'vitest';
import { snapshotOrder } from './order.js';

const plain = (m: Map<string, Set<string>>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));

describe('snapshotOrder', () => {
  it('keeps foreign keys among the selection, drops self-references and outside tables', () => {
    const o = snapshotOrder(
      ['child', 'parent', 'grand', 'free'],
      [
        ['child', 'parent'],
        ['grand', 'child'],
        ['parent', 'parent'],
        ['child', 'elsewhere'],
      ],
    );
    expect(plain(o.deps)).toEqual({ child: ['parent'], grand: ['child'], parent: [], free: [] });
    expect(o.ignored).toEqual([]);
  });

  it('breaks cycles deterministically (walk in name order, the edge closing a cycle is ignored)', () => {
    const fks: [string, string][] = [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
      ['d', 'a'],
    ];
    const o = snapshotOrder(['d', 'c', 'b', 'a'], fks);
    expect(o.ignored).toEqual([['c', 'a']]);
    expect(plain(o.deps)).toEqual({ a: ['b'], b: ['c'], c: [], d: ['a'] });
    expect(snapshotOrder(['a', 'b', 'c', 'd'], [...fks].reverse())).toEqual(o);
  });
});
