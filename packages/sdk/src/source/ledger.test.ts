import { describe, expect, it } from 'vitest';
import { AckLedger } from './ledger.js';

const pos = (i: number) => new TextEncoder().encode(`{"i":${i}}`);

describe('AckLedger', () => {
  it('acks up to the last position, in read order', () => {
    const l = new AckLedger();
    const ps = [0, 1, 2, 3, 4].map(pos);
    for (const p of ps) l.record(p);
    expect(l.recorded).toBe(5);
    expect(l.ack(ps.slice(0, 2))).toBe(ps[1]);
    expect(l.acked).toBe(2);
    expect(l.pending).toBe(3);
    // Acking only the last of a run acks everything before it.
    expect(l.ack([ps[4]!])).toBe(ps[4]);
    expect(l.acked).toBe(5);
    expect(l.idle).toBe(true);
  });

  it('finds copies by bytes, ignores positions that are not pending', () => {
    const l = new AckLedger();
    const ps = [0, 1, 2].map(pos);
    for (const p of ps) l.record(p);
    expect(l.ack([pos(1)])).toBe(ps[1]);
    expect(l.acked).toBe(2);
    expect(l.ack([ps[0]!])).toBeUndefined(); // acked already
    expect(l.ack([pos(9)])).toBeUndefined(); // never recorded
    expect(l.ack([])).toBeUndefined();
    expect(l.acked).toBe(2);
  });

  it('releases marks once all records before them are acked', () => {
    const l = new AckLedger<string>();
    const ps = [0, 1, 2, 3].map(pos);
    l.record(ps[0]!);
    l.record(ps[1]!);
    l.mark('txn1');
    l.record(ps[2]!);
    l.mark('txn2');
    l.record(ps[3]!);
    const out: string[] = [];
    l.release((m) => out.push(m));
    expect(out).toEqual([]);
    l.ack([ps[0]!]);
    l.release((m) => out.push(m));
    expect(out).toEqual([]);
    l.ack([ps[2]!]);
    l.release((m) => out.push(m));
    expect(out).toEqual(['txn1', 'txn2']);
    expect(l.idle).toBe(false);
    l.ack([ps[3]!]);
    expect(l.idle).toBe(true);
    // A mark with nothing pending before it is released at once.
    l.mark('empty');
    l.release((m) => out.push(m));
    expect(out).toEqual(['txn1', 'txn2', 'empty']);
  });

  it('keeps sequence numbers across compaction', () => {
    const l = new AckLedger<number>();
    const all: Uint8Array[] = [];
    for (let i = 0; i < 20_000; i++) {
      const p = pos(i);
      all.push(p);
      expect(l.record(p)).toBe(i + 1);
      if (i % 100 === 99) l.mark(i + 1);
    }
    const released: number[] = [];
    for (let i = 0; i < 20_000; i += 300) {
      l.ack(all.slice(i, i + 300));
      expect(l.acked).toBe(Math.min(i + 300, 20_000));
      l.release((m) => released.push(m));
    }
    expect(released).toHaveLength(200);
    expect(released[199]).toBe(20_000);
    expect(l.idle).toBe(true);
  });
});
