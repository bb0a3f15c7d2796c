import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.test-helper.js';
import { RateLimiter } from './rate.js';

describe('RateLimiter', () => {
  it('lets a full burst through at once, then paces at perSecond', async () => {
    const clock = new FakeClock();
    const l = new RateLimiter(8, 2, clock);
    await l.wait(2);
    expect(clock.sleeps).toEqual([]);
    const next = l.wait(2);
    // 2 tokens at 8/s: 250ms.
    expect(clock.sleeps).toEqual([250]);
    await clock.advance(250);
    await next;
  });

  it("uses Conduit's burst rule: 0 means ceil(perSecond)", () => {
    expect(RateLimiter.fromSettings(2.5, 0)?.burst).toBe(3);
    expect(RateLimiter.fromSettings(8, 2)?.burst).toBe(2);
    expect(RateLimiter.fromSettings(0, 5)).toBeUndefined();
  });

  it('refills with time and never saves more than the burst', async () => {
    const clock = new FakeClock();
    const l = new RateLimiter(10, 5, clock);
    await l.wait(5);
    await clock.advance(10_000); // long idle: the bucket is full again, not 100 tokens
    await l.wait(5);
    expect(clock.sleeps).toEqual([]);
    const p = l.wait(1);
    expect(clock.sleeps).toEqual([100]);
    await clock.advance(100);
    await p;
  });

  it('returns the tokens of a wait that was aborted', async () => {
    const clock = new FakeClock();
    const l = new RateLimiter(1, 1, clock);
    await l.wait(1);
    const ac = new AbortController();
    const p = l.wait(1, ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow();
    await clock.advance(1000);
    await l.wait(1); // one token refilled, not owed to the aborted wait
    expect(clock.sleeps).toEqual([1000]);
  });
});
