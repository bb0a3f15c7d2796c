import { createTestDatabase } from '@opencdc-ts/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cleanup, keyOf, openSource, sourceSettings, sql } from './source-helpers.js';

let url: string;
const settingsToClean: { [k: string]: string }[] = [];

beforeAll(async () => {
  url = await createTestDatabase(inject('pgUrl'), 'pgsrc_mem');
});
afterAll(async () => {
  for (const s of settingsToClean) await cleanup(s).catch(() => undefined);
});

describe('postgres source: bounded memory', () => {
  it('streams a 300k-row transaction with a bounded heap while the reader is slow', async () => {
    await sql(url, 'CREATE TABLE bigtx (id int PRIMARY KEY, pad text)');
    const s = sourceSettings(url, { tables: 'bigtx', snapshotMode: 'never', bufferSize: '5000' });
    settingsToClean.push(s);
    const src = await openSource(s);
    const rows = 300_000;
    try {
      // ~300 bytes per row: the whole transaction decoded in memory would take several hundred MB.
      await sql(
        url,
        `INSERT INTO bigtx SELECT g, repeat('x', 300) FROM generate_series(1, ${rows}) g`,
      );
      global.gc?.();
      const base = process.memoryUsage().heapUsed;
      let peak = base;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }, 10);
      let n = 0;
      let expectId = 1;
      try {
        while (n < rows) {
          const batch = await src.read(2000, AbortSignal.timeout(30_000));
          for (const r of batch)
            if (keyOf(r).id !== expectId++) throw new Error(`out of order at ${expectId - 1}`);
          n += batch.length;
          await src.ack([batch[batch.length - 1]!.position]);
          // A slow consumer: the source must stop reading the socket, not buffer the transaction.
          if (n % 20_000 < 2000) await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        clearInterval(sampler);
      }
      const grewMb = (peak - base) / 1024 / 1024;
      console.log(`heap grew by at most ${grewMb.toFixed(0)} MB`);
      expect(grewMb).toBeLessThan(150);
    } finally {
      await src.teardown();
    }
  });
});
