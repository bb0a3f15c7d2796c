import { describe, expect, it } from 'vitest';
import { AbortedError } from '../errors.js';
import { SourceBuffer } from './buffer.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SourceBuffer', () => {
  it('reads 1..max items in push order', async () => {
    const b = new SourceBuffer<number>({ maxRecords: 10 });
    for (let i = 0; i < 5; i++) expect(b.push(i)).toBeUndefined();
    expect(await b.read(2)).toEqual([0, 1]);
    expect(await b.read(10)).toEqual([2, 3, 4]);
    expect(b.size).toBe(0);
  });

  it('a waiting read gets everything pushed in the same turn', async () => {
    const b = new SourceBuffer<number>({ maxRecords: 10 });
    const r = b.read(10, new AbortController().signal);
    b.push(1);
    b.push(2);
    b.push(3);
    expect(await r).toEqual([1, 2, 3]);
  });

  it('asks the producer to wait at the record bound, and lets it go on when read', async () => {
    const b = new SourceBuffer<number>({ maxRecords: 3 });
    expect(b.push(1)).toBeUndefined();
    expect(b.push(2)).toBeUndefined();
    const room = b.push(3);
    expect(room).toBeInstanceOf(Promise);
    expect(b.full).toBe(true);
    // Over the bound the item is still kept, with the same promise (no allocation per push).
    expect(b.push(4)).toBe(room);
    let released = false;
    void room!.then(() => {
      released = true;
    });
    await tick();
    expect(released).toBe(false);
    expect(await b.read(2)).toEqual([1, 2]);
    await tick();
    expect(released).toBe(true);
    expect(await b.read(5)).toEqual([3, 4]);
  });

  it('bounds bytes too', async () => {
    const b = new SourceBuffer<string>({ maxRecords: 1000, maxBytes: 100 });
    expect(b.push('a', 40)).toBeUndefined();
    expect(b.push('b', 40)).toBeUndefined();
    const room = b.push('c', 40);
    expect(room).toBeInstanceOf(Promise);
    expect(b.bytes).toBe(120);
    let released = false;
    void room!.then(() => {
      released = true;
    });
    expect(await b.read(1)).toEqual(['a']);
    await tick();
    expect(b.bytes).toBe(80);
    expect(released).toBe(true);
    // One large item alone is accepted (the bound is "at most", not a refusal).
    expect(await b.read(10)).toEqual(['b', 'c']);
    expect(b.bytes).toBe(0);
    expect(b.push('big', 500)).toBeInstanceOf(Promise);
  });

  it('resumeAt: producers wait until the buffer drained to the fraction', async () => {
    const b = new SourceBuffer<number>({ maxRecords: 4, resumeAt: 0.5 });
    for (let i = 0; i < 3; i++) b.push(i);
    const room = b.push(3)!;
    let released = false;
    void room.then(() => {
      released = true;
    });
    await b.read(1); // 3 left: room, but above half
    await tick();
    expect(released).toBe(false);
    await b.read(1); // 2 left: half
    await tick();
    expect(released).toBe(true);
  });

  it('abort while waiting rejects with AbortedError', async () => {
    const b = new SourceBuffer<number>({ maxRecords: 10 });
    const ac = new AbortController();
    const r = b.read(10, ac.signal);
    ac.abort();
    await expect(r).rejects.toBeInstanceOf(AbortedError);
    await expect(b.read(10, ac.signal)).rejects.toBeInstanceOf(AbortedError);
    // Buffered items are still handed out with an aborted signal.
    b.push(1);
    expect(await b.read(10, ac.signal)).toEqual([1]);
  });

  it('fail while waiting rejects the waiting read and later reads, after what is buffered', async () => {
    const b = new SourceBuffer<number>({ maxRecords: 2 });
    const ac = new AbortController();
    const r = b.read(10, ac.signal);
    const err = new Error('broken');
    b.fail(err);
    await expect(r).rejects.toBe(err);
    await expect(b.read(10, ac.signal)).rejects.toBe(err);
    expect(b.push(1)).toBeUndefined(); // dropped
    expect(b.size).toBe(0);

    const c = new SourceBuffer<number>({ maxRecords: 2 });
    c.push(1);
    const room = c.push(2)!;
    c.fail(err);
    await room; // the producer is released
    expect(await c.read(10, ac.signal)).toEqual([1, 2]);
    await expect(c.read(10, ac.signal)).rejects.toBe(err);
  });

  it('close releases producers and rejects reads with AbortedError', async () => {
    const b = new SourceBuffer<number>({ maxRecords: 1 });
    const room = b.push(1)!;
    b.close();
    await room;
    expect(b.size).toBe(0);
    expect(b.push(2)).toBeUndefined();
    await expect(b.read(1, new AbortController().signal)).rejects.toBeInstanceOf(AbortedError);
    const c = new SourceBuffer<number>({ maxRecords: 1 });
    const r = c.read(1, new AbortController().signal);
    c.close();
    await expect(r).rejects.toBeInstanceOf(AbortedError);
  });

  it('keeps order across many partial reads (compaction)', async () => {
    const b = new SourceBuffer<number>({ maxRecords: 100_000, maxBytes: 1e9 });
    let next = 0;
    const got: number[] = [];
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 1000; i++) b.push(next++, 1);
      got.push(...(await b.read(777)));
    }
    expect(b.bytes).toBe(b.size);
    while (b.size > 0) got.push(...b.take(333));
    expect(got).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(b.bytes).toBe(0);
  });

  it('rejects invalid bounds', () => {
    expect(() => new SourceBuffer({ maxRecords: 0 })).toThrow(RangeError);
    expect(() => new SourceBuffer({ maxRecords: 1, maxBytes: 0 })).toThrow(RangeError);
    expect(() => new SourceBuffer({ maxRecords: 1, resumeAt: 0 })).toThrow(RangeError);
  });
});
