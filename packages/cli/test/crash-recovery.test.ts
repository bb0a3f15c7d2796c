import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, waitFor } from '@opencdc-ts/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const TABLES = ['seq_a', 'seq_b'];
const SNAPSHOT_ROWS = 60_000;

/** Inserts rows continuously into every table; the serial ids are the sequence numbers. */
function startWriter(url: string) {
  let stopped = false;
  let inserted = 0;
  const done = (async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    while (!stopped) {
      for (const t of TABLES)
        await c.query(`INSERT INTO ${t} (payload) SELECT 'live' FROM generate_series(1, 5)`);
      inserted += 5 * TABLES.length;
      await new Promise((r) => setTimeout(r, 10));
    }
    await c.end();
  })();
  return {
    get inserted() {
      return inserted;
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}

async function count(client: pg.Client, table: string): Promise<number> {
  try {
    const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(r.rows[0]!.n);
  } catch {
    return 0;
  }
}

/** `waitFor` with the runners' stderr in the timeout error (what went wrong in the child). */
async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  try {
    await waitFor(check, { description: what, timeout: timeoutMs });
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\n${stderrs.map((e) => e.slice(-2500)).join('\n----\n')}`,
    );
  }
}

const stderrs: string[] = [];

describe('crash recovery (real Postgres, SIGKILL)', () => {
  let src: pg.Client;
  let dst: pg.Client;
  let sourceUrl: string;
  let destUrl: string;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(bin)) throw new Error(`build first: pnpm tsc -b packages/cli (${bin} missing)`);
    const pgUrl = inject('pgUrl');
    sourceUrl = await createTestDatabase(pgUrl, 'cli_crash_src');
    destUrl = await createTestDatabase(pgUrl, 'cli_crash_dst');
    src = new pg.Client({ connectionString: sourceUrl });
    dst = new pg.Client({ connectionString: destUrl });
    await src.connect();
    await dst.connect();
    for (const t of TABLES)
      await src.query(`CREATE TABLE ${t} (id bigserial PRIMARY KEY, payload text NOT NULL)`);
    await src.query(
      `INSERT INTO seq_a (payload) SELECT 'seed' FROM generate_series(1, ${SNAPSHOT_ROWS})`,
    );
    dir = await mkdtemp(join(tmpdir(), 'opencdc-crash-'));
    const slot = `cli_crash_${process.pid}`;
    await writeFile(
      join(dir, 'p.yaml'),
      `version: "2.2"
pipelines:
  - id: crash
    connectors:
      - id: pg
        type: source
        plugin: builtin:postgres
        settings: { url: "\${SRC}", tables: "${TABLES.join(',')}", logrepl.slotName: ${slot}, logrepl.publicationName: ${slot}, snapshot.fetchSize: 2000 }
      - id: out
        type: destination
        plugin: builtin:postgres
        settings: { url: "\${DST}", autoCreate: true }
`,
    );
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await src?.end();
    await dst?.end();
  });

  const start = () => {
    const child = spawn(
      process.execPath,
      [bin, 'run', 'p.yaml', '--state-dir', 'state', '--batch-size', '500'],
      {
        cwd: dir,
        env: { ...process.env, SRC: sourceUrl, DST: destUrl },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr?.on('data', (d) => (err += d));
    children.push(child);
    const idx = stderrs.length;
    stderrs.push('');
    child.stderr?.on('data', (d) => (stderrs[idx] += d));
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { child, exit, stderr: () => err };
  };

  it('SIGKILL mid-snapshot, at the hand-off and mid-CDC: after restarts every row arrives', async () => {
    const writer = startWriter(sourceUrl);
    try {
      // 1. mid-snapshot
      let run = start();
      await until('snapshot under way', async () => (await count(dst, 'seq_a')) > 0);
      run.child.kill('SIGKILL');
      await run.exit;
      const afterFirst = await count(dst, 'seq_a');
      expect(afterFirst).toBeLessThan(SNAPSHOT_ROWS);

      // 2. at the hand-off: as soon as the snapshot rows are all there
      run = start();
      await until(
        'snapshot done',
        async () => (await count(dst, 'seq_a')) >= SNAPSHOT_ROWS,
        90_000,
      );
      run.child.kill('SIGKILL');
      await run.exit;

      // 3. mid-CDC
      run = start();
      await until('CDC flowing', async () => (await count(dst, 'seq_b')) > 200);
      await new Promise((r) => setTimeout(r, 1500));
      run.child.kill('SIGKILL');
      await run.exit;

      // 4. final run: stop the writer, let it catch up, stop cleanly
      run = start();
      await new Promise((r) => setTimeout(r, 1000));
      await writer.stop();
      for (const t of TABLES) {
        const expected = await count(src, t);
        await until(`${t} caught up`, async () => (await count(dst, t)) >= expected, 60_000).catch(
          async (err: Error) => {
            const ids = (
              await src.query<{ id: string }>(`SELECT id FROM ${t} ORDER BY id`)
            ).rows.map((r) => Number(r.id));
            const have = new Set(
              (await dst.query<{ id: string }>(`SELECT id FROM ${t}`)).rows.map((r) =>
                Number(r.id),
              ),
            );
            const lost = ids.filter((i) => !have.has(i));
            throw new Error(
              `${err.message}: source ${expected}, destination ${await count(dst, t)}; lost ids ${JSON.stringify(lost.slice(0, 40))} … ${JSON.stringify(lost.slice(-5))}\n${stderrs.join('\n----\n').slice(-6000)}`,
            );
          },
        );
      }
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);

      for (const t of TABLES) {
        const missing = await src.query<{ id: string }>(`SELECT id FROM ${t} ORDER BY id`);
        const got = await dst.query<{ id: string }>(`SELECT id FROM ${t} ORDER BY id`);
        const have = new Set(got.rows.map((r) => String(r.id)));
        const lost = missing.rows.filter((r) => !have.has(String(r.id)));
        expect(lost.length, `${t}: lost ids ${lost.slice(0, 5).map((r) => r.id)}`).toBe(0);
        expect(got.rows.length).toBe(missing.rows.length);
      }
    } finally {
      await writer.stop();
    }
  });
});
