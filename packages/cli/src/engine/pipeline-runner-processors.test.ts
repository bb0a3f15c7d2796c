import { createRecord, type OpenCDCRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import {
  acked,
  fakeChains,
  idx,
  MemoryStore,
  runUntil,
  setup,
  steps,
} from './pipeline-runner.test-helper.js';
import { PipelineStopError } from './retry.js';

const n = (r: OpenCDCRecord) => (r.payload.after as { i: number }).i;
const range = (k: number) => [...Array(k).keys()];
/** A part of a split record: the same position (acks are the input's), its own payload. */
const part = (r: OpenCDCRecord, p: number) =>
  createRecord({ position: r.position, after: { i: n(r), part: p } });

describe('PipelineRunner with processors', () => {
  it('filtered records are acked in source order, also a batch that is all filtered', async () => {
    // Every record but multiples of 4 is dropped, and 10..19 (one whole batch) entirely.
    const s = setup({
      total: 45,
      processors: { pipeline: steps('drop') },
      createChain: fakeChains({
        drop: (r) => (n(r) % 4 === 0 && (n(r) < 10 || n(r) > 19) ? r : { filter: true }),
      }),
    });
    await runUntil(s.runner, () => acked(s.events).includes(44));
    expect(s.written.map(n)).toEqual([0, 4, 8, 20, 24, 28, 32, 36, 40, 44]);
    expect(acked(s.events)).toEqual(range(45));
    expect(idx(Buffer.from(s.store.saved.get('p')!.position!, 'base64'))).toBe(44);
    expect(s.dead).toHaveLength(0);
  });

  it('a split record is acked once all its parts are written, in every destination', async () => {
    // Record 13 splits in three; the second destination loses its connection at the second part
    // of 13 once: 13 must not be acked before that part is written (after the restart).
    const s = setup({
      total: 30,
      destinations: [
        {},
        {
          transientOnceWhen: (r) => {
            const a = r.payload.after as { i: number; part?: number };
            return a.i === 13 && a.part === 1;
          },
        },
      ],
      processors: { pipeline: steps('split') },
      createChain: fakeChains({
        split: (r) => (n(r) % 2 === 1 ? { records: [part(r, 0), part(r, 1), part(r, 2)] } : r),
      }),
    });
    await runUntil(s.runner, () => acked(s.events).includes(29));
    expect(acked(s.events)).toEqual(range(30));
    const parts = (i: number) => (i % 2 === 1 ? 3 : 1);
    const want = range(30).reduce((a, i) => a + parts(i), 0);
    // At least once: both write 10..19 again after the restart (the second from 10 to 13.0).
    expect(s.writtenBy[1]!.length).toBe(want + 1 + 3 + 1 + 1);
    expect(new Set(s.writtenBy[1]!.map((r) => JSON.stringify(r.payload.after))).size).toBe(want);
    expect(new Set(s.written.map((r) => JSON.stringify(r.payload.after))).size).toBe(want);
    const opens = s.events.filter((e) => e.kind === 'open').map((e) => e.from);
    expect(opens).toEqual([0, 10]); // 10..19 held record 13: read again from 10
    expect(s.runner.stats.retries).toBe(1);
  });

  it('an error outcome is a record error: dead-lettered per the window, acked in order, no crash', async () => {
    const s = setup({
      total: 30,
      window: { size: 0, threshold: 0 },
      processors: { sources: [steps('check')] },
      createChain: fakeChains({
        check: (r) => ([5, 6, 21].includes(n(r)) ? { error: new Error(`bad ${n(r)}`) } : r),
      }),
    });
    await runUntil(s.runner, () => acked(s.events).includes(29));
    expect(s.written.map(n)).toEqual(range(30).filter((i) => ![5, 6, 21].includes(i)));
    expect(s.dead.map((r) => idx(r.position))).toEqual([5, 6, 21]);
    expect(s.dead[0]!.metadata.get('conduit.dlq.nack.error')).toBe('bad 5');
    expect(s.dead[0]!.metadata.get('conduit.dlq.nack.node.id')).toBe('p:src');
    expect(acked(s.events)).toEqual(range(30));
    expect(s.runner.stats.deadLettered).toBe(3);
    expect(s.runner.stats.retries).toBe(0);
  });

  it('a dead letter names the processor that failed when the error says which', async () => {
    const s = setup({
      total: 5,
      window: { size: 0, threshold: 0 },
      processors: { pipeline: steps('check') },
      createChain: fakeChains({
        check: (r) =>
          n(r) === 2
            ? {
                // As the processors package's chain fails a step: named and tagged.
                error: Object.assign(new Error('processor "check" (field.set): no such field'), {
                  processorId: 'check',
                }),
              }
            : r,
      }),
    });
    await runUntil(s.runner, () => acked(s.events).includes(4));
    expect(s.dead[0]!.metadata.get('conduit.dlq.nack.node.id')).toBe('p:check');
  });

  it('default window: an error outcome stops the pipeline; the records before it are written and acked', async () => {
    const s = setup({
      total: 30,
      processors: { pipeline: steps('check') },
      createChain: fakeChains({
        check: (r) => (n(r) === 13 ? { error: new Error('bad 13') } : r),
      }),
    });
    await expect(s.runner.run(new AbortController().signal)).rejects.toBeInstanceOf(
      PipelineStopError,
    );
    expect(s.written.map(n)).toEqual(range(13));
    expect(acked(s.events)).toEqual(range(13));
    expect(s.runner.stats.status).toBe('failed');
  });

  it("default window: a destination's processor error stops the pipeline; acked only before it", async () => {
    const s = setup({
      total: 30,
      destinations: [{}, {}],
      processors: { destinations: [undefined, steps('check')] },
      createChain: fakeChains({
        check: (r) => (n(r) === 13 ? { error: new Error('bad 13') } : r),
      }),
    });
    await expect(s.runner.run(new AbortController().signal)).rejects.toBeInstanceOf(
      PipelineStopError,
    );
    expect(s.writtenBy[1]!.map(n)).toEqual(range(13));
    expect(acked(s.events)).toEqual(range(13));
  });

  it('a processor that throws fails its batch as record errors (dead letters), the pipeline goes on', async () => {
    const s = setup({
      total: 30,
      window: { size: 0, threshold: 0 },
      processors: { pipeline: steps('flaky') },
      createChain: fakeChains({ flaky: (r) => r }, { rejectOnce: 'flaky' }),
    });
    await runUntil(s.runner, () => acked(s.events).includes(29));
    expect(s.dead.map((r) => idx(r.position))).toEqual(range(10));
    expect(s.dead[0]!.metadata.get('conduit.dlq.nack.error')).toBe('processor crashed');
    expect(s.written.map(n)).toEqual(range(30).slice(10));
    expect(acked(s.events)).toEqual(range(30));
  });

  it('order: source processors, pipeline processors, then each destination its own', async () => {
    const tag = (t: string) => (r: OpenCDCRecord) =>
      createRecord({
        position: r.position,
        after: {
          ...(r.payload.after as object),
          path: `${(r.payload.after as { path?: string }).path ?? ''}${t}`,
        },
      });
    const s = setup({
      total: 12,
      destinations: [{}, {}],
      processors: {
        sources: [steps('s')],
        pipeline: steps('p'),
        destinations: [steps('d0'), steps('odd')],
      },
      createChain: fakeChains({
        s: tag('s'),
        p: tag('p'),
        d0: tag('0'),
        odd: (r) => (n(r) % 2 === 1 ? tag('1')(r) : { filter: true }),
      }),
    });
    await runUntil(s.runner, () => acked(s.events).includes(11));
    expect(s.written.map((r) => (r.payload.after as { path: string }).path)).toEqual(
      range(12).map(() => 'sp0'),
    );
    expect(s.writtenBy[1]!.map(n)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(s.writtenBy[1]!.every((r) => (r.payload.after as { path: string }).path === 'sp1')).toBe(
      true,
    );
    expect(s.written[0]!.metadata.get('conduit.destination.plugin.name')).toBe('builtin:p:dst0');
    expect(s.writtenBy[1]![0]!.metadata.get('conduit.destination.plugin.name')).toBe(
      'builtin:p:dst1',
    );
    expect(acked(s.events)).toEqual(range(12));
  });

  it('chains are torn down with the connectors, and resume works across runs with processors', async () => {
    const teardowns: string[] = [];
    const store = new MemoryStore();
    const createChain = fakeChains(
      { drop: (r) => (n(r) % 2 === 0 ? r : { filter: true }) },
      { teardowns },
    );
    const first = setup({ total: 25, store, processors: { pipeline: steps('drop') }, createChain });
    await runUntil(first.runner, () => acked(first.events).includes(24));
    const second = setup({
      total: 40,
      store,
      processors: { pipeline: steps('drop') },
      createChain,
    });
    await runUntil(second.runner, () => acked(second.events).includes(39));
    expect(second.events.find((e) => e.kind === 'open')?.from).toBe(25);
    expect(second.written.map(n)).toEqual(range(40).filter((i) => i >= 25 && i % 2 === 0));
    expect(teardowns).toEqual(['drop', 'drop']);
  });
});
