import { createTestDatabase } from '@opencdc-ts/testing';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { classify } from '../src/engine/retry.js';
import { PostgresStateStore } from '../src/state/postgres-store.js';

// The state store's connections are terminated by the server (what a Postgres restart does to
// them): no unhandled 'error' event may crash the runtime, and the next save works again.
describe('PostgresStateStore when the server terminates its connections', () => {
  it('a connection killed by the server is not an unhandled error; a failed save is transient; the next save reconnects', async () => {
    const url = await createTestDatabase(inject('pgUrl'), 'cli_state_kill');
    const escaped: unknown[] = [];
    const onEscaped = (err: unknown) => escaped.push(err);
    process.on('uncaughtException', onEscaped);
    process.on('unhandledRejection', onEscaped);
    const store = new PostgresStateStore(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const killAll = () =>
      admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
    try {
      const state = { connectors: {}, updatedAt: new Date().toISOString(), position: 'AQ==' };
      await store.save('p', state);
      await killAll(); // the pool's idle connection dies (57P01)
      await new Promise((r) => setTimeout(r, 300));
      await store.save('p', { ...state, position: 'Ag==' });
      expect((await store.load('p'))?.position).toBe('Ag==');

      // Killed while a save may be running: if it fails, the runtime retries it (transient).
      const during = store
        .save('p', { ...state, position: 'Aw==' })
        .then(() => undefined)
        .catch((e: unknown) => e);
      await killAll();
      const err = await during;
      if (err !== undefined) expect(classify(err)).toBe('transient');
      await new Promise((r) => setTimeout(r, 300));
      await store.save('p', { ...state, position: 'BA==' });
      expect((await store.load('p'))?.position).toBe('BA==');
      expect(escaped).toEqual([]);
    } finally {
      process.off('uncaughtException', onEscaped);
      process.off('unhandledRejection', onEscaped);
      await admin.end();
      await store.close();
    }
  });
});
