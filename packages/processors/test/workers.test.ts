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

it('a worker thread that dies fails its records and is restarted for the next batch', async () => {
  const chain = await createChain(
    [{ id: 'h', processor: heavy, settings: { rounds: '1' }, workers: 2, module: { specifier } }],
    { logger },
  );
  try {
    const dying = createRecord({
      position: new Uint8Array([1]),
      metadata: { exit: 'now' },
      after: { n: 0 },
    });
    const out = await chain.process([records[0]!, records[1]!, records[2]!, dying]);
    expect(out.slice(0, 2).every((o) => 'position' in o)).toBe(true);
    expect(out.slice(2).map((o) => 'error' in o && o.error.message)).toEqual([
      expect.stringMatching(/worker thread exited \(code 3\)/),
      expect.stringMatching(/worker thread exited \(code 3\)/),
    ]);
    const again = (await chain.process(records.slice(0, 4))) as OpenCDCRecord[];
    expect(new Set(again.map((r) => r.metadata.get('thread'))).size).toBe(2);
  } finally {
    await chain.teardown();
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
