// The processors of the Conduit pipeline files in ../shared/conduit-pipelines/ (A02, A04, A05,
// A06, A17, B02, B22), transcribed as chain steps: each configures (or fails, as in Conduit) and
// does what the file means. (The cli's tests run the files themselves.)
import { createRecord, Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import { ConfigErrors, type Logger } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { builtinProcessors } from './builtin/index.js';
import { type ChainStep, createChain } from './chain.js';

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const step = (
  id: string,
  plugin: string,
  settings: { [k: string]: string },
  extra: Partial<ChainStep> = {},
): ChainStep => ({ id, processor: builtinProcessors.get(plugin)!, settings, ...extra });
const employee = (department: string, name = 'Ada') =>
  createRecord({
    position: new TextEncoder().encode(name),
    metadata: new Metadata([['department', department]]),
    after: { name, company: 'x', trial: false },
  });

describe('Conduit pipeline files', () => {
  it('A04/A06: field.set sets the department of every record', async () => {
    const chain = await createChain(
      [step('extract-name', 'field.set', { field: '.Payload.After.department', value: 'finance' })],
      { logger },
    );
    const [out] = (await chain.process([employee('legal')])) as OpenCDCRecord[];
    expect(out!.payload.after).toMatchObject({ department: 'finance', name: 'Ada' });
  });

  it('A05: field.convert of a name to float fails that record (for the dead-letter queue)', async () => {
    const chain = await createChain(
      [step('convert-name', 'field.convert', { field: '.Payload.After.name', type: 'float' })],
      { logger },
    );
    const [out] = await chain.process([employee('legal')]);
    expect('error' in out! && out.error.message).toMatch(/convert-name.*ParseFloat/);
  });

  it('A17: filter takes no settings, so `expression` is a configuration error', async () => {
    await expect(
      createChain([step('amount-filter', 'filter', { expression: 'amount > 100' })], { logger }),
    ).rejects.toThrow(ConfigErrors);
  });

  it('B02: custom.javascript under a condition with 2 workers, then field.set', async () => {
    const chain = await createChain(
      [
        step(
          'proc1',
          'custom.javascript',
          { script: 'function process(record) {\n  return record; // pass through\n}\n' },
          { condition: '{{ eq .Metadata.foo "bar" }}', workers: 2 },
        ),
        step('proc2', 'field.set', { field: '.Payload.After.key', value: 'from-env' }),
      ],
      { logger },
    );
    const out = (await chain.process([
      employee('a'),
      employee('b'),
      employee('c'),
    ])) as OpenCDCRecord[];
    expect(out.map((r) => (r.payload.after as { key: string }).key)).toEqual([
      'from-env',
      'from-env',
      'from-env',
    ]);
  });

  it('B22: each destination keeps only its department with filter + condition', async () => {
    const chainFor = (d: string) =>
      createChain(
        [
          step(
            `employees_${d}_only`,
            'filter',
            {},
            { condition: `{{ eq .Metadata.department "${d}" | not }}` },
          ),
        ],
        { logger },
      );
    const records = [employee('finance', 'a'), employee('legal', 'b'), employee('finance', 'c')];
    const finance = await (await chainFor('finance')).process(records);
    const legal = await (await chainFor('legal')).process(records);
    expect(finance.map((o) => 'filter' in o)).toEqual([false, true, false]);
    expect(legal.map((o) => 'filter' in o)).toEqual([true, false, true]);
  });
});
