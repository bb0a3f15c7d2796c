import { ConfigError } from '@opencdc-ts/sdk';
import { expect, test } from 'vitest';
import { BytePool } from './bytes.js';
import { compileField, fakerMethods } from './fields.js';
import { Rng } from './prng.js';

const ctx = { timeBaseMs: Date.UTC(2024, 0, 1, 0, 30) };

test('built-in types', () => {
  const rng = new Rng(1);
  const gen = (type: string) => compileField('p', { name: 'f', type }).generate(rng, ctx);
  for (let i = 0; i < 2000; i++) {
    const t = gen('time') as string;
    const ms = Date.parse(t);
    // Same text as Date#toISOString, within the day before the base.
    expect(new Date(ms).toISOString()).toBe(t);
    expect(ms).toBeLessThanOrEqual(ctx.timeBaseMs);
    expect(ms).toBeGreaterThan(ctx.timeBaseMs - 86_400_000);
    const n = gen('int') as number;
    expect(Number.isInteger(n) && n >= 0 && n < 2 ** 31).toBe(true);
    expect(gen('string')).toMatch(/^[A-Za-z0-9]{8,23}$/);
    expect(typeof gen('bool')).toBe('boolean');
    const d = gen('duration') as number;
    expect(Number.isInteger(d) && d >= 0 && d < 3.6e12).toBe(true);
  }
});

test('faker types draw from the given stream: same stream, same value', () => {
  const f = compileField('p', { name: 'f', type: 'person.fullName' });
  expect(f.faker).toBe(true);
  const a = new Rng();
  const b = new Rng();
  a.reseed(5, 0, 9);
  b.reseed(5, 0, 9);
  expect(f.generate(a, ctx)).toBe(f.generate(b, ctx));
  const date = compileField('p', { name: 'f', type: 'date.past' }).generate(a, ctx);
  expect(typeof date).toBe('string');
  const big = compileField('p', { name: 'f', type: 'number.bigInt' }).generate(a, ctx);
  expect(typeof big).toBe('bigint');
});

test('faker method list: generators only', () => {
  const methods = fakerMethods();
  expect(methods).toContain('person.fullName');
  expect(methods).toContain('string.uuid');
  expect(methods.some((m) => m.startsWith('helpers.'))).toBe(false);
  expect(() =>
    compileField('format.options.x', { name: 'x', type: 'helpers.arrayElement' }),
  ).toThrow(ConfigError);
});

test('BytePool: views across chunk boundaries keep their bytes', () => {
  const pool = new BytePool();
  const views: [Uint8Array, string][] = [];
  for (let i = 0; i < 5000; i++) {
    const s = i % 2 ? `{"seq":${i}}` : `héllo ${i} ✓`;
    views.push([i % 2 ? pool.ascii(s) : pool.utf8(s), s]);
  }
  const big = 'x'.repeat(100_000);
  expect(new TextDecoder().decode(pool.utf8(big))).toBe(big);
  for (const [v, s] of views) expect(new TextDecoder().decode(v)).toBe(s);
});
