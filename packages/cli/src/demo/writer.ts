import pg from 'pg';
import { sourceTables } from './tables.js';

export interface WriteCounts {
  inserts: number;
  updates: number;
  deletes: number;
}

/** Keeps inserting, updating and deleting rows in the demo's source tables until stopped. */
export function startWriter(url: string, opsPerSecond = 300): { stop(): Promise<WriteCounts> } {
  const counts: WriteCounts = { inserts: 0, updates: 0, deletes: 0 };
  let stopped = false;
  const loop = (async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const pause = 1000 / opsPerSecond;
      while (!stopped) {
        const t = sourceTables[Math.floor(Math.random() * sourceTables.length)]!;
        const dice = Math.random();
        if (dice < 0.6) {
          await client.query(t.insert);
          counts.inserts++;
        } else if (dice < 0.85) {
          await client.query(t.update);
          counts.updates++;
        } else {
          await client.query(
            `DELETE FROM ${t.qualified} WHERE id = (SELECT id FROM ${t.qualified} ORDER BY random() LIMIT 1)`,
          );
          counts.deletes++;
        }
        await new Promise((r) => setTimeout(r, pause));
      }
    } finally {
      await client.end();
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return counts;
    },
  };
}
