import { describe, expect, it } from 'vitest';
import { CAUSE_CHAIN_LIMIT, causeChain, TransientError } from './errors.js';

describe('causeChain', () => {
  it('yields the error, then each cause, in order', () => {
    const root = Object.assign(new Error('socket'), { code: 'ECONNRESET' });
    const mid = new TransientError('lost', { cause: root });
    const top = new Error('write failed', { cause: mid });
    expect([...causeChain(top)]).toEqual([top, mid, root]);
  });

  it('yields a non-Error cause and stops after it', () => {
    const top = new Error('x', { cause: 'a string' });
    expect([...causeChain(top)]).toEqual([top, 'a string']);
  });

  it('yields nothing for null or undefined', () => {
    expect([...causeChain(undefined)]).toEqual([]);
    expect([...causeChain(null)]).toEqual([]);
  });

  it('ends a cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect([...causeChain(a)]).toEqual([a, b]);
  });

  it('is bounded', () => {
    let e = new Error('0');
    for (let i = 1; i < 100; i++) e = new Error(String(i), { cause: e });
    expect([...causeChain(e)]).toHaveLength(CAUSE_CHAIN_LIMIT);
    expect([...causeChain(e, 3)]).toHaveLength(3);
  });
});
