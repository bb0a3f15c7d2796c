import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Destination, Source } from './connector.js';
import { defineConnector } from './define-connector.js';
import { sourceMiddlewareConfig } from './middleware/params.js';
import { defineConfig } from './params/config.js';
import { param } from './params/param.js';

const source = {
  config: defineConfig({
    url: param.string({ required: true, description: 'URL.' }),
    mode: param.string({
      default: 'initial',
      inclusion: ['initial', 'never'],
      description: 'Mode.',
    }),
  }),
  create(config: { url: string; mode: 'initial' | 'never' }): Source {
    expectTypeOf(config.mode).toEqualTypeOf<'initial' | 'never'>();
    throw new Error(`not used ${config.url}`);
  },
};

describe('defineConnector', () => {
  it('fills the specification from the configs', () => {
    const c = defineConnector({
      name: 'demo',
      summary: 's',
      description: 'd',
      version: 'v1.2.3',
      author: 'a',
      features: { source: { cdc: { snapshot: true, resume: true } } },
      source,
    });
    // the connector's own parameters, then the SDK middleware's (sdk.*)
    expect(c.specification.sourceParams).toEqual({
      ...source.config.parameters,
      ...sourceMiddlewareConfig.parameters,
    });
    expect(c.source?.config.parameters).toEqual(c.specification.sourceParams);
    expect(c.specification.destinationParams).toEqual({});
    expect(c.specification.features).toEqual({ source: { cdc: { snapshot: true, resume: true } } });
    expect(c.destination).toBeUndefined();
  });

  it('infers the typed config in create', () => {
    defineConnector({
      name: 'demo',
      summary: 's',
      description: 'd',
      version: '1.0.0',
      author: 'a',
      destination: {
        config: defineConfig({ n: param.int({ default: 1, description: 'N.' }) }),
        create(config): Destination {
          expectTypeOf(config.n).toEqualTypeOf<number>();
          return { async open() {}, async write() {}, async teardown() {} };
        },
      },
    });
  });

  it('rejects inconsistent definitions', () => {
    const base = { name: 'x', summary: 's', description: 'd', version: '1.0.0', author: 'a' };
    expect(() => defineConnector(base)).toThrow(/neither a source nor a destination/);
    expect(() => defineConnector({ ...base, source, version: 'latest' })).toThrow(
      /semantic version/,
    );
    expect(() => defineConnector({ ...base, name: 'a b', source })).toThrow(/simple name/);
    expect(() =>
      defineConnector({
        ...base,
        source,
        features: { destination: { multipleCollections: true } },
      }),
    ).toThrow(/destination features but has no destination/);
  });
});
