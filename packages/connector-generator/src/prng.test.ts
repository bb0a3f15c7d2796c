import { describe, expect, test } from 'vitest';
import { Rng } from './prng.js';

describe('Rng', () => {
  test('the same (seed, stream, index) gives the same sequence', () => {
    const a = new Rng();
    const b = new Rng();
    a.reseed(42, 0, 1_000_000_007);
    b.reseed(42, 0, 1_000_000_007);
    const xs = Array.from({ length: 100 }, () => a.u32());
    expect(Array.from({ length: 100 }, () => b.u32())).toEqual(xs);
  });

  test('neighbouring indexes, streams and seeds give unrelated sequences', () => {
    const r = new Rng();
    const firsts = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      r.reseed(7, i % 3, i);
      firsts.add(r.u32());
    }
    expect(firsts.size).toBeGreaterThan(9_990);
    r.reseed(1, 0, 0);
    const x = r.u32();
    r.reseed(2, 0, 0);
    expect(r.u32()).not.toBe(x);
    r.reseed(2 ** 40, 0, 2 ** 40);
    expect(r.u32()).toBeTypeOf('number');
  });

  test('next() is uniform in [0, 1)', () => {
    const r = new Rng(3);
    const buckets = new Array(10).fill(0);
    const n = 100_000;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      else buckets[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    for (const b of buckets) expect(Math.abs(b - n / 10)).toBeLessThan(600);
    for (let i = 0; i < 1000; i++) {
      const d = r.nextDouble();
      expect(d >= 0 && d < 1).toBe(true);
    }
  });
});
