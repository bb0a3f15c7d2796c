import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';
import { logTail, onExit, run, signal, watchdog } from './process.js';
import { waitFor } from './wait.js';

export interface PostgresService {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  url: string;
  /** Server log file (removed by `stop()`). */
  logFile: string;
  /** Fast shutdown, then removes the data directory. Idempotent. */
  stop(): Promise<void>;
  /**
   * `pg_ctl restart -m fast` (or `-m immediate`: no checkpoint, crash recovery at start) on the
   * same port and data directory (every connection drops), then waits until the server accepts
   * connections again. For tests of recovery from a server restart.
   * Only on servers started by `startPostgres()` (not on reused ones).
   */
  restart?(options?: { mode?: 'fast' | 'immediate' }): Promise<void>;
}

export interface StartPostgresOptions {
  /** Readiness timeout in milliseconds (default 60 s). */
  timeout?: number;
  /** Extra `postgresql.conf` settings. */
  settings?: Record<string, string | number>;
}

/**
 * Settings for CDC tests: logical decoding, plenty of slots and connections, no fsync.
 * synchronous_commit stays on: logical decoding only sees flushed WAL, so with it off a change
 * can be invisible to a slot for up to wal_writer_delay after its commit.
 */
const defaultSettings: Record<string, string | number> = {
  wal_level: 'logical',
  max_replication_slots: 64,
  max_wal_senders: 64,
  max_connections: 300,
  // Slots that tests abandon would otherwise keep WAL forever on a long-lived dev server.
  max_slot_wal_keep_size: '4GB',
  fsync: 'off',
  full_page_writes: 'off',
  shared_buffers: '128MB',
  listen_addresses: '127.0.0.1',
};

/** Directory with initdb/pg_ctl: `PG_BIN`, else the highest /usr/lib/postgresql/<v>/bin, else PATH. */
export function findPostgresBin(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or PATH: ' +
      "install the 'postgresql' package (apt-get install postgresql), set PG_BIN, " +
      'or set PG_URL to use an existing server (wal_level=logical).',
  );
}

/** The temp dir, unless the `postgres` user could not reach into it (e.g. TMPDIR under /root). */
function tempBase(asOtherUser: boolean): string {
  const base = tmpdir();
  if (!asOtherUser) return base;
  try {
    // World-executable all the way up, or fall back to /tmp.
    let dir = base;
    while (dir !== '/') {
      if ((statSync(dir).mode & 0o001) === 0) return '/tmp';
      dir = dirname(dir);
    }
    return base;
  } catch {
    return '/tmp';
  }
}

/** Running as root: PostgreSQL refuses to run as root, so run its tools as `postgres`. */
function asServerUser(): {
  wrap: (cmd: string, args: string[]) => [string, string[]];
  uid?: number;
  gid?: number;
} {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args] };
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(
      "running as root but there is no 'postgres' user to run the server as: " +
        "install the 'postgresql' package (it creates the user) or run the tests as a normal user",
    );
  }
  return { wrap: (cmd, args) => ['runuser', ['-u', 'postgres', '--', cmd, ...args]], uid, gid };
}

/**
 * Starts a throwaway PostgreSQL cluster in a temporary directory, listening on a free port on
 * 127.0.0.1 with trust authentication and `wal_level=logical`.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresService> {
  const bin = findPostgresBin();
  const user = asServerUser();
  const dir = mkdtempSync(join(tempBase(user.uid !== undefined), 'opencdc-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  if (user.uid !== undefined && user.gid !== undefined) chownSync(dir, user.uid, user.gid);
  const exec = (tool: string, args: string[], timeout: number) => {
    const [cmd, full] = user.wrap(join(bin, tool), args);
    return run(cmd, full, { timeout });
  };

  const port = await freePort();
  const settings = { ...defaultSettings, port, unix_socket_directories: dir, ...options.settings };
  let stopped = false;
  let unregister = () => {};
  const fail = (error: unknown): never => {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `could not start PostgreSQL (${bin}) in ${dir}: ${message}\n` +
        `log file: ${logFile} (kept)\n${logTail(logFile)}`,
    );
  };

  try {
    const args = ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C'];
    await exec('initdb', [...args, '--no-sync'], 120_000);
  } catch (error) {
    fail(error);
  }

  const timeout = options.timeout ?? 60_000;
  // In postgresql.auto.conf rather than on the command line, so ALTER SYSTEM can still change them.
  const conf = Object.entries(settings)
    .map(([k, v]) => `${k} = '${String(v).replace(/'/g, "''")}'`)
    .join('\n');
  appendFileSync(join(dataDir, 'postgresql.auto.conf'), `\n${conf}\n`);
  try {
    await exec(
      'pg_ctl',
      ['-D', dataDir, '-l', logFile, '-w', '-t', String(Math.ceil(timeout / 1000)), 'start'],
      timeout + 10_000,
    );
  } catch (error) {
    fail(error);
  }

  // pg_ctl daemonizes the server: track the postmaster pid for last-resort cleanup.
  const readPid = () =>
    Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  // `let`: a restart() brings a new postmaster (and a new watchdog for it).
  let pid = readPid();
  // SIGQUIT: immediate shutdown, the postmaster takes its backends down with it.
  let guard = watchdog(pid, { signal: 'QUIT', dir });
  unregister = onExit(() => {
    signal(pid, 'SIGQUIT'); // immediate shutdown, synchronous-safe
    rmSync(dir, { recursive: true, force: true });
  });

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const ready = () =>
    waitFor(
      async () => {
        await withPgClient(url, (c) => c.query('select 1'));
        return true;
      },
      { timeout, description: `PostgreSQL on 127.0.0.1:${port} to accept connections` },
    );
  try {
    await ready();
  } catch (error) {
    signal(pid, 'SIGQUIT');
    unregister();
    fail(error);
  }

  return {
    url,
    logFile,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], 40_000);
      } catch {
        signal(pid, 'SIGKILL');
      }
      guard.kill('SIGKILL');
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(options: { mode?: 'fast' | 'immediate' } = {}) {
      if (stopped) throw new Error('restart() after stop()');
      await exec(
        'pg_ctl',
        ['-D', dataDir, '-l', logFile, '-m', options.mode ?? 'fast', '-w', '-t', '60', 'restart'],
        70_000,
      );
      guard.kill('SIGKILL');
      pid = readPid();
      guard = watchdog(pid, { signal: 'QUIT', dir });
      await ready();
    },
  };
}

/** Runs `fn` with a connected client, always closing it. */
export async function withPgClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

let counter = 0;

/**
 * Creates a uniquely named database (`<prefix>_<time>_<n>`) on the server of `pgUrl` and returns
 * the URL of the new database. Use one per test file to isolate slots, publications and tables.
 */
export async function createTestDatabase(pgUrl: string, prefix = 'test'): Promise<string> {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 30) || 'test';
  const suffix = `${Date.now().toString(36)}_${process.pid.toString(36)}_${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const name = `${clean}_${suffix}`.slice(0, 63);
  await withPgClient(pgUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = new URL(pgUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}
