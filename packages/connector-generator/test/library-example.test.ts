import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { expect, it } from 'vitest';
// Relative: the private @opencdc-ts/testing is not a dependency of the generator.
import { readmeExample } from '../../testing/src/readme.js';
import { generate } from './library-example.fixture.js';

it('the README quotes the library example verbatim', () => {
  const { block, readme } = readmeExample(
    new URL('./library-example.fixture.ts', import.meta.url),
    new URL('../README.md', import.meta.url),
  );
  expect(readme).toContain(block);
});

/** A record without its read time (stamped when read, so it differs between runs). */
const content = (r: OpenCDCRecord) => ({
  collection: r.metadata.get('opencdc.collection'),
  operation: r.operation,
  key: r.key,
  payload: r.payload,
});

it('the library example reads, acks and tears down, and continues after an acked position', async () => {
  const first = await generate(6);
  expect(new Set(first.map((r) => r.metadata.get('opencdc.collection')))).toEqual(
    new Set(['users', 'orders']),
  );
  // Seeded: a second reader opened at the third record's position continues with the fourth.
  const rest = await generate(3, first[2]!.position);
  expect(rest.map(content)).toEqual(first.slice(3).map(content));
});
