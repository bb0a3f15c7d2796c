import { expect, it } from 'vitest';
// Relative: the private @opencdc-ts/testing is not a dependency of this package.
import { readmeExample } from '../../testing/src/readme.js';
import { example, shape } from './library-example.fixture.js';

it('the README quotes the library example verbatim', () => {
  const { block, readme } = readmeExample(
    new URL('./library-example.fixture.ts', import.meta.url),
    new URL('../README.md', import.meta.url),
  );
  expect(readme).toContain(block);
});

it('the library example filters, masks and tags', async () => {
  const [kept, dropped] = await shape(example);
  expect(kept).toMatchObject({ operation: 'snapshot', payload: { after: { email: 'ada***' } } });
  expect(dropped).toEqual({ filter: true });
});
