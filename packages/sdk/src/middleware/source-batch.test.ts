import { createRecord, type OpenCDCRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import type { Source } from '../connector.js';
import { SourceBuffer } from '../source/buffer.js';
import { FakeClock } from './fake-clock.test-helper.js';
import { withSourceBatching } from './source-batch.js';

function record(i: number): OpenCDCRecord {
  return createRecord({ position: new TextEncoder().encode(String(i)), after: { i } });
}

/** A source over a SourceBuffer the test pushes into. */
function bufferedSource() {
  const buffer = new SourceBuffer<OpenCDCRecord>({ maxRecords: 1000 });
  const source: Source = {
    open: async () => {},
    read: (max, signal) => buffer.read(max, signal),
    ack: async () => {},
    teardown: async () => buffer.close(),
  };
  let n = 0;
  return {
    source,
    push: (k: number) => {
      for (let j = 0; j < k; j++) buffer.push(record(n++));
    },
  };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('withSourceBatching', () => {
  it('returns the source itself without batching', () => {
    const { source } = bufferedSource();
    expect(withSourceBatching(source, { size: 0, delay: 0 })).toBe(source);
  });

  it('size only: waits until the batch is full, never more than asked', async () => {
    const { source, push } = bufferedSource();
    const s = withSourceBatching(source, { size: 5, delay: 0 }, new FakeClock());
    push(2);
    let got: OpenCDCRecord[] | undefined;
    const p = s.read(100, new AbortController().signal).then((b) => (got = b));
    await flush();
    expect(got).toBeUndefined();
    push(4);
    await p;
    expect(got).toHaveLength(5);
    // the runtime's read size caps the batch
    push(10);
    expect(await s.read(3, new AbortController().signal)).toHaveLength(3);
  });

  it('size and delay: an incomplete batch is returned delay after its first record', async () => {
    const { source, push } = bufferedSource();
    const clock = new FakeClock();
    const s = withSourceBatching(source, { size: 100, delay: 5000 }, clock);
    push(3);
    let got: OpenCDCRecord[] | undefined;
    const p = s.read(2048, new AbortController().signal).then((b) => (got = b));
    await flush();
    await clock.advance(4000);
    push(2);
    await flush();
    expect(got).toBeUndefined();
    await clock.advance(1000);
    await p;
    expect(got?.map((r) => (r.payload.after as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
    // records pushed after the timeout are not lost: the next read gets them
    push(1);
    await clock.advance(0);
    const next = s.read(2048, new AbortController().signal);
    await flush();
    await clock.advance(5000);
    expect(await next).toHaveLength(1);
  });

  it('returns what it collected when the runtime stops reading', async () => {
    const { source, push } = bufferedSource();
    const s = withSourceBatching(source, { size: 10, delay: 0 }, new FakeClock());
    push(3);
    const stop = new AbortController();
    const p = s.read(2048, stop.signal);
    await flush();
    stop.abort();
    expect(await p).toHaveLength(3);
  });

  it('delivers collected records before a read failure, then reports it', async () => {
    let calls = 0;
    const source: Source = {
      open: async () => {},
      read: async () => {
        calls++;
        if (calls === 1) return [record(0)];
        throw new Error('broken');
      },
      ack: async () => {},
      teardown: async () => {},
    };
    const s = withSourceBatching(source, { size: 10, delay: 1000 }, new FakeClock());
    expect(await s.read(2048, new AbortController().signal)).toHaveLength(1);
    await expect(s.read(2048, new AbortController().signal)).rejects.toThrow('broken');
  });
});
