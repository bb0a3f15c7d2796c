import { Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import type { Source } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { readiness } from '../http/health.js';
import { PipelineStats } from './stats.js';

const rec = (collection: string, meta: { [k: string]: string } = {}): OpenCDCRecord => ({
  position: new Uint8Array(),
  operation: 'create',
  metadata: new Metadata(Object.entries({ 'opencdc.collection': collection, ...meta })),
  key: null,
  payload: { before: null, after: null },
});
const source = {} as Source;

describe('PipelineStats', () => {
  it('counts reads and deliveries per collection; latency from opencdc.readAt', () => {
    const s = new PipelineStats('p');
    const latencies: number[] = [];
    s.onBatch((sec) => latencies.push(sec));
    const readAt = `${Date.now() - 250}000000`;
    s.read([rec('a'), rec('a'), rec('b')]);
    s.delivered([rec('a', { 'opencdc.readAt': readAt }), rec('b')]);
    expect([...s.readPerCollection]).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect([...s.perCollection]).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect([s.totalRead, s.total, s.batches]).toEqual([3, 2, 1]);
    expect(latencies).toHaveLength(1);
    expect(latencies[0]).toBeGreaterThanOrEqual(0.25);
  });

  it('is open (ready) once its sources opened and it runs, until the status changes', () => {
    const s = new PipelineStats('p');
    expect(readiness([s]).pipelines[0]).toMatchObject({ ready: false });
    s.opened('p:src', source);
    s.status = 'running'; // the runner says running after its sources opened
    expect(readiness([s]).ready).toBe(true);
    s.lastError = 'connection refused';
    s.status = 'retrying';
    expect(readiness([s]).pipelines[0]).toMatchObject({
      ready: false,
      reason: 'retrying after an error: connection refused',
    });
    expect(s.open).toBe(false); // reopening: not ready until the source opens again
    s.status = 'running';
    expect(s.open).toBe(false);
  });

  it('with several sources, is open once all of them opened', () => {
    const s = new PipelineStats('p', 2);
    s.opened('p:a', source);
    s.status = 'running';
    expect(s.open).toBe(false);
    s.opened('p:b', source);
    expect(s.open).toBe(true);
  });
});
