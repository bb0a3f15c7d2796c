import { Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { Checkpoint } from './checkpoint.js';

const rec = (p: string): OpenCDCRecord => ({
  position: new TextEncoder().encode(p),
  operation: 'create',
  metadata: new Metadata(),
  key: null,
  payload: { before: null, after: {} },
});

function withStored(first: string, last: string, records: number): Checkpoint {
  const c = new Checkpoint({ schema: undefined, table: 'cp' }, 'id');
  c.committed({ first: Buffer.from(first), last: Buffer.from(last), records });
  return c;
}

describe('checkpoint replay skipping', () => {
  it('skips the committed span F..P, across batches', () => {
    const c = withStored('p3', 'p5', 3);
    expect(c.filter(['p1', 'p2'].map(rec))).toEqual({ write: [0, 1], skipped: 0 });
    expect(c.filter(['p3', 'p4'].map(rec))).toEqual({ write: [], skipped: 2 });
    expect(c.filter(['p5', 'p6'].map(rec))).toEqual({ write: [1], skipped: 1 });
  });

  it('writes everything when the replay starts after the span', () => {
    const c = withStored('p3', 'p5', 3);
    expect(c.filter(['p6', 'p7'].map(rec))).toEqual({ write: [0, 1], skipped: 0 });
  });

  it('stops skipping after the stored count even if P never comes (diverged replay)', () => {
    const c = withStored('p3', 'p5', 2);
    expect(c.filter(['p3', 'x', 'y'].map(rec))).toEqual({ write: [2], skipped: 2 });
  });
});
