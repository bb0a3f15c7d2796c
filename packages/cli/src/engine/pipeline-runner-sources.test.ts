import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { encodePosition } from '../state/store.js';
import {
  acked,
  type Event,
  fakeChains,
  idx,
  MemoryStore,
  pos,
  runUntil,
  setup,
  srcOf,
  steps,
} from './pipeline-runner.test-helper.js';

const range = (from: number, to: number) => [...Array(to - from).keys()].map((i) => i + from);
const savedAt = (store: MemoryStore, source: string) =>
  idx(Buffer.from(store.saved.get('p')!.positions![source]!, 'base64'));
const of = (written: OpenCDCRecord[], s: string) =>
  written.filter((r) => srcOf(r.position) === s).map((r) => idx(r.position));
const state = (s: { [k: string]: unknown }) => ({ connectors: {}, updatedAt: '', ...s });
/** Sources `a` and `b` with that many records each. */
const ab = (a: number, b: number) => [
  { name: 'a', total: a },
  { name: 'b', total: b },
];
/** Where each source opened from, by name. */
const opensOf = (events: Event[]) =>
  Object.fromEntries(events.filter((e) => e.kind === 'open').map((e) => [e.by, e.from]));
/** Each source (by name) has acked its last record. */
const lastAcked = (events: Event[], last: { [source: string]: number }) => () =>
  Object.entries(last).every(([source, i]) => acked(events, source).includes(i));

describe('PipelineRunner with several sources', () => {
  it('fans in: every record of each source written, each source acked in its own order, positions saved per source', async () => {
    const s = setup({
      sources: ab(25, 40),
    });
    await runUntil(s.runner, lastAcked(s.events, { a: 24, b: 39 }));
    expect(of(s.written, 'a')).toEqual(range(0, 25));
    expect(of(s.written, 'b')).toEqual(range(0, 40));
    expect(acked(s.events, 'a')).toEqual(range(0, 25));
    expect(acked(s.events, 'b')).toEqual(range(0, 40));
    expect(savedAt(s.store, 'p:a')).toBe(24);
    expect(savedAt(s.store, 'p:b')).toBe(39);
    // The one-position form belongs to one-source pipelines only.
    expect(s.store.saved.get('p')!.position).toBeUndefined();
    expect(s.written[0]!.metadata.get('conduit.source.connector.id')).toMatch(/^p:[ab]$/);
    expect(s.created.sort()).toEqual(['a', 'b']);
  });

  it('resumes each source from its own position', async () => {
    const store = new MemoryStore();
    const first = setup({
      store,
      sources: ab(25, 40),
    });
    await runUntil(first.runner, lastAcked(first.events, { a: 24, b: 39 }));
    const second = setup({
      store,
      sources: ab(31, 45),
    });
    await runUntil(second.runner, lastAcked(second.events, { a: 30, b: 44 }));
    expect(opensOf(second.events)).toEqual({ a: 25, b: 40 });
    expect(of(second.written, 'a')).toEqual(range(25, 31));
    expect(of(second.written, 'b')).toEqual(range(40, 45));
  });

  it('state saved before positions were per source still resumes its one source', async () => {
    const store = new MemoryStore();
    store.saved.set(
      'p',
      state({ position: encodePosition(pos(7)), connectors: { 'p:src': { createdAt: '' } } }),
    );
    const s = setup({ store, total: 20 });
    await runUntil(s.runner, () => acked(s.events).includes(19));
    expect(s.events.find((e) => e.kind === 'open')?.from).toBe(8);
    expect(s.written.map((r) => idx(r.position))).toEqual(range(8, 20));
    const saved = s.store.saved.get('p')!;
    expect(saved.positions).toEqual({ 'p:src': encodePosition(pos(19)) });
    expect(saved.position).toBe(encodePosition(pos(19))); // still readable the old way
  });

  it('a source added to a pipeline with one-position state: the old source resumes, the new one starts', async () => {
    const store = new MemoryStore();
    store.saved.set(
      'p',
      state({ position: encodePosition(pos(7, 'a')), connectors: { 'p:a': { createdAt: '' } } }),
    );
    const s = setup({
      store,
      sources: ab(20, 5),
    });
    await runUntil(s.runner, lastAcked(s.events, { a: 19, b: 4 }));
    expect(opensOf(s.events)).toEqual({ a: 8, b: 0 });
    expect(s.created).toEqual(['b']);
  });

  it('one source failing restarts from the acked positions: nothing lost, nothing skipped', async () => {
    const s = setup({
      sources: [
        { name: 'a', total: 50, transientReadOnce: 3 },
        { name: 'b', total: 50 },
      ],
    });
    await runUntil(s.runner, lastAcked(s.events, { a: 49, b: 49 }));
    expect(new Set(of(s.written, 'a'))).toEqual(new Set(range(0, 50)));
    expect(new Set(of(s.written, 'b'))).toEqual(new Set(range(0, 50)));
    expect(acked(s.events, 'a')).toEqual(range(0, 50));
    expect(acked(s.events, 'b')).toEqual(range(0, 50));
    expect(s.runner.stats.retries).toBe(1);
    // Reopened from what each had acked.
    const reopened = s.events.filter((e) => e.kind === 'open').slice(2);
    expect(reopened.find((e) => e.by === 'a')?.from).toBe(20);
  });

  it("a source's processors see only that source's records", async () => {
    const s = setup({
      sources: ab(12, 12),
      processors: { sources: [steps('dropA')] },
      createChain: fakeChains({ dropA: () => ({ filter: true }) }),
    });
    await runUntil(s.runner, lastAcked(s.events, { a: 11, b: 11 }));
    expect(of(s.written, 'a')).toEqual([]);
    expect(of(s.written, 'b')).toEqual(range(0, 12));
    expect(acked(s.events, 'a')).toEqual(range(0, 12));
  });
});
