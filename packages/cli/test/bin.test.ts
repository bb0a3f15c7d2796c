import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@opencdc-ts/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

// A connector written to a file: an endless source and a slow destination that logs what it wrote.
const plugin = `
import { appendFileSync } from 'node:fs';
const noConfig = { parameters: {}, parse: (raw) => ({ ...raw }) };
const enc = (i) => new TextEncoder().encode(String(i));
export const connector = {
  specification: { name: 'fake', summary: '', description: '', version: '0.0.1', author: '', sourceParams: {}, destinationParams: {}, features: { source: { cdc: { snapshot: false, resume: true } } } },
  source: { config: noConfig, create: (cfg) => {
    let next = 0;
    return {
      async open(p) { next = p ? Number(new TextDecoder().decode(p)) + 1 : 0; appendFileSync(cfg.log, 'open ' + next + '\\n'); },
      async read(max) { await new Promise((r) => setTimeout(r, 5)); const out = []; for (let k = 0; k < Math.min(max, 50); k++) { const i = next++; out.push({ position: enc(i), operation: 'create', metadata: new Map([['opencdc.collection', 'c']]), key: null, payload: { before: null, after: { i } } }); } return out; },
      async ack(ps) { appendFileSync(cfg.log, 'ack ' + new TextDecoder().decode(ps[ps.length - 1]) + '\\n'); },
      async teardown() { appendFileSync(cfg.log, 'teardown\\n'); },
    };
  } },
  destination: { config: noConfig, create: (cfg) => ({
    async open() {},
    async write(rs) { await new Promise((r) => setTimeout(r, Number(cfg.delay))); appendFileSync(cfg.log, 'wrote ' + new TextDecoder().decode(rs[rs.length - 1].position) + '\\n'); },
    async teardown() {},
  }) },
};
`;

function pipeline(log: string, delay: number): string {
  return `version: "2.2"
pipelines:
  - id: fake
    connectors:
      - { id: src, type: source, plugin: ./fake.mjs, settings: { log: "${log}" } }
      - { id: dst, type: destination, plugin: ./fake.mjs, settings: { log: "${log}", delay: "${delay}" } }
`;
}

function start(
  args: string[],
  cwd: string,
): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

async function waitForText(file: string, text: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (existsSync(file) && (await readFile(file, 'utf8')).includes(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for "${text}" in ${file}`);
}

describe('opencdc bin', () => {
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`build first: pnpm tsc -b packages/cli (${bin} missing)`);
  });

  it('SIGTERM: finishes the write in flight, acks it, saves state, exits 0; a restart resumes after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-bin-'));
    await writeFile(join(dir, 'fake.mjs'), plugin);
    const log = join(dir, 'events.log');
    await writeFile(join(dir, 'p.yaml'), pipeline(log, 200));
    const run = start(['run', 'p.yaml', '--state-dir', 'state', '--batch-size', '50'], dir);
    await waitForText(log, 'wrote 99');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    const wrote = lines.filter((l) => l.startsWith('wrote ')).map((l) => Number(l.slice(6)));
    const acked = lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
    expect(acked).toEqual(wrote); // every finished write acked, in order, nothing else
    expect(lines[lines.length - 1]).toBe('teardown');
    const state = JSON.parse(await readFile(join(dir, 'state', 'fake.json'), 'utf8')) as {
      position: string;
    };
    const last = wrote[wrote.length - 1]!;
    expect(Buffer.from(state.position, 'base64').toString()).toBe(String(last));

    const again = start(['run', 'p.yaml', '--state-dir', 'state'], dir);
    await waitForText(log, `open ${last + 1}`);
    again.child.kill('SIGINT');
    expect(await again.exit).toBe(0);
  });

  it('a second signal exits at once with 130', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-bin-'));
    await writeFile(join(dir, 'fake.mjs'), plugin);
    const log = join(dir, 'events.log');
    await writeFile(join(dir, 'p.yaml'), pipeline(log, 5_000));
    const run = start(['run', 'p.yaml', '--state-dir', 'state'], dir);
    await waitForText(log, 'open 0');
    await new Promise((r) => setTimeout(r, 300)); // a write is in flight (5 s)
    run.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(130);
  });

  it('a ConfigError thrown by open: exit 2, the configuration error printed, never retried, no "pipeline failed"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-bin-'));
    const sdk = fileURLToPath(new URL('../../sdk/dist/index.js', import.meta.url));
    // Source `a` throws the sdk's ConfigErrors at open (what the Postgres source does for an
    // unknown table); destination `b` throws an error that is a ConfigError by name only, as a
    // connector bundling its own copy of the sdk would.
    await writeFile(
      join(dir, 'refuse.mjs'),
      `import { appendFileSync } from 'node:fs';
import { ConfigError, ConfigErrors } from ${JSON.stringify(sdk)};
const noConfig = { parameters: {}, parse: (raw) => ({ ...raw }) };
export const connector = {
  specification: { name: 'refuse', summary: '', description: '', version: '0.0.1', author: '', sourceParams: {}, destinationParams: {}, features: {} },
  source: { config: noConfig, create: (cfg) => ({
    async open() {
      appendFileSync(cfg.log, 'open a\\n');
      throw new ConfigErrors([new ConfigError({ parameter: 'tables', value: 'no_such_table', rule: 'existing tables', fix: 'create the table or correct its name' })]);
    },
    async read() { return []; }, async ack() {}, async teardown() {},
  }) },
  destination: { config: noConfig, create: (cfg) => ({
    async open() {
      appendFileSync(cfg.log, 'open b\\n');
      throw Object.assign(new Error('parameter "url" = (not set): violates required. Fix: set it'), { name: 'ConfigError', parameter: 'url', value: undefined, rule: 'required', fix: 'set it' });
    },
    async write() {}, async teardown() {},
  }) },
};
`,
    );
    const log = join(dir, 'events.log');
    await writeFile(
      join(dir, 'p.yaml'),
      `version: "2.2"
pipelines:
  - id: a
    connectors:
      - { id: src, type: source, plugin: ./refuse.mjs, settings: { log: "${log}" } }
      - { id: dst, type: destination, plugin: builtin:log }
  - id: b
    connectors:
      - { id: src, type: source, plugin: builtin:generator, settings: { format.options.id: int } }
      - { id: dst, type: destination, plugin: ./refuse.mjs, settings: { log: "${log}" } }
`,
    );
    const run = start(['run', 'p.yaml', '--state-dir', 'state'], dir);
    expect(await run.exit, run.output()).toBe(2);
    const out = run.output();
    expect(out).toContain(
      'configuration error: connector "a:src" (./refuse.mjs): parameter "tables" = "no_such_table": violates existing tables. Fix: create the table or correct its name',
    );
    expect(out).toContain(
      'configuration error: connector "b:dst" (./refuse.mjs): parameter "url" = (not set): violates required. Fix: set it',
    );
    expect(out).not.toMatch(/pipeline failed|restarting/);
    // Each open ran once: a configuration error is not retried.
    expect((await readFile(log, 'utf8')).trim().split('\n').sort()).toEqual(['open a', 'open b']);
  });

  it('a Postgres source with an unknown table: exit 2 naming the parameter', async () => {
    const url = await createTestDatabase(inject('pgUrl'), 'cli_bin_config');
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-bin-'));
    await writeFile(
      join(dir, 'p.yaml'),
      `version: "2.2"
pipelines:
  - id: pg
    connectors:
      - { id: src, type: source, plugin: builtin:postgres, settings: { url: "${url}", tables: no_such_table } }
      - { id: dst, type: destination, plugin: builtin:log }
`,
    );
    const run = start(['run', 'p.yaml', '--state-dir', 'state'], dir);
    expect(await run.exit, run.output()).toBe(2);
    expect(run.output()).toMatch(
      /configuration error: connector "pg:src" \(builtin:postgres\): parameter "tables" = "no_such_table"/,
    );
    expect(run.output()).not.toMatch(/pipeline failed|restarting/);
  });

  it('bad files: exit 2 with file:line:col, before anything runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-bin-'));
    await writeFile(
      join(dir, 'bad.yaml'),
      'version: "2.2"\npipelines:\n  - id: x\n    connectors:\n      - { id: s, type: source, plugin: builtin:nosuch }\n      - { id: d, type: destination, plugin: builtin:log, settings: { level: loud } }\n',
    );
    const v = start(['validate', 'bad.yaml'], dir);
    expect(await v.exit).toBe(2);
    expect(v.output()).toContain('bad.yaml:5:40: plugin "builtin:nosuch" is not available');
    expect(v.output()).toMatch(
      /bad\.yaml:6:9: connector "x:d" \(builtin:log\): parameter "level" = "loud"/,
    );
    const r = start(['run', 'bad.yaml'], dir);
    expect(await r.exit).toBe(2);
    await writeFile(
      join(dir, 'env.yaml'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${VAR} syntax of pipeline files
      'version: "2.2"\npipelines:\n  - id: x\n    connectors:\n      - { id: s, type: source, plugin: builtin:generator, settings: { url: "${NOPE_NOT_SET}" } }\n',
    );
    const e = start(['validate', 'env.yaml'], dir);
    expect(await e.exit).toBe(2);
    // Conduit replaces an unset variable with "": a warning here, shown before the errors.
    expect(e.output()).toContain(
      'warning: env.yaml:5:76: settings.url: environment variable "NOPE_NOT_SET" is not set',
    );
    expect(e.output()).toContain('env.yaml:4:5: pipeline x: no destination connector');
    // Without an argument, `./pipelines` (as `conduit run`).
    await mkdir(join(dir, 'pipelines'));
    await writeFile(join(dir, 'pipelines', 'b.yml'), await readFile(join(dir, 'bad.yaml'), 'utf8'));
    const d = start(['validate'], dir);
    expect(await d.exit).toBe(2);
    expect(d.output()).toContain(`${join('pipelines', 'b.yml')}:5:40: plugin "builtin:nosuch"`);
  });
});
