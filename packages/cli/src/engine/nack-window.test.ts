import { describe, expect, it } from 'vitest';
import { NackWindow } from './nack-window.js';

describe('NackWindow (Conduit dead-letter window)', () => {
  it('default 1/0 stops at the first nack', () => {
    const w = new NackWindow(1, 0);
    w.ack(100);
    expect(w.nack()).toBe(false);
  });

  it('size 0 never stops', () => {
    const w = new NackWindow(0, 0);
    for (let i = 0; i < 1000; i++) expect(w.nack()).toBe(true);
  });

  it('tolerates `threshold` nacks among the last `size` outcomes', () => {
    const w = new NackWindow(3, 1);
    expect(w.nack()).toBe(true); // [n]
    w.ack(2); // [n a a]
    expect(w.nack()).toBe(true); // [a a n]: first nack slid out
    expect(w.nack()).toBe(false); // [a n n]: 2 > 1
  });

  it('a long run of acks clears the window', () => {
    const w = new NackWindow(4, 1);
    expect(w.nack()).toBe(true);
    w.ack(10);
    expect(w.nack()).toBe(true);
    w.ack(1);
    expect(w.nack()).toBe(false);
  });
});
