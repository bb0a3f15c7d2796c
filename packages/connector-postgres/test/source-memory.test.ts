import { describe, expect, it } from 'vitest';
import { keyOf, openSource, sql, useSourceDatabase } from './source-helpers.js';

let url: string;
const settings = useSourceDatabase('pgsrc_mem', (u) => {
  url = u;
});

describe('postgres source: bounded memory', () => {
  it('streams a 300k-row transaction with a bounded heap while the reader is slow', async () => {
    await sql(url, 'CREATE TABLE bigtx (id int PRIMARY KEY, pad text)');
    const s = settings({ tables: 'bigtx', snapshotMode: 'never', bufferSize: '5000' });
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
