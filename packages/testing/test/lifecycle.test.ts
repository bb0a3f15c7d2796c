import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { startPostgres, withPgClient } from '@opencdc-ts/testing';
import { describe, expect, it } from 'vitest';

describe('startPostgres lifecycle', () => {
  it('starts a private server and leaves no process or directory behind', async () => {
    const pg = await startPostgres();
    const dir = dirname(pg.logFile);
    const pid = await withPgClient(pg.url, async (c) => {
      const r = await c.query<{ pid: number }>('select pg_backend_pid() as pid');
      return r.rows[0]!.pid;
    });
    expect(existsSync(dir)).toBe(true);
    expect(new URL(pg.url).hostname).toBe('127.0.0.1');

    await pg.stop();
    await pg.stop(); // idempotent
    expect(existsSync(dir)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(withPgClient(pg.url, (c) => c.query('select 1'))).rejects.toThrow();
  });
});
