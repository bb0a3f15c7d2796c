import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ConfigError, ConfigErrors } from '../errors.js';
import { defineConfig } from './config.js';
import { param } from './param.js';

const schema = defineConfig({
  url: param.string({ required: true, description: 'Connection URL.' }),
  'snapshot.fetchSize': param.int({
    default: 50000,
    greaterThan: 0,
    description: 'Rows per fetch.',
  }),
  snapshotMode: param.string({ default: 'initial', inclusion: ['initial', 'never'] }),
  slotName: param.string({ regex: /^[a-z0-9_]+$/ }),
  ratio: param.float({ lessThan: 1 }),
  enabled: param.bool({ default: true }),
  timeout: param.duration({ default: '5s' }),
  certPath: param.file(),
  tables: param.list({ default: ['*'] }),
  operations: param.list({ inclusion: ['create', 'update', 'delete', 'snapshot'] }),
  'collections.*.weight': param.float({ default: 1 }),
  'collections.*.format.type': param.string({ inclusion: ['raw', 'structured'] }),
  'collections.*.format.options.*': param.string({ default: 'int' }),
});

function errorsOf(fn: () => unknown): ConfigError[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigErrors);
    return [...(e as ConfigErrors).errors];
  }
  throw new Error('expected ConfigErrors');
}

describe('defineConfig', () => {
  it('publishes the parameter spec in Conduit shape', () => {
    expect(schema.parameters['snapshot.fetchSize']).toEqual({
      type: 'int',
      description: 'Rows per fetch.',
      default: '50000',
      validations: [{ type: 'greater-than', value: '0' }],
    });
    expect(schema.parameters.url!.validations).toEqual([{ type: 'required', value: '' }]);
    expect(schema.parameters.snapshotMode!.validations).toEqual([
      { type: 'inclusion', value: 'initial,never' },
    ]);
    expect(schema.parameters.slotName!.validations).toEqual([
      { type: 'regex', value: '^[a-z0-9_]+$' },
    ]);
    expect(schema.parameters.tables).toMatchObject({ type: 'string', default: '*' });
    expect(schema.parameters.timeout).toMatchObject({ type: 'duration', default: '5s' });
    expect(schema.parameters.operations!.description).toContain('each item one of: create');
  });

  it('parses, trims and applies defaults with precise types', () => {
    const c = schema.parse({
      url: '  postgres://x  ',
      timeout: '1m30s',
      operations: 'create, update',
    });
    expect(c.url).toBe('postgres://x');
    expect(c['snapshot.fetchSize']).toBe(50000);
    expect(c.snapshotMode).toBe('initial');
    expect(c.enabled).toBe(true);
    expect(c.timeout).toBe(90_000);
    expect(c.tables).toEqual(['*']);
    expect(c.operations).toEqual(['create', 'update']);
    expect(c.slotName).toBeUndefined();
    expectTypeOf(c.url).toEqualTypeOf<string>();
    expectTypeOf(c.snapshotMode).toEqualTypeOf<'initial' | 'never'>();
    expectTypeOf(c.slotName).toEqualTypeOf<string | undefined>();
    expectTypeOf(c['snapshot.fetchSize']).toEqualTypeOf<number>();
    expectTypeOf(c.operations).toEqualTypeOf<
      ('create' | 'update' | 'delete' | 'snapshot')[] | undefined
    >();
    expectTypeOf(c['collections.*.weight']).toEqualTypeOf<
      { wildcards: string[]; name: string; value: number }[]
    >();
  });

  it('treats empty values as not set', () => {
    const c = schema.parse({ url: 'u', snapshotMode: '  ' });
    expect(c.snapshotMode).toBe('initial');
    expect(errorsOf(() => schema.parse({ url: ' ' })).map((e) => e.rule)).toEqual(['required']);
  });

  it('applies wildcard defaults per matched instance', () => {
    const c = schema.parse({
      url: 'u',
      'collections.users.format.type': 'structured',
      'collections.orders.weight': '2.5',
      'collections.users.format.options.id': 'int',
      'collections.users.format.options.name': 'string',
    });
    expect(c['collections.*.weight']).toEqual([
      { wildcards: ['users'], name: 'collections.users.weight', value: 1 },
      { wildcards: ['orders'], name: 'collections.orders.weight', value: 2.5 },
    ]);
    expect(c['collections.*.format.type']).toEqual([
      { wildcards: ['users'], name: 'collections.users.format.type', value: 'structured' },
    ]);
    expect(c['collections.*.format.options.*']).toEqual([
      { wildcards: ['users', 'id'], name: 'collections.users.format.options.id', value: 'int' },
      {
        wildcards: ['users', 'name'],
        name: 'collections.users.format.options.name',
        value: 'string',
      },
    ]);
  });

  it('reports all errors together with parameter, value, rule and fix', () => {
    const errors = errorsOf(() =>
      schema.parse({
        'snapshot.fetchSize': '0',
        snapshotMode: 'sometimes',
        slotName: 'Bad-Name',
        ratio: 'abc',
        enabled: 'yes',
        timeout: '10 parsecs',
        operations: 'create,upsert',
        'collections.a.weight': 'x',
        'snapshot.fetchsize': '1',
        tabels: 'a',
      }),
    );
    const byParam = Object.fromEntries(errors.map((e) => [e.parameter, e]));
    expect(byParam.url).toMatchObject({ rule: 'required', value: undefined });
    expect(byParam['snapshot.fetchSize']).toMatchObject({ rule: 'greater-than 0', value: '0' });
    expect(byParam.snapshotMode).toMatchObject({
      rule: 'inclusion [initial, never]',
      fix: 'use one of: initial, never',
    });
    expect(byParam.slotName!.rule).toBe('regex ^[a-z0-9_]+$');
    expect(byParam.ratio!.rule).toBe('type float');
    expect(byParam.enabled!.rule).toBe('type bool');
    expect(byParam.timeout!.rule).toBe('type duration');
    expect(byParam.operations!.rule).toContain('"upsert"');
    expect(byParam['collections.a.weight']!.rule).toBe('type float');
    expect(byParam['snapshot.fetchsize']).toMatchObject({ rule: 'unknown parameter' });
    expect(byParam['snapshot.fetchsize']!.fix).toContain('did you mean "snapshot.fetchSize"');
    expect(byParam.tabels!.fix).toContain('did you mean "tables"');
    expect(errors).toHaveLength(11);
    for (const e of errors) expect(e.message).toContain(e.parameter);
  });

  it('rejects invalid declarations at load time', () => {
    expect(() => defineConfig({ 'a..b': param.string() })).toThrow(/parameter name/);
    expect(() => defineConfig({ a: param.int({ default: 0, greaterThan: 0 }) })).toThrow(
      /greater-than/,
    );
  });

  it('accepts Go booleans and custom checks', () => {
    const s = defineConfig({
      b: param.bool({ required: true }),
      port: param.int({ check: (n) => (n > 65535 ? 'use a port up to 65535' : undefined) }),
    });
    expect(s.parse({ b: 'T' }).b).toBe(true);
    expect(s.parse({ b: '0' }).b).toBe(false);
    expect(errorsOf(() => s.parse({ b: 'true', port: '70000' }))[0]).toMatchObject({
      rule: 'check',
      fix: 'use a port up to 65535',
    });
  });
});

it('infers presence with context-sensitive options', () => {
  const s = defineConfig({
    a: param.int({ required: true, check: (n) => (n > 1 ? 'small' : undefined) }),
    b: param.string({ inclusion: ['x', 'y'], check: (v) => (v ? undefined : 'x') }),
    c: param.string(),
  });
  const c = s.parse({ a: '1' });
  expectTypeOf(c.a).toEqualTypeOf<number>();
  expectTypeOf(c.b).toEqualTypeOf<'x' | 'y' | undefined>();
  expectTypeOf(c.c).toEqualTypeOf<string | undefined>();
});
