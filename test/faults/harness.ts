// The fault suite's shared pieces: a writer that inserts, updates, moves keys and deletes (every
// row stamped with a sequence number), the built `opencdc run` as a child process that can be
// killed at any moment, and the "same ordered content on both sides" check.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@opencdc-ts/testing';
import pg from 'pg';

export const bin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

export function requireBuild(): void {
  if (!existsSync(bin)) throw new Error(`build first: pnpm -s build (${bin} missing)`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A client that never raises an unhandled 'error' event (a restart drops it; queries fail). */
export async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  c.on('error', () => {});
  await c.connect();
  return c;
}

export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const c = await connect(url);
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Tables of the storm: `id` the key (moved by the writer), `seq` the sequence number of the last
 * change to the row, `payload` what the change was. `rows` seed rows each (the snapshot).
 */
export async function createSeqTables(url: string, tables: string[], rows: number): Promise<void> {
  const c = await connect(url);
  try {
    await c.query('CREATE SEQUENCE IF NOT EXISTS fault_ids');
    await c.query('CREATE SEQUENCE IF NOT EXISTS fault_seq');
    for (const t of tables) {
      const q = pg.escapeIdentifier(t);
      await c.query(`CREATE TABLE ${q} (id bigint PRIMARY KEY, seq bigint NOT NULL, payload text)`);
      await c.query(
        `INSERT INTO ${q} SELECT nextval('fault_ids'), nextval('fault_seq'), 'seed ' || g FROM generate_series(1, $1) g`,
        [rows],
      );
    }
  } finally {
    await c.end();
  }
}

export interface Writer {
  readonly ops: Record<'insert' | 'update' | 'move' | 'delete' | 'failed', number>;
  stop(): Promise<void>;
}

/**
 * Changes rows continuously: 45% inserts (5 rows), 25% updates, 15% key moves (`id` to a fresh
 * id), 15% deletes, each stamping `seq`. It reconnects after a lost connection: a statement cut
 * off may or may not have committed, so the source tables, not counters, are the truth.
 */
export function startWriter(url: string, tables: string[], pauseMs = 5): Writer {
  let stopped = false;
  const ops = { insert: 0, update: 0, move: 0, delete: 0, failed: 0 };
  // A random existing row: the first id at or above a random point below the highest id.
  const pick = (q: string) =>
    `(SELECT id FROM ${q} WHERE id >= (SELECT floor(random() * last_value)::bigint FROM fault_ids) ORDER BY id LIMIT 1)`;
  const done = (async () => {
    while (!stopped) {
      let c: pg.Client | undefined;
      try {
        c = await connect(url);
        while (!stopped) {
          const t = pg.escapeIdentifier(tables[Math.floor(Math.random() * tables.length)]!);
          const r = Math.random();
          if (r < 0.45) {
            await c.query(
              `INSERT INTO ${t} SELECT nextval('fault_ids'), nextval('fault_seq'), 'insert' FROM generate_series(1, 5)`,
            );
            ops.insert++;
          } else if (r < 0.7) {
            await c.query(
              `UPDATE ${t} SET seq = nextval('fault_seq'), payload = 'update' WHERE id = ${pick(t)}`,
            );
            ops.update++;
          } else if (r < 0.85) {
            await c.query(
              `UPDATE ${t} SET id = nextval('fault_ids'), seq = nextval('fault_seq'), payload = 'moved' WHERE id = ${pick(t)}`,
            );
            ops.move++;
          } else {
            await c.query(`DELETE FROM ${t} WHERE id = ${pick(t)}`);
            ops.delete++;
          }
          if (pauseMs > 0) await sleep(pauseMs);
        }
      } catch {
        ops.failed++;
        await sleep(200);
      } finally {
        await c?.end().catch(() => {});
      }
    }
  })();
  return {
    ops,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** `id:seq:payload` per row in key order: the ordered content of a table. */
export async function content(url: string, table: string): Promise<string[]> {
  try {
    const rows = await sql<{ r: string }>(
      url,
      `SELECT id || ':' || seq || ':' || coalesce(payload, '') AS r FROM ${pg.escapeIdentifier(table)} ORDER BY id`,
    );
    return rows.map((x) => x.r);
  } catch {
    return [];
  }
}

/** How two ordered contents differ, briefly (for a failure message). */
export function diff(want: string[], got: string[]): string {
  const g = new Set(got);
  const w = new Set(want);
  const missing = want.filter((r) => !g.has(r));
  const extra = got.filter((r) => !w.has(r));
  return `${want.length} rows expected, ${got.length} found; missing ${missing.length} ${JSON.stringify(missing.slice(0, 8))}; unexpected ${extra.length} ${JSON.stringify(extra.slice(0, 8))}`;
}

export interface Runner {
  readonly child: ChildProcess;
  /** Set once the process exited: how. */
  exited(): string | undefined;
  /** Set once the process exited or one of its pipelines failed (it will not converge). */
  broken(): string | undefined;
  exit: Promise<number | null>;
  kill(): Promise<void>;
  stop(): Promise<number | null>;
}

/** A working directory with `p.yaml` (the pipeline file) and state beside it. */
export async function pipelineDir(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'opencdc-faults-'));
  await writeFile(join(dir, 'p.yaml'), yaml);
  return dir;
}

/** Every runner's stderr, kept for failure messages (the tail of each). */
export const logs: string[] = [];

export function lastLogs(chars = 6000): string {
  return logs
    .map((l, i) => `--- run ${i + 1}\n${l.slice(-2000)}`)
    .join('\n')
    .slice(-chars);
}

export function startRunner(dir: string, env: Record<string, string>, args: string[] = []): Runner {
  const child = spawn(
    process.execPath,
    [bin, 'run', 'p.yaml', '--state-dir', 'state', '--batch-size', '500', ...args],
    { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const idx = logs.push('') - 1;
  child.stderr?.on('data', (d) => {
    logs[idx] += d;
    // Generous: a dead letter of a huge record is a long line, and tests look for earlier ones.
    if (logs[idx]!.length > 8_000_000) logs[idx] = logs[idx]!.slice(-4_000_000);
  });
  let how: string | undefined;
  const exit = new Promise<number | null>((r) =>
    child.on('exit', (code, sig) => {
      how = sig ?? `code ${code}`;
      r(code);
    }),
  );
  return {
    child,
    exit,
    exited: () => how,
    broken: () => {
      if (how !== undefined) return `the runner exited (${how})`;
      const failed = /ERROR +pipeline failed.*/.exec(logs[idx]!);
      return failed ? failed[0] : undefined;
    },
    async kill() {
      if (how === undefined) child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (how === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Starts the runner `kills` times and SIGKILLs each run 0.3 s to 4 s after its start (opening,
 * the snapshot, the hand-off, CDC), then starts it once more and returns that run. Every run is
 * added to `runners` (for cleanup); a run that broke before its kill fails with the logs.
 */
export async function killRepeatedly(
  dir: string,
  env: Record<string, string>,
  kills: number,
  runners: Runner[],
): Promise<Runner> {
  for (let k = 0; k < kills; k++) {
    const run = startRunner(dir, env);
    runners.push(run);
    await sleep(300 + Math.random() * 3700);
    const early = run.broken();
    if (early) throw new Error(`run ${k + 1}: ${early}\n${lastLogs()}`);
    await run.kill();
  }
  const final = startRunner(dir, env);
  runners.push(final);
  return final;
}

/**
 * Waits until every destination table holds the source table's ordered content; returns the
 * differences left at the timeout (an empty object: everything arrived, in place).
 */
export async function converge(
  source: string,
  destinations: string[],
  tables: string[],
  opts: { timeout?: number; abort?: () => string | undefined } = {},
): Promise<Record<string, string>> {
  const want = new Map<string, string[]>();
  for (const t of tables) want.set(t, await content(source, t));
  const problems = async () => {
    const out: Record<string, string> = {};
    for (const d of destinations)
      for (const t of tables) {
        const got = await content(d, t);
        const w = want.get(t)!;
        if (got.length !== w.length || got.some((r, i) => r !== w[i]))
          out[`${new URL(d).pathname.slice(1)}.${t}`] = diff(w, got);
      }
    return out;
  };
  try {
    await waitFor(async () => Object.keys(await problems()).length === 0, {
      timeout: opts.timeout ?? 120_000,
      interval: 500,
      description: 'every destination table to equal its source table',
      abort: opts.abort,
    });
  } catch {
    // reported below
  }
  return problems();
}

/** A unique, lower-case name for slots, topics and tables of one test. */
export function uniqueName(tag: string): string {
  return `${tag}_${Date.now().toString(36)}_${process.pid}`;
}
