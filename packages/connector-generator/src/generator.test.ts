import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenCDCRecord, StructuredData } from '@opencdc-ts/commons';
import { describe, expect, test } from 'vitest';
import { parseConfig } from './config.js';
import { decodePosition, RecordGenerator, SEEDED_EPOCH_MS } from './generator.js';
import type { GeneratorConfig } from './model.js';

const text = new TextDecoder();

/** A record as comparable JSON text (bytes decoded). */
function show(r: OpenCDCRecord): string {
  const d = (x: unknown) => (x instanceof Uint8Array ? `bytes:${text.decode(x)}` : x);
  return JSON.stringify({
    position: text.decode(r.position),
    operation: r.operation,
    metadata: Object.fromEntries([...r.metadata].sort()),
    key: d(r.key),
    before: d(r.payload.before),
    after: d(r.payload.after),
  });
}

function take(gen: RecordGenerator, n: number): OpenCDCRecord[] {
  return Array.from({ length: n }, () =>
    gen.next(1_700_000_000_000.5, gen.config.seed !== undefined),
  );
}

const threeCollections = {
  seed: '42',
  'collections.users.format.options.id': 'int',
  'collections.users.format.options.name': 'person.fullName',
  'collections.users.format.options.email': 'internet.email',
  'collections.users.operations': 'create,update,delete',
  'collections.orders.format.type': 'raw',
  'collections.orders.format.options.total': 'commerce.price',
  'collections.orders.format.options.at': 'time',
  'collections.orders.operations': 'create,update',
  'collections.events.format.options.ok': 'bool',
  'collections.events.format.options.took': 'duration',
  'collections.events.format.options.note': 'string',
  'collections.events.operations': 'snapshot',
};

function generator(config: GeneratorConfig): RecordGenerator {
  return new RecordGenerator(config, config.seed ?? 1);
}

describe('records', () => {
  const config = parseConfig(threeCollections);
  const records = take(generator(config), 3000);
  const byCollection = (name: string) =>
    records.filter((r) => r.metadata.get('opencdc.collection') === name);

  test('each collection has its own fields, format and operations', () => {
    for (const r of byCollection('users')) {
      expect(['create', 'update', 'delete']).toContain(r.operation);
      const data = (r.payload.after ?? r.payload.before) as StructuredData;
      expect(Object.keys(data)).toEqual(['email', 'id', 'name']);
      expect(data.email).toMatch(/@/);
      expect(typeof data.id).toBe('number');
      expect(r.key).toEqual({ id: expect.any(Number) });
    }
    for (const r of byCollection('orders')) {
      expect(['create', 'update']).toContain(r.operation);
      expect(r.payload.after).toBeInstanceOf(Uint8Array);
      const data = JSON.parse(text.decode(r.payload.after as Uint8Array));
      expect(Object.keys(data)).toEqual(['at', 'total']);
      expect(data.total).toMatch(/^\d+\.\d\d$/);
      expect(Number.isNaN(Date.parse(data.at))).toBe(false);
      expect(r.key).toBeInstanceOf(Uint8Array);
    }
    for (const r of byCollection('events')) {
      expect(r.operation).toBe('snapshot');
      const data = r.payload.after as StructuredData;
      expect(typeof data.ok).toBe('boolean');
      expect(typeof data.took).toBe('number');
      expect(data.note).toMatch(/^[A-Za-z0-9]{8,23}$/);
      expect(r.payload.before).toBeNull();
    }
    const ops = new Set(byCollection('users').map((r) => r.operation));
    expect(ops).toEqual(new Set(['create', 'update', 'delete']));
  });

  test('before/after per operation; updates and deletes hit created keys', () => {
    const createdAfter = new Map<string, string>();
    for (const r of records) {
      const coll = r.metadata.get('opencdc.collection')!;
      const key =
        r.key instanceof Uint8Array ? text.decode(r.key) : String((r.key as StructuredData).id);
      const id = `${coll}/${key}`;
      const value = (x: unknown) => (x instanceof Uint8Array ? text.decode(x) : JSON.stringify(x));
      if (r.operation === 'create' || r.operation === 'snapshot') {
        expect(r.payload.before).toBeNull();
        expect(r.payload.after).not.toBeNull();
        expect(createdAfter.has(id)).toBe(false);
        createdAfter.set(id, value(r.payload.after));
      } else {
        expect(createdAfter.has(id)).toBe(true);
        // The key's created values: what it looked like before (the generator keeps no history).
        expect(value(r.payload.before)).toBe(createdAfter.get(id));
        if (r.operation === 'delete') expect(r.payload.after).toBeNull();
        else expect(value(r.payload.after)).not.toBe(createdAfter.get(id));
      }
    }
  });

  test('metadata: collection, createdAt on a synthetic clock when seeded, no readAt', () => {
    const r = records[0]!;
    // `opencdc.readAt` is stamped by the runtime, not by the source.
    expect(r.metadata.get('opencdc.readAt')).toBeUndefined();
    const createdAt = records.map((x) => BigInt(x.metadata.get('opencdc.createdAt')!));
    expect(createdAt[0]! / 1_000_000n).toBe(BigInt(SEEDED_EPOCH_MS + 1));
    for (let i = 1; i < createdAt.length; i++) expect(createdAt[i]! > createdAt[i - 1]!).toBe(true);
  });

  test('the default collection has no opencdc.collection; unseeded createdAt is the wall clock', () => {
    const c = parseConfig({ 'format.options.n': 'int' });
    const [r] = take(generator(c), 1);
    expect(r!.metadata.has('opencdc.collection')).toBe(false);
    expect(r!.metadata.get('opencdc.createdAt')).toBe('1700000000000500000');
    expect(text.decode(r!.position)).toBe('{"seq":1,"c":{"":[1,1]}}');
  });

  test('file format: the file bytes are the payload', () => {
    const path = join(tmpdir(), `generator-file-${process.pid}.bin`);
    writeFileSync(path, 'hello file');
    const c = parseConfig({ 'format.type': 'file', 'format.options.path': path });
    c.collections[0]!.file = new TextEncoder().encode('hello file');
    const [r] = take(generator(c), 1);
    expect(text.decode(r!.payload.after as Uint8Array)).toBe('hello file');
    expect(text.decode(r!.key as Uint8Array)).toBe('1');
  });
});

describe('weights and rates', () => {
  test('weights give shares within statistical tolerance', () => {
    const c = parseConfig({
      seed: '5',
      'collections.a.format.options.x': 'int',
      'collections.a.weight': '6',
      'collections.b.format.options.x': 'int',
      'collections.b.weight': '3',
      'collections.c.format.options.x': 'int',
    });
    const n = 20_000;
    const counts: { [k: string]: number } = { a: 0, b: 0, c: 0 };
    for (const r of take(generator(c), n)) counts[r.metadata.get('opencdc.collection')!]!++;
    // Binomial standard deviation is at most ~70 here; 4 sigma.
    expect(Math.abs(counts.a! - n * 0.6)).toBeLessThan(300);
    expect(Math.abs(counts.b! - n * 0.3)).toBeLessThan(300);
    expect(Math.abs(counts.c! - n * 0.1)).toBeLessThan(300);
  });

  test('own rates interleave exactly by virtual time', () => {
    const c = parseConfig({
      seed: '5',
      'collections.slow.format.options.x': 'int',
      'collections.slow.rate': '10',
      'collections.fast.format.options.x': 'int',
      'collections.fast.rate': '30',
    });
    const gen = generator(c);
    const names = take(gen, 40).map((r) => r.metadata.get('opencdc.collection'));
    expect(names.filter((x) => x === 'slow')).toHaveLength(10);
    expect(names.slice(0, 4)).toEqual(['fast', 'fast', 'fast', 'slow']);
    expect(gen.lastVirtualTime()).toBeCloseTo(1, 9);
  });
});

describe('determinism and resume', () => {
  test('the same seed gives the same records; another seed other records', () => {
    const c = parseConfig(threeCollections);
    const a = take(generator(c), 500).map(show);
    const b = take(generator(c), 500).map(show);
    expect(b).toEqual(a);
    const other = parseConfig({ ...threeCollections, seed: '43' });
    expect(take(generator(other), 500).map(show)).not.toEqual(a);
  });

  test('relative faker dates count from the time base, not from now', () => {
    const c = parseConfig({
      seed: '3',
      'format.options.d': 'date.past',
      'format.options.r': 'date.recent',
    });
    const a = take(generator(c), 50).map(show);
    const later = new RecordGenerator(c, 3, undefined, SEEDED_EPOCH_MS);
    expect(take(later, 50).map(show)).toEqual(a);
    const d = Date.parse(JSON.parse(a[0]!).after.d);
    expect(d).toBeLessThan(SEEDED_EPOCH_MS);
    expect(d).toBeGreaterThan(SEEDED_EPOCH_MS - 366 * 86_400_000);
    // Another time base (an unseeded run's start) moves them.
    const other = new RecordGenerator(c, 3, undefined, SEEDED_EPOCH_MS + 86_400_000);
    expect(take(other, 1).map(show)).not.toEqual(a.slice(0, 1));
  });

  test('resuming from the position of record N continues with record N+1, byte for byte', () => {
    const c = parseConfig(threeCollections);
    const all = take(generator(c), 1000).map(show);
    for (const n of [1, 17, 500, 999]) {
      const first = take(generator(c), n);
      const position = first[n - 1]!.position;
      const resumed = new RecordGenerator(c, 42, decodePosition(position, c));
      expect(take(resumed, 1000 - n).map(show)).toEqual(all.slice(n));
    }
  });

  test('resume with own rates keeps the interleaving', () => {
    const c = parseConfig({
      seed: '9',
      rate: '20',
      'collections.a.format.options.x': 'int',
      'collections.a.rate': '7',
      'collections.b.format.options.x': 'string',
      'collections.c.format.options.x': 'bool',
    });
    const all = take(generator(c), 300).map(show);
    const first = take(generator(c), 123);
    const resumed = new RecordGenerator(c, 9, decodePosition(first[122]!.position, c));
    expect(take(resumed, 177).map(show)).toEqual(all.slice(123));
  });

  test('bad positions are rejected with a clear message; unknown collections are ignored', () => {
    const c = parseConfig(threeCollections);
    expect(() => decodePosition(new TextEncoder().encode('nope'), c)).toThrow(/not JSON/);
    expect(() => decodePosition(new TextEncoder().encode('{"x":1}'), c)).toThrow(
      /not a generator position/,
    );
    const s = decodePosition(
      new TextEncoder().encode('{"seq":5,"c":{"gone":[5,5],"users":[2,1]}}'),
      c,
    );
    expect(s).toEqual({ seq: 5, counts: [0, 0, 2], created: [0, 0, 1] });
  });
});

describe('key space without creating operations', () => {
  test('updates and deletes pick keys from 1..records+1', () => {
    const c = parseConfig({ seed: '1', 'format.options.x': 'int', operations: 'update,delete' });
    const records = take(generator(c), 200);
    records.forEach((r, i) => {
      expect(['update', 'delete']).toContain(r.operation);
      const id = (r.key as StructuredData).id as number;
      expect(id >= 1 && id <= i + 1).toBe(true);
    });
  });
});
