// `workers: 2` with a processor given by module runs in two worker threads (from the built
// package: the worker thread's script is dist/worker-thread.js).
import { createRecord, type OpenCDCRecord } from '@opencdc-ts/commons';
import type { Logger } from '@opencdc-ts/sdk';
import { expect, it } from 'vitest';
import { createChain } from '../dist/index.js';
import heavy from './cpu-heavy.fixture.mjs';

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const specifier = new URL('./cpu-heavy.fixture.mjs', import.meta.url).href;
const records = Array.from({ length: 40 }, (_, i) =>
  createRecord({ position: new TextEncoder().encode(`p${i}`), key: { i }, after: { n: i } }),
);

it('workers: 2 with a module runs in two threads, in order, with the same results', async () => {
  const one = await createChain([{ id: 'h', processor: heavy, settings: { rounds: '50' } }], {
    logger,
  });
  const two = await createChain(
    [{ id: 'h', processor: heavy, settings: { rounds: '50' }, workers: 2, module: { specifier } }],
    { logger },
  );
  try {
    const a = (await one.process(records)) as OpenCDCRecord[];
    const b = (await two.process(records)) as OpenCDCRecord[];
    expect(b.map((r) => r.key)).toEqual(records.map((r) => r.key));
    expect(b.map((r) => r.metadata.get('hash'))).toEqual(a.map((r) => r.metadata.get('hash')));
    const threads = new Set(b.map((r) => r.metadata.get('thread')));
    expect(threads.size).toBe(2);
    expect(threads.has('0')).toBe(false);
  } finally {
    await one.teardown();
    await two.teardown();
  }
});

it('a module that fails to load is a start error naming the processor', async () => {
  await expect(
    createChain(
      [
        {
          id: 'h',
          processor: heavy,
          settings: {},
          workers: 2,
          module: { specifier: 'file:///nonexistent.mjs' },
        },
      ],
      { logger },
    ),
  ).rejects.toThrow(/processor "h" \(test.cpu-heavy\) failed to start/);
});
