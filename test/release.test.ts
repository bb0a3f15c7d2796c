// End-to-end release test against a real npm registry (a throwaway verdaccio on a free port):
// the real publish flow (`changeset version` + `scripts/release.sh`) from a copy of this
// repository, then installs of ONE connector into empty directories, user code that imports it
// and reads records, and a second release after a changeset on one connector only.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, withPgClient } from '@opencdc-ts/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'opencdc-release-'));
const copy = join(work, 'repo');
let registry = '';
let verdaccio: ChildProcess | undefined;
let verdaccioLog = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      env: { ...process.env, ...env, CI: 'true', npm_config_registry: registry },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

function versions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of readdirSync(join(copy, 'packages'))) {
    const pkg = JSON.parse(readFileSync(join(copy, 'packages', dir, 'package.json'), 'utf8'));
    if (!pkg.private) out[pkg.name] = pkg.version;
  }
  return out;
}

function published(name: string): string[] {
  const res = run('npm', ['view', name, 'versions', '--json'], work);
  const parsed: unknown = JSON.parse(res);
  return Array.isArray(parsed) ? (parsed as string[]) : [parsed as string];
}

function installedScope(dir: string): string[] {
  return readdirSync(join(dir, 'node_modules', '@opencdc-ts')).sort();
}

function userProject(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  writeFileSync(join(dir, '.npmrc'), `registry=${registry}\n`);
  return dir;
}

beforeAll(async () => {
  const port = await freePort();
  registry = `http://127.0.0.1:${port}/`;
  const storage = join(work, 'storage');
  mkdirSync(storage);
  writeFileSync(
    join(work, 'verdaccio.yaml'),
    [
      `storage: ${storage}`,
      'auth:',
      `  htpasswd: { file: ${join(work, 'htpasswd')}, max_users: 10 }`,
      'uplinks:',
      '  npmjs: { url: "https://registry.npmjs.org/", timeout: 60s }',
      'packages:',
      "  '@opencdc-ts/*': { access: $all, publish: $authenticated }",
      "  '**': { access: $all, proxy: npmjs }",
      'log: { type: stdout, format: pretty, level: warn }',
    ].join('\n'),
  );
  verdaccio = spawn(
    join(repo, 'node_modules/.bin/verdaccio'),
    ['--config', join(work, 'verdaccio.yaml'), '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  verdaccio.stdout?.on('data', (d) => (verdaccioLog += d));
  verdaccio.stderr?.on('data', (d) => (verdaccioLog += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${registry}-/ping`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`verdaccio did not start:\n${verdaccioLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // A registry user for publishing (verdaccio's adduser endpoint returns a token).
  const res = await fetch(`${registry}-/user/org.couchdb.user:release`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release', password: 'release-pass', type: 'user', roles: [] }),
  });
  const { token } = (await res.json()) as { token: string };
  expect(token).toBeTruthy();

  // A copy of the repository as committed plus the working tree (tracked and untracked files,
  // not ignored ones), installed from the local pnpm store.
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: repo,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    try {
      cpSync(join(repo, f), join(copy, f), { recursive: false });
    } catch {
      // deleted in the working tree but still tracked: skip
    }
  }
  writeFileSync(
    join(copy, '.npmrc'),
    `${readFileSync(join(repo, '.npmrc'), 'utf8')}registry=${registry}\n//127.0.0.1:${port}/:_authToken=${token}\n`,
  );
  run('git', ['init', '-q', '-b', 'main'], copy);
  run('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'add', '-A'], copy);
  run(
    'git',
    ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'snapshot'],
    copy,
  );
  run('pnpm', ['install', '--offline', '--frozen-lockfile', '--reporter=silent'], copy);
}, 600_000);

afterAll(() => {
  verdaccio?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('release flow against a local registry', () => {
  let first: Record<string, string> = {};

  it('versions and publishes every public package with `changeset version` + release', () => {
    run('pnpm', ['changeset', 'version'], copy);
    first = versions();
    // Published manifests carry real ranges, never the workspace protocol.
    run('bash', ['scripts/release.sh'], copy);
    for (const [name, version] of Object.entries(first)) {
      expect(published(name)).toContain(version);
    }
    const tarballManifest = JSON.parse(
      run('npm', ['view', '@opencdc-ts/connector-generator', '--json'], work),
    ) as { dependencies: Record<string, string> };
    expect(JSON.stringify(tarballManifest.dependencies)).not.toContain('workspace:');
  }, 900_000);

  it('installs only the generator connector and reads records with it', () => {
    const dir = userProject('uses-generator');
    run('npm', ['install', '--no-audit', '--no-fund', '@opencdc-ts/connector-generator'], dir);
    expect(installedScope(dir)).toEqual(['commons', 'connector-generator', 'sdk']);
    writeFileSync(
      join(dir, 'main.js'),
      `import { connector } from '@opencdc-ts/connector-generator';
const side = connector.source;
const config = side.config.parse({
  'collections.users.format.type': 'structured',
  'collections.users.format.options.id': 'int',
  'collections.users.format.options.name': 'string',
  'collections.orders.format.type': 'structured',
  'collections.orders.format.options.total': 'int',
  recordCount: '20',
  seed: '7',
});
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const source = side.create(config, { connectorId: 'demo', logger });
await source.open(undefined);
const records = [];
while (records.length < 20) records.push(...(await source.read(20 - records.length, new AbortController().signal)));
await source.teardown();
const collections = new Set(records.map((r) => r.metadata.getCollection()));
console.log(JSON.stringify({ count: records.length, collections: [...collections].sort(), version: connector.specification.version }));
`,
    );
    const out = JSON.parse(run('node', ['main.js'], dir).trim().split('\n').pop()!);
    // The specification reports the version the package was published with (build-time).
    expect(out).toEqual({
      count: 20,
      collections: ['orders', 'users'],
      version: first['@opencdc-ts/connector-generator'],
    });
  }, 300_000);

  it('installs only the Postgres connector and reads records from a table', async () => {
    const dir = userProject('uses-postgres');
    run('npm', ['install', '--no-audit', '--no-fund', '@opencdc-ts/connector-postgres'], dir);
    expect(installedScope(dir)).toEqual(['commons', 'connector-postgres', 'sdk']);
    const pgUrl = inject('pgUrl');
    const url = await createTestDatabase(pgUrl, 'release');
    await withPgClient(url, async (client) => {
      await client.query('CREATE TABLE users (id int PRIMARY KEY, name text)');
      await client.query("INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 5) g");
    });
    writeFileSync(
      join(dir, 'main.js'),
      `import { connector } from '@opencdc-ts/connector-postgres';
const side = connector.source;
const config = side.config.parse({ url: process.argv[2], tables: 'users', 'logrepl.slotName': 'release_slot', 'logrepl.publicationName': 'release_pub' });
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const source = side.create(config, { connectorId: 'demo', logger });
await source.open(undefined);
const records = [];
while (records.length < 5) records.push(...(await source.read(5, new AbortController().signal)));
await source.teardown();
console.log(JSON.stringify(records.map((r) => [r.operation, r.metadata.getCollection(), r.payload.after.name])));
`,
    );
    const out = JSON.parse(run('node', ['main.js', url], dir).trim().split('\n').pop()!);
    expect(out).toHaveLength(5);
    expect(out[0]).toEqual(['snapshot', 'users', 'user 1']);
  }, 300_000);

  it('a second release after a changeset on one connector bumps and publishes only it (and dependants)', () => {
    writeFileSync(
      join(copy, '.changeset', 'generator-fix.md'),
      `---\n'@opencdc-ts/connector-generator': patch\n---\n\nA fix in the generator only.\n`,
    );
    run('pnpm', ['changeset', 'version'], copy);
    const second = versions();
    const bumped = Object.keys(second)
      .filter((n) => second[n] !== first[n])
      .sort();
    // Only the generator moves, plus at most its dependant (the cli) where changesets decides
    // the new version leaves the dependant's range; commons, sdk and the other connectors stay.
    expect(bumped).toContain('@opencdc-ts/connector-generator');
    expect(bumped.filter((n) => n !== '@opencdc-ts/connector-generator')).toEqual(
      bumped.includes('@opencdc-ts/cli') ? ['@opencdc-ts/cli'] : [],
    );
    run('bash', ['scripts/release.sh'], copy);
    expect(published('@opencdc-ts/connector-generator')).toContain(
      second['@opencdc-ts/connector-generator'],
    );
    expect(published('@opencdc-ts/connector-postgres')).toEqual([
      first['@opencdc-ts/connector-postgres'],
    ]);
    expect(published('@opencdc-ts/connector-kafka')).toEqual([
      first['@opencdc-ts/connector-kafka'],
    ]);
    expect(published('@opencdc-ts/commons')).toEqual([first['@opencdc-ts/commons']]);
    expect(published('@opencdc-ts/sdk')).toEqual([first['@opencdc-ts/sdk']]);
  }, 900_000);
});
