import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

// A third-party connector NOT built with defineConnector and declaring no sdk.* parameter: the
// runtime gives it the SDK middleware. The source hands out up to 50 records per read; the
// destination logs each write as "wrote <count> <elapsed ms>".
const plugin = `
import { appendFileSync } from 'node:fs';
const noConfig = { parameters: { log: { type: 'string', description: '', default: '', validations: [] } }, parse: (raw) => ({ ...raw }) };
const enc = (i) => new TextEncoder().encode(String(i));
const t0 = Date.now();
export const connector = {
  specification: { name: 'fake', summary: '', description: '', version: '0.0.1', author: '', sourceParams: noConfig.parameters, destinationParams: noConfig.parameters, features: {} },
  source: { config: noConfig, create: (cfg) => {
    let next = 0;
    return {
      async open() {},
      async read(max) { await new Promise((r) => setTimeout(r, cfg.slow ? 20 : 2)); const out = []; for (let k = 0; k < Math.min(max, cfg.slow ? 1 : 50); k++) { const i = next++; out.push({ position: enc(i), operation: 'create', metadata: new Map([['opencdc.collection', 'c']]), key: null, payload: { before: null, after: { i } } }); } return out; },
      async ack() {},
      async teardown() {},
    };
  } },
  destination: { config: noConfig, create: (cfg) => ({
    async open() {},
    async write(rs) { appendFileSync(cfg.log, 'wrote ' + rs.length + ' ' + (Date.now() - t0) + '\\n'); },
    async teardown() {},
  }) },
};
`;

function pipeline(log: string, destination: string, source = ''): string {
  return `version: "2.2"
pipelines:
  - id: mw
    connectors:
      - id: src
        type: source
        plugin: ./fake.mjs
        settings: { log: "${log}"${source} }
      - id: dst
        type: destination
        plugin: ./fake.mjs
        settings: { log: "${log}"${destination} }
`;
}

function start(
  args: string[],
  cwd: string,
): { child: ChildProcess; exit: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, output: () => out };
}

async function writes(log: string): Promise<{ count: number; at: number }[]> {
  if (!existsSync(log)) return [];
  return (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('wrote '))
    .map((l) => {
      const [, count, at] = l.split(' ');
      return { count: Number(count), at: Number(at) };
    });
}

async function runFor(dir: string, ms: number): Promise<void> {
  const run = start(['run', 'p.yaml', '--state-dir', 'state'], dir);
  await new Promise((r) => setTimeout(r, ms));
  run.child.kill('SIGTERM');
  expect(await run.exit).toBe(0);
}

async function setup(destination: string, source = '') {
  const dir = await mkdtemp(join(tmpdir(), 'opencdc-mw-'));
  await writeFile(join(dir, 'fake.mjs'), plugin);
  const log = join(dir, 'events.log');
  await writeFile(join(dir, 'p.yaml'), pipeline(log, destination, source));
  return { dir, log };
}

describe('connector middleware through `opencdc run`', () => {
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`build first: pnpm tsc -b packages/cli (${bin} missing)`);
  });

  it('sdk.batch.size on the destination: every write holds exactly that many records', async () => {
    const { dir, log } = await setup(', sdk.batch.size: 7');
    await runFor(dir, 1500);
    const w = await writes(log);
    expect(w.length).toBeGreaterThan(5);
    expect(new Set(w.map((x) => x.count))).toEqual(new Set([7]));
  });

  it('sdk.batch.delay on the destination: the runtime collects the records of a slow source for the delay', async () => {
    // One record every ~20 ms; a 600 ms delay gathers about 30 of them per write.
    const { dir, log } = await setup(
      ', sdk.batch.delay: 600ms, sdk.batch.size: 1000',
      ', slow: "1"',
    );
    await runFor(dir, 2500);
    const w = await writes(log);
    expect(w.length).toBeGreaterThanOrEqual(2);
    const full = w.slice(0, -1); // the last may be cut short by the stop
    for (const x of full) expect(x.count).toBeGreaterThan(10);
    for (let i = 1; i < full.length; i++)
      expect(full[i]!.at - full[i - 1]!.at).toBeGreaterThan(450);
  });

  it('sdk.rate.perSecond / sdk.rate.burst: writes of at most the burst, at the rate', async () => {
    const { dir, log } = await setup(', sdk.rate.perSecond: 40, sdk.rate.burst: 5');
    await runFor(dir, 3000);
    const w = await writes(log);
    expect(Math.max(...w.map((x) => x.count))).toBe(5);
    // From the first write on: the burst, then 40 records a second.
    const first = w[0]!.at;
    const inOneSecond = w.filter((x) => x.at - first < 1000).reduce((n, x) => n + x.count, 0);
    expect(inOneSecond).toBeGreaterThanOrEqual(35);
    expect(inOneSecond).toBeLessThanOrEqual(50);
  });

  it('sdk.schema.extract.*: true is refused (no schema registry), false is accepted', async () => {
    const { dir } = await setup('', ', sdk.schema.extract.payload.enabled: true');
    const bad = start(['validate', 'p.yaml'], dir);
    expect(await bad.exit).not.toBe(0);
    expect(bad.output()).toMatch(/sdk\.schema\.extract\.payload\.enabled.*schema registry/s);
    await writeFile(
      join(dir, 'p.yaml'),
      pipeline(
        join(dir, 'x.log'),
        ', sdk.schema.extract.payload.enabled: false',
        ', sdk.schema.extract.key.enabled: false',
      ),
    );
    const ok = start(['validate', 'p.yaml'], dir);
    expect(await ok.exit).toBe(0);
  });
});
