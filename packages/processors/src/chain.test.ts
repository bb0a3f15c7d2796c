import { createRecord, Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import { ConfigErrors, defineConfig, defineProcessor, type Logger, param } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { builtinProcessors, unavailableProcessorNames } from './builtin/index.js';
import { createChain } from './chain.js';

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const enc = new TextEncoder();
const builtin = (name: string) => builtinProcessors.get(name)!;

function rec(i: number, after: { [k: string]: unknown } = {}): OpenCDCRecord {
  return createRecord({
    position: enc.encode(`p${i}`),
    metadata: new Metadata([['table', i % 2 === 0 ? 'even' : 'odd']]),
    key: { id: i },
    after: { n: i, ...after } as never,
  });
}

describe('createChain', () => {
  it('runs steps in order, each only where its condition renders true', async () => {
    const chain = await createChain(
      [
        {
          id: 'mark-even',
          processor: builtin('field.set'),
          settings: { field: '.Payload.After.even', value: 'yes' },
          condition: '{{ eq .Metadata.table "even" }}',
        },
        {
          id: 'upper',
          processor: builtin('field.set'),
          settings: { field: '.Metadata.table', value: '{{ .Metadata.table | upper }}' },
        },
      ],
      { logger },
    );
    const out = (await chain.process([rec(0), rec(1)])) as OpenCDCRecord[];
    expect(out.map((r) => r.payload.after)).toEqual([{ n: 0, even: 'yes' }, { n: 1 }]);
    expect(out.map((r) => r.metadata.get('table'))).toEqual(['EVEN', 'ODD']);
  });

  it('composes outcomes per input: split then a filter of one part, errors, filters', async () => {
    const chain = await createChain(
      [
        { id: 'split', processor: builtin('split'), settings: { field: '.Payload.After.items' } },
        {
          id: 'drop-b',
          processor: builtin('filter'),
          settings: {},
          condition: '{{ eq .Payload.After.items "b" }}',
        },
        {
          id: 'fail-x',
          processor: builtin('error'),
          settings: { message: 'bad {{ .Key.id }}' },
          condition: '{{ eq .Payload.After.items "x" }}',
        },
      ],
      { logger },
    );
    const out = await chain.process([
      rec(0, { items: ['a', 'b', 'c'] }),
      rec(1, { items: ['b'] }),
      rec(2, { items: ['x', 'y'] }),
      rec(3, { items: 'not a list' }),
      rec(4, { items: ['only'] }),
    ]);
    const items = (o: (typeof out)[number]) =>
      'records' in o ? o.records.map((r) => (r.payload.after as { items: string }).items) : o;
    expect(items(out[0]!)).toEqual(['a', 'c']);
    expect(out[1]).toEqual({ filter: true });
    expect('error' in out[2]! && out[2].error.message).toBe('processor "fail-x" (error): bad 2');
    expect('error' in out[3]! && out[3].error.message).toMatch(
      /processor "split" \(split\): .*not a slice/,
    );
    expect(items(out[4]!)).toEqual(['only']);
  });

  it('takes plain functions and defineProcessor processors', async () => {
    const double = defineProcessor({
      name: 'test.double',
      summary: 'doubles',
      description: 'twice each record',
      version: '1.0.0',
      author: 'test',
      config: defineConfig({ times: param.int({ default: 2 }) }),
      create: (c) => ({ process: (rs) => rs.map((r) => ({ records: Array(c.times).fill(r) })) }),
    });
    const chain = await createChain(
      [
        { id: 'fn', processor: (rs) => rs.map((r, i) => (i === 1 ? null : r)), settings: {} },
        { id: 'double', processor: double, settings: { times: '3' } },
      ],
      { logger },
    );
    const out = await chain.process([rec(0), rec(1)]);
    expect('records' in out[0]! && out[0].records.length).toBe(3);
    expect(out[1]).toEqual({ filter: true });
  });

  it('keeps order with workers', async () => {
    const slow = defineProcessor({
      name: 'test.slow',
      summary: 's',
      description: 's',
      version: '1.0.0',
      author: 't',
      config: defineConfig({}),
      create: () => ({
        async process(rs) {
          await new Promise((r) => setTimeout(r, 5 * (5 - rs.length)));
          return rs;
        },
      }),
    });
    const chain = await createChain([{ id: 's', processor: slow, settings: {}, workers: 3 }], {
      logger,
    });
    const input = Array.from({ length: 10 }, (_, i) => rec(i));
    expect(await chain.process(input)).toEqual(input);
  });

  it('reports every configuration problem with the processor id, setting, value and fix', async () => {
    let error: unknown;
    try {
      await createChain(
        [
          {
            id: 'a',
            processor: builtin('field.set'),
            settings: { field: '.Position', value: 'x' },
          },
          {
            id: 'b',
            processor: builtin('field.convert'),
            settings: { field: '.Key.id', type: 'uuid' },
          },
          { id: 'c', processor: builtin('filter'), settings: {}, condition: '{{ eq .Nope 1 }}' },
          { id: 'd', processor: builtin('avro.decode'), settings: {} },
          { id: 'e', processor: builtin('field.set'), settings: { field: 'Payload', value: 'x' } },
          {
            id: 'f',
            processor: builtin('json.decode'),
            settings: { field: '.Payload.After', 'sdk.schema.decode.payload.enabled': 'true' },
          },
        ],
        { logger },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigErrors);
    const errors = (error as ConfigErrors).errors;
    expect(errors.map((e) => e.parameter)).toEqual([
      'processors.a.settings.field',
      'processors.b.settings.type',
      'processors.c.condition',
      'processors.d.plugin',
      'processors.e.settings.field',
      'processors.f.settings.sdk.schema.decode.payload.enabled',
    ]);
    expect(errors[0]!.value).toBe('.Position');
    expect(errors[0]!.fix).toContain('processor "a"');
    expect(errors[3]!.rule).toContain('avro.decode');
    expect(errors[3]!.rule).toContain('not available');
    expect([...unavailableProcessorNames].every((n) => builtinProcessors.has(n))).toBe(true);
    expect(unavailableProcessorNames.has('avro.decode')).toBe(true);
    expect(unavailableProcessorNames.has('field.set')).toBe(false);
  });

  it('a processor that throws fails its batch as record errors, not the chain', async () => {
    const chain = await createChain(
      [
        {
          id: 'boom',
          processor: () => {
            throw new Error('boom');
          },
          settings: {},
        },
      ],
      { logger },
    );
    const out = await chain.process([rec(0), rec(1)]);
    expect(out.every((o) => 'error' in o && /boom/.test(o.error.message))).toBe(true);
  });
});
