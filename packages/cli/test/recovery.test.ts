import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, waitFor } from '@opencdc-ts/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { preparePipelines } from '../src/commands/prepare.js';
import { createRunners, runPipelines } from '../src/engine/run-pipelines.js';
import { silentLogger } from '../src/log.js';
import { PostgresStateStore } from '../src/state/postgres-store.js';

async function count(c: pg.Client, table: string): Promise<number> {
  try {
    return Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  } catch {
    return 0;
  }
}

describe('recovery from lost connections (real Postgres)', () => {
  let src: pg.Client;
  let dst: pg.Client;
  let admin: pg.Client;
  let sourceUrl: string;
  let destUrl: string;

  beforeAll(async () => {
    const pgUrl = inject('pgUrl');
    sourceUrl = await createTestDatabase(pgUrl, 'cli_rec_src');
    destUrl = await createTestDatabase(pgUrl, 'cli_rec_dst');
    src = new pg.Client({ connectionString: sourceUrl });
    dst = new pg.Client({ connectionString: destUrl });
    admin = new pg.Client({ connectionString: pgUrl });
    await Promise.all([src.connect(), dst.connect(), admin.connect()]);
    await src.query('CREATE TABLE items (id bigserial PRIMARY KEY, note text NOT NULL)');
  });

  afterAll(async () => {
    await Promise.all([src?.end(), dst?.end(), admin?.end()]);
  });

  it('every connection of the pipeline killed mid-stream (as in a server restart): it reconnects and loses nothing; state in a Postgres table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-rec-'));
    const file = join(dir, 'p.yaml');
    const slot = `cli_rec_${process.pid}`;
    await writeFile(
      file,
      `version: "2.2"
pipelines:
  - id: rec
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: items, logrepl.slotName: ${slot}, logrepl.publicationName: ${slot} } }
      - { id: out, type: destination, plugin: builtin:postgres, settings: { url: "\${DST}", autoCreate: true } }
`,
    );
    const store = new PostgresStateStore(destUrl);
    const prepared = await preparePipelines(file, store, { SRC: sourceUrl, DST: destUrl });
    const [runner] = createRunners(prepared.pipelines, store, silentLogger, {
      batchSize: 200,
      maxBackoffMs: 500,
    });
    const stop = new AbortController();
    const running = runPipelines([runner!], stop.signal, silentLogger);
    let writing = true;
    const w = new pg.Client({ connectionString: sourceUrl });
    await w.connect();
    const writerPid = await pidOf(w);
    const writer = (async () => {
      while (writing) {
        await w.query(`INSERT INTO items (note) SELECT 'n' FROM generate_series(1, 20)`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await w.end();
    })();
    try {
      await waitFor(async () => (await count(dst, 'items')) > 300, {
        description: 'rows flowing',
        timeout: 60_000,
      });
      // Kill every backend of both databases except ours (the replication connection included).
      for (let round = 0; round < 2; round++) {
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE pid <> pg_backend_pid() AND (datname = ANY($1) OR backend_type = 'walsender')
             AND pid <> ALL($2)`,
          [
            [new URL(sourceUrl).pathname.slice(1), new URL(destUrl).pathname.slice(1)],
            [await pidOf(src), await pidOf(dst), writerPid],
          ],
        );
        const before = runner!.stats.total;
        await waitFor(() => runner!.stats.total > before + 200, {
          description: 'flowing again',
          timeout: 60_000,
        });
      }
      writing = false;
      await writer;
      const expected = await count(src, 'items');
      await waitFor(async () => (await count(dst, 'items')) >= expected, {
        description: 'caught up',
        timeout: 60_000,
      });
      expect(runner!.stats.retries).toBeGreaterThan(0);
      expect(await count(dst, 'items')).toBe(expected);
    } finally {
      writing = false;
      await writer.catch(() => {});
      stop.abort();
      await running;
    }
    const state = await store.load('rec');
    expect(state?.position).toBeTruthy();
    await store.close();
  });
});

async function pidOf(c: pg.Client): Promise<number> {
  return (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}
