import { describe, expect, it } from 'vitest';
import { formatSnapshot } from '../progress/reporter.js';
import { checkFeatures } from './features.js';

const src = (features: object) => ({ fullId: 'p:src', plugin: 'builtin:x', features });

describe('checkFeatures', () => {
  it('warns when a multi-collection source feeds a single-target destination', () => {
    const f = checkFeatures({
      pipelineId: 'p',
      source: src({ source: { multipleCollections: true, cdc: { snapshot: true, resume: true } } }),
      destinations: [
        {
          fullId: 'p:a',
          plugin: 'builtin:a',
          features: { destination: { multipleCollections: true } },
        },
        { fullId: 'p:b', plugin: 'builtin:b', features: {} },
      ],
      hasSavedPosition: true,
    });
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(
      /destination p:b \(builtin:b\) does not declare multipleCollections/,
    );
  });

  it('warns when a saved position meets a source that cannot resume', () => {
    const input = {
      pipelineId: 'p',
      source: src({ source: {} }),
      destinations: [],
      hasSavedPosition: true,
    };
    expect(checkFeatures(input)[0]!.message).toMatch(/does not declare resume/);
    expect(checkFeatures({ ...input, hasSavedPosition: false })).toEqual([]);
  });

  it('accepts resume declared without change capture, or with CDC or long polling', () => {
    for (const source of [
      { resume: true },
      { cdc: { snapshot: false, resume: true } },
      { longPolling: { snapshot: true, resume: true } },
    ]) {
      const input = { pipelineId: 'p', source: src({ source }), destinations: [] };
      expect(checkFeatures({ ...input, hasSavedPosition: true })).toEqual([]);
    }
    const noResume = src({ source: { cdc: { snapshot: true, resume: false } } });
    const input = { pipelineId: 'p', source: noResume, destinations: [], hasSavedPosition: true };
    expect(checkFeatures(input)[0]!.message).toMatch(/does not declare resume/);
  });
});

describe('formatSnapshot', () => {
  it('one line with rate, totals per collection, errors and lag', () => {
    const line = formatSnapshot({
      pipeline: 'p',
      status: 'running',
      recordsPerSecond: 41210,
      total: 1204331,
      perCollection: { orders: 800112, Customers: 404219 },
      deadLettered: 2,
      retries: 1,
      batches: 300,
      lagMs: 35,
    });
    expect(line).toBe(
      'p [running] 41,210 rec/s  total 1,204,331 (orders 800,112, Customers 404,219)  dead-lettered 2  retries 1  lag 35ms',
    );
  });
});
