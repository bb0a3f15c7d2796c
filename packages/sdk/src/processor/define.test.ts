import { createRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors.js';
import { defineConfig } from '../params/config.js';
import { param } from '../params/param.js';
import { defineProcessor, isProcessor } from './define.js';

const config = defineConfig({
  field: param.string({ required: true, description: 'The field.' }),
  times: param.int({ default: 2, greaterThan: 0 }),
});

const processor = defineProcessor({
  name: 'acme.repeat',
  summary: 'Repeats records.',
  description: 'Each record becomes `times` records.',
  version: 'v1.2.3',
  author: 'acme',
  config,
  create: (c) => ({ process: (rs) => rs.map((r) => ({ records: Array(c.times).fill(r) })) }),
});

describe('defineProcessor', () => {
  it('publishes a specification with the declared parameters', () => {
    expect(isProcessor(processor)).toBe(true);
    expect(processor.specification).toMatchObject({ name: 'acme.repeat', version: 'v1.2.3' });
    expect(Object.keys(processor.specification.parameters)).toEqual(['field', 'times']);
    expect(processor.specification.parameters.times!.default).toBe('2');
  });

  it('parses settings with the config, then creates an instance', async () => {
    const c = processor.config.parse({ field: '.Key', times: '3' });
    const instance = await processor.create(c, {
      processorId: 'p',
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const r = createRecord({ position: new Uint8Array([1]), after: null });
    const [out] = await instance.process([r]);
    expect(out).toEqual({ records: [r, r, r] });
    expect(() => processor.config.parse({ times: '0' })).toThrow(ConfigErrors);
  });

  it('refuses names and versions a registry would not take', () => {
    const base = {
      summary: '',
      description: '',
      author: '',
      config,
      create: () => ({ process: () => [] }),
    };
    expect(() => defineProcessor({ ...base, name: 'bad name', version: '1.0.0' })).toThrow(
      /simple name/,
    );
    expect(() => defineProcessor({ ...base, name: 'ok', version: 'one' })).toThrow(
      /semantic version/,
    );
    expect(isProcessor({ kind: 'connector' })).toBe(false);
    expect(isProcessor((records: unknown[]) => records)).toBe(false);
  });
});
