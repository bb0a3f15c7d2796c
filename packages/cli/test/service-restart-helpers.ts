// Shared by the service-restart tests: a Postgres → Kafka → Postgres chain run by the built bin,
// a writer of sequence numbers that survives connection loss, and the "nothing lost" check.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, waitFor } from '@opencdc-ts/testing';
import pg from 'pg';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/**
 * Inserts rows continuously into every table (the bigserial ids are the sequence numbers). On a
 * lost connection it reconnects and goes on: an insert whose commit was cut off may or may not
 * exist, so the source tables, not a counter, are the truth to compare with.
 */
export function startWriter(url: string, tables: string[]) {
  let stopped = false;
  let inserted = 0;
  let failures = 0;
  const done = (async () => {
    while (!stopped) {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      c.on('error', () => {}); // a dropped connection surfaces as a failed query below
      try {
        await c.connect();
        while (!stopped) {
          for (const t of tables)
            await c.query(
              `INSERT INTO ${pg.escapeIdentifier(t)} (payload) SELECT 'live' FROM generate_series(1, 5)`,
            );
          inserted += 5 * tables.length;
          await new Promise((r) => setTimeout(r, 20));
        }
      } catch {
        failures++;
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await c.end().catch(() => {});
      }
    }
  })();
  return {
    get inserted() {
      return inserted;
    },
    get failures() {
      return failures;
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** Ids of a table; an empty list while it does not exist or the server is away. */
export async function ids(url: string, table: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  c.on('error', () => {});
  try {
    await c.connect();
    const r = await c.query<{ id: string }>(
      `SELECT id FROM ${pg.escapeIdentifier(table)} ORDER BY id`,
    );
    return r.rows.map((x) => Number(x.id));
  } catch {
    return [];
  } finally {
    await c.end().catch(() => {});
  }
}

export interface Chain {
  sourceUrl: string;
  destUrl: string;
  tables: string[];
  /** Stderr of the bin (for failure messages). */
  stderr(): string;
  /** Set when the bin exited (it must not: recovery is its job). */
  exited(): string | undefined;
  /** SIGTERM and the exit code. */
  stop(): Promise<number | null>;
  kill(): void;
}

/**
 * Starts `opencdc run` over two pipelines: Postgres (two tables) → Kafka (a topic per table) and
 * Kafka → Postgres (another database), so a row in the destination database went through both
 * the Postgres source, the Kafka destination, the Kafka source and the Postgres destination.
 */
export async function startChain(opts: {
  pgUrl: string;
  kafka: string[];
  tag: string;
  /** `--log-level` of the run (debug shows the Kafka client's own reconnects). */
  logLevel?: string;
}): Promise<Chain> {
  if (!existsSync(bin)) throw new Error(`build first: pnpm -s build (${bin} missing)`);
  const unique = `${opts.tag}_${Date.now().toString(36)}_${process.pid}`;
  const tables = [`${unique}_a`, `${unique}_b`];
  const sourceUrl = await createTestDatabase(opts.pgUrl, `${opts.tag}_src`);
  const destUrl = await createTestDatabase(opts.pgUrl, `${opts.tag}_dst`);
  const c = new pg.Client({ connectionString: sourceUrl });
  await c.connect();
  for (const t of tables)
    await c.query(
      `CREATE TABLE ${pg.escapeIdentifier(t)} (id bigserial PRIMARY KEY, payload text NOT NULL)`,
    );
  await c.end();
  const dir = await mkdtemp(join(tmpdir(), 'opencdc-svc-restart-'));
  await writeFile(
    join(dir, 'p.yaml'),
    `version: "2.2"
pipelines:
  - id: pg-to-kafka
    connectors:
      - id: pg
        type: source
        plugin: builtin:postgres
        settings: { url: "\${SRC}", tables: "${tables.join(',')}", logrepl.slotName: ${unique}, logrepl.publicationName: ${unique} }
      - id: kafka
        type: destination
        plugin: builtin:kafka
        settings: { servers: "\${KAFKA}" }
  - id: kafka-to-pg
    connectors:
      - id: kafka
        type: source
        plugin: builtin:kafka
        settings: { servers: "\${KAFKA}", topics: "${tables.join(',')}", readFromBeginning: true, valueFormat: opencdc, topicRefreshInterval: 1s, groupID: ${unique} }
      - id: pg
        type: destination
        plugin: builtin:postgres
        settings: { url: "\${DST}", autoCreate: true }
`,
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [
      bin,
      'run',
      'p.yaml',
      '--state-dir',
      'state',
      '--batch-size',
      '500',
      ...(opts.logLevel ? ['--log-level', opts.logLevel] : []),
    ],
    {
      cwd: dir,
      env: { ...process.env, SRC: sourceUrl, DST: destUrl, KAFKA: opts.kafka.join(',') },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  // Connection trouble is kept aside: a chatty debug log must not push it out of the tail.
  const trouble: string[] = [];
  child.stderr?.on('data', (d) => {
    for (const line of String(d).split('\n'))
      if (
        trouble.length < 50 &&
        /ECONNREFUSED|Connection error|restarting from the last/.test(line)
      )
        trouble.push(line.slice(0, 500));
    err += d;
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  let exitedWith: string | undefined;
  const exit = new Promise<number | null>((r) =>
    child.on('exit', (code, sig) => {
      exitedWith = `opencdc run exited (${sig ?? `code ${code}`})`;
      r(code);
    }),
  );
  return {
    sourceUrl,
    destUrl,
    tables,
    stderr: () => (trouble.length > 0 ? `${trouble.join('\n')}\n${err}` : err),
    exited: () => exitedWith,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Waits until every table has a row above `above[table]` in the destination database. */
export async function waitForIdsAbove(chain: Chain, what: string, above: Record<string, number>) {
  for (const t of chain.tables)
    await waitFor(
      async () => (await ids(chain.destUrl, t)).filter((i) => i > (above[t] ?? 0)).length > 0,
      {
        timeout: 90_000,
        interval: 250,
        description: `${what} (${t})\n${chain.stderr().slice(-3000)}`,
        abort: chain.exited,
      },
    );
}

/** The source ids missing from the destination, per table, once caught up (or the timeout). */
export async function lostAfterCatchUp(chain: Chain, timeout = 60_000) {
  const lost: Record<string, number[]> = {};
  for (const t of chain.tables) {
    const want = await ids(chain.sourceUrl, t);
    const missing = async () => {
      const have = new Set(await ids(chain.destUrl, t));
      return want.filter((i) => !have.has(i));
    };
    await waitFor(async () => (await missing()).length === 0, {
      timeout,
      interval: 250,
      description: `${t} to catch up (${want.length} rows)`,
      abort: chain.exited,
    }).catch(() => {});
    lost[t] = await missing();
  }
  return lost;
}

/** The highest id per table right now. */
export async function maxIds(url: string, tables: string[]) {
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Math.max(0, ...(await ids(url, t)));
  return out;
}
