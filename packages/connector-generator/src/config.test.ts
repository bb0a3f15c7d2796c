import { ConfigError, ConfigErrors } from '@opencdc-ts/sdk';
import { describe, expect, test } from 'vitest';
import { parseConfig } from './config.js';

/** The ConfigErrors a bad config throws, flattened. */
function errorsOf(settings: { [k: string]: string }): ConfigError[] {
  try {
    parseConfig(settings);
  } catch (e) {
    if (e instanceof ConfigErrors) return [...e.errors];
    if (e instanceof ConfigError) return [e];
    throw e;
  }
  throw new Error('expected a configuration error');
}

describe('valid configs', () => {
  test('top-level fields together with named collections: the default collection beside them, as upstream', () => {
    const c = parseConfig({
      'format.type': 'structured',
      'format.options.x': 'int',
      'collections.a.format.options.y': 'int',
    });
    expect(c.collections.map((k) => k.name)).toEqual([undefined, 'a']);
    expect(c.collections[0]?.fields).toEqual([{ name: 'x', type: 'int' }]);
  });

  test('readTime (deprecated upstream) is one record per readTime', () => {
    expect(parseConfig({ 'format.options.x': 'int', readTime: '1s' }).rate).toBe(1);
    expect(parseConfig({ 'format.options.x': 'int', readTime: '100ms' }).rate).toBe(10);
  });

  test('format.options as one "name:type,..." list (B14, B15), also per collection', () => {
    const c = parseConfig({
      recordCount: '10',
      readTime: '1s',
      'format.options': 'id:int,name:string,company:string',
      'format.type': 'structured',
    });
    expect(c.collections[0]?.fields.map((f) => f.name)).toEqual(['company', 'id', 'name']);
    const d = parseConfig({
      'collections.u.format.options': 'id:int',
      'collections.u.format.options.n': 'string',
    });
    expect(d.collections[0]?.fields).toEqual([
      { name: 'id', type: 'int' },
      { name: 'n', type: 'string' },
    ]);
  });

  test('top-level fields make the default collection (no name), as upstream', () => {
    const c = parseConfig({ 'format.options.id': 'int', 'format.options.name': 'person.fullName' });
    expect(c.collections).toHaveLength(1);
    expect(c.collections[0]).toMatchObject({
      name: undefined,
      format: 'structured',
      operations: ['create'],
      fields: [
        { name: 'id', type: 'int' },
        { name: 'name', type: 'person.fullName' },
      ],
    });
    expect(c).toMatchObject({ recordCount: 0, rate: 0, seed: undefined });
    expect(c.burst).toEqual({ sleepTime: 0, generateTime: 1000 });
  });

  test('named collections, sorted, inheriting top-level operations and format', () => {
    const c = parseConfig({
      operations: 'create,update',
      'format.type': 'raw',
      'collections.users.format.options.email': 'internet.email',
      'collections.orders.format.type': 'structured',
      'collections.orders.format.options.total': 'commerce.price',
      'collections.orders.operations': 'create,delete',
      'collections.orders.weight': '3',
      'burst.sleepTime': '2s',
      'burst.generateTime': '500ms',
      seed: '7',
      rate: '100',
    });
    expect(c.collections.map((x) => x.name)).toEqual(['orders', 'users']);
    expect(c.collections[0]).toMatchObject({
      format: 'structured',
      operations: ['create', 'delete'],
      weight: 3,
      prefix: 'collections.orders.',
    });
    expect(c.collections[1]).toMatchObject({
      format: 'raw',
      operations: ['create', 'update'],
      weight: 1,
    });
    expect(c.burst).toEqual({ sleepTime: 2000, generateTime: 500 });
    expect(c.seed).toBe(7);
  });

  test('file format takes format.options.path, not a field', () => {
    const c = parseConfig({ 'format.type': 'file', 'format.options.path': '/tmp/x.bin' });
    expect(c.collections[0]).toMatchObject({ format: 'file', path: '/tmp/x.bin', fields: [] });
  });

  test('per-collection rates', () => {
    const c = parseConfig({
      'collections.a.format.options.x': 'int',
      'collections.a.rate': '10',
      'collections.b.format.options.x': 'int',
      rate: '5',
    });
    expect(c.collections.map((x) => x.rate)).toEqual([10, undefined]);
  });
});

describe('bad configs give clear errors', () => {
  test('unknown faker method: the nearest valid names', () => {
    const [e] = errorsOf({ 'format.options.name': 'person.fulName' });
    expect(e?.parameter).toBe('format.options.name');
    expect(e?.value).toBe('person.fulName');
    expect(e?.fix).toContain('"person.fullName"');
    const [e2] = errorsOf({ 'collections.u.format.options.mail': 'internet.emial' });
    expect(e2?.parameter).toBe('collections.u.format.options.mail');
    expect(e2?.fix).toContain('"internet.email"');
    const [e3] = errorsOf({ 'format.options.n': 'integer' });
    expect(e3?.fix).toMatch(/"int"/);
  });

  test('faker methods that need arguments or are deprecated', () => {
    const [e] = errorsOf({ 'format.options.x': 'date.between' });
    expect(e?.rule).toContain('without arguments');
    const [h] = errorsOf({ 'format.options.x': 'helpers.arrayElement' });
    expect(h?.parameter).toBe('format.options.x');
    const [d] = errorsOf({ 'format.options.x': 'image.urlLoremFlickr' });
    expect(d?.rule).toContain('not deprecated');
    expect(d?.fix).toContain('image.url');
  });

  test('negative rate and recordCount', () => {
    const errors = errorsOf({ 'format.options.x': 'int', rate: '-1', recordCount: '-5' });
    expect(errors.map((e) => e.parameter).sort()).toEqual(['rate', 'recordCount']);
    expect(errors.find((e) => e.parameter === 'rate')?.message).toContain('"-1"');
  });

  test('unknown operation', () => {
    const [e] = errorsOf({ 'format.options.x': 'int', operations: 'create,upsert' });
    expect(e?.parameter).toBe('operations');
    expect(e?.message).toContain('upsert');
    expect(e?.fix).toContain('create, update, delete, snapshot');
    const [e2] = errorsOf({
      'collections.a.format.options.x': 'int',
      'collections.a.operations': 'insert',
    });
    expect(e2?.parameter).toBe('collections.a.operations');
  });

  test('nothing to generate, a collection without fields, file without path', () => {
    expect(errorsOf({})[0]?.parameter).toBe('format.options.*');
    expect(errorsOf({ 'collections.users.weight': '2' })[0]?.parameter).toBe(
      'collections.users.format.options.*',
    );
    expect(errorsOf({ 'format.type': 'file' })[0]?.parameter).toBe('format.options.path');
    expect(
      errorsOf({ 'collections.a.format.type': 'file', 'collections.a.operations': 'create' })[0]
        ?.parameter,
    ).toBe('collections.a.format.options.path');
  });

  test('readTime together with rate', () => {
    const [e] = errorsOf({ 'format.options.x': 'int', readTime: '100ms', rate: '5' });
    expect(e?.parameter).toBe('readTime');
  });

  test('format.options pairs without a type', () => {
    expect(errorsOf({ 'format.options': 'id,name:string' })[0]?.parameter).toBe('format.options');
  });

  test('rates and weights that cannot combine', () => {
    expect(
      errorsOf({
        'collections.a.format.options.x': 'int',
        'collections.a.rate': '10',
        'collections.b.format.options.x': 'int',
      })[0]?.parameter,
    ).toBe('rate');
    expect(
      errorsOf({
        'collections.a.format.options.x': 'int',
        'collections.a.rate': '10',
        'collections.a.weight': '2',
      })[0]?.parameter,
    ).toBe('collections.a.weight');
    expect(
      errorsOf({
        'collections.a.format.options.x': 'int',
        'collections.a.rate': '10',
        rate: '3',
      })[0]?.parameter,
    ).toBe('rate');
    expect(
      errorsOf({ 'collections.a.format.options.x': 'int', 'collections.a.weight': '0' })[0]
        ?.parameter,
    ).toBe('collections.a.weight');
    expect(
      errorsOf({
        'format.options.x': 'int',
        'burst.sleepTime': '1s',
        'burst.generateTime': '0s',
      })[0]?.parameter,
    ).toBe('burst.generateTime');
  });

  test('every problem is reported at once', () => {
    const errors = errorsOf({
      'collections.a.format.options.x': 'nope.nope',
      'collections.b.format.options.y': 'person.fulName',
    });
    expect(errors.map((e) => e.parameter)).toEqual([
      'collections.a.format.options.x',
      'collections.b.format.options.y',
    ]);
  });
});

describe('README', () => {
  test('the example pipeline settings parse', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const yaml = readme.slice(
      readme.indexOf('```yaml'),
      readme.indexOf('```', readme.indexOf('```yaml') + 7),
    );
    const block = yaml.slice(yaml.indexOf('settings:'), yaml.indexOf('- id: sink'));
    const settings: { [k: string]: string } = {};
    for (const line of block.split('\n').slice(1)) {
      const m = /^\s+([\w.*-]+):\s*([^#]*?)\s*(#.*)?$/.exec(line);
      if (m) settings[m[1]!] = m[2]!;
    }
    expect(Object.keys(settings).length).toBeGreaterThan(10);
    const c = parseConfig(settings);
    expect(c.collections.map((x) => x.name)).toEqual(['audit', 'orders', 'users']);
    expect(c.collections[0]!.rate).toBe(2);
  });
});
