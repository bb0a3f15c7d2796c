import { createRecord, type OpenCDCRecord } from '@opencdc-ts/commons';
import type { Logger } from '@opencdc-ts/sdk';
import { expect, it } from 'vitest';
// Relative: the private @opencdc-ts/testing is not a dependency of this package.
import { readmeExample } from '../../testing/src/readme.js';
import { createChain } from '../src/index.js';
import tagRegion from './typescript-processor.fixture.js';

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

it('the README quotes the TypeScript processor verbatim', () => {
  const { block, readme } = readmeExample(
    new URL('./typescript-processor.fixture.ts', import.meta.url),
    new URL('../README.md', import.meta.url),
  );
  expect(readme).toContain(block);
});

it('the README processor tags regions, with its settings, and fails raw data', async () => {
  const chain = await createChain(
    [{ id: 'regions', processor: tagRegion, settings: { field: 'cc', fallback: 'row' } }],
    { logger },
  );
  const rec = (after: { cc: string } | Uint8Array) =>
    createRecord({ position: new Uint8Array([1]), after });
  const out = await chain.process([rec({ cc: 'DE' }), rec({ cc: 'JP' }), rec(new Uint8Array([1]))]);
  expect((out[0] as OpenCDCRecord).metadata.get('region')).toBe('eu');
  expect((out[1] as OpenCDCRecord).metadata.get('region')).toBe('row');
  expect('error' in out[2]! && out[2].error.message).toMatch(
    /processor "regions" \(acme.tag-region\): needs structured data/,
  );
  await expect(
    createChain([{ id: 'x', processor: tagRegion, settings: { nope: '1' } }], { logger }),
  ).rejects.toThrow(/processors.x.settings.nope/);
});
