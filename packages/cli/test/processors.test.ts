// Processors and several sources through the built `opencdc run`: Conduit's built-in processors
// and a TypeScript processor installed as an npm package (loaded by name from the pipeline
// file, exactly like a third-party connector), between the generator and the log or Kafka
// destination; acks (the saved positions) cover filtered and split records, per source.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { connector as kafka } from '@opencdc-ts/connector-kafka';
import { waitFor } from '@opencdc-ts/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const sdkDir = fileURLToPath(new URL('../../sdk', import.meta.url));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * `mask-processor`, as a user would publish it: a `defineProcessor` default export with one
 * parameter. Keys divisible by 3 are filtered, keys divisible by 5 split in two (the second
 * part marked `copy`), the field named by `field` is masked, and `thread` tells which thread
 * processed the record (0: the main one).
 */
const maskPackage = {
  'package.json': JSON.stringify({
    name: 'mask-processor',
    version: '1.0.0',
    type: 'module',
    exports: './index.js',
    dependencies: { '@opencdc-ts/sdk': '*' },
  }),
  'index.js': `
import { threadId } from 'node:worker_threads';
import { defineConfig, defineProcessor, param } from '@opencdc-ts/sdk';
export default defineProcessor({
  name: 'example.mask', summary: 'Masks a field; drops keys divisible by 3, doubles keys divisible by 5.',
  description: '', version: '1.0.0', author: 'tests',
  config: defineConfig({ field: param.string({ description: 'Field of payload.after to mask.', required: true }) }),
  create: (cfg) => ({
    process: (records) => records.map((r) => {
      const id = r.key.id;
      if (id % 3 === 0) return { filter: true };
      const out = { ...r, payload: { ...r.payload, after: { ...r.payload.after, [cfg.field]: '***', thread: threadId } } };
      return id % 5 === 0 ? { records: [out, { ...out, payload: { ...out.payload, after: { ...out.payload.after, copy: true } } }] } : out;
    }),
  }),
});
`,
};

/** A working directory with the pipeline file and `mask-processor` installed in node_modules. */
async function workDir(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'opencdc-processors-'));
  await writeFile(join(dir, 'p.yaml'), yaml);
  const pkg = join(dir, 'node_modules', 'mask-processor');
  await mkdir(pkg, { recursive: true });
  for (const [f, text] of Object.entries(maskPackage)) await writeFile(join(pkg, f), text);
  // Its dependency, as npm would have installed it (this checkout's built sdk).
  await mkdir(join(dir, 'node_modules', '@opencdc-ts'), { recursive: true });
  await symlink(sdkDir, join(dir, 'node_modules', '@opencdc-ts', 'sdk'), 'dir');
  return dir;
}

interface Run {
  child: ChildProcess;
  /** The JSON log lines so far. */
  lines(): { msg: string; record?: SeenRecord; [k: string]: unknown }[];
  output(): string;
  exited(): boolean;
  stop(): Promise<number | null>;
}

interface SeenRecord {
  key: { id: number };
  metadata: { [k: string]: string };
  payload: { after: { [k: string]: unknown } };
}

function run(dir: string, args: string[] = []): Run {
  const child = spawn(
    process.execPath,
    [bin, 'run', 'p.yaml', '--json', '--state-dir', 'state', ...args],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let done = false;
  const exit = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      done = true;
      r(code);
    }),
  );
  return {
    child,
    output: () => out,
    exited: () => done,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l)),
    async stop() {
      if (!done) child.kill('SIGTERM');
      return exit;
    },
  };
}

const logged = (r: Run) =>
  r
    .lines()
    .filter((l) => l.msg === 'out')
    .map((l) => l.record!);

async function savedState(dir: string, pipeline: string) {
  return JSON.parse(await readFile(join(dir, 'state', `${pipeline}.json`), 'utf8')) as {
    position?: string;
    positions?: { [source: string]: string };
  };
}

const seqOf = (position: string) =>
  (JSON.parse(Buffer.from(position, 'base64').toString()) as { seq: number }).seq;

describe('processors and several sources in `opencdc run`', () => {
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`build first: pnpm -s build (${bin} missing)`);
  });

  it('generator → a TypeScript processor package (by name) and field.set → log: filtered and split records, all acked', async () => {
    const dir = await workDir(`version: "2.2"
pipelines:
  - id: gen
    connectors:
      - id: src
        type: source
        plugin: builtin:generator
        settings: { recordCount: 30, operations: create, format.options.name: string }
      - id: out
        type: destination
        plugin: builtin:log
        settings: { message: out }
    processors:
      - id: mask
        plugin: mask-processor
        settings: { field: name }
      - id: tag
        plugin: field.set
        settings: { field: .Metadata.tagged, value: "yes" }
`);
    const r = run(dir);
    try {
      // 30 keys: 10 filtered, 4 of the rest doubled (the multiples of 5 and not of 3).
      await waitFor(() => r.exited() || logged(r).length >= 24, {
        timeout: 30_000,
        description: '24 records logged',
      });
      await new Promise((res) => setTimeout(res, 500));
    } finally {
      expect(await r.stop(), r.output()).toBe(0);
    }
    const got = logged(r);
    expect(got).toHaveLength(24);
    const ids = got.map((x) => x.key.id);
    expect(ids.every((id) => id % 3 !== 0)).toBe(true);
    expect(new Set(ids).size).toBe(20);
    expect(got.filter((x) => x.payload.after.copy === true).map((x) => x.key.id % 5)).toEqual([
      0, 0, 0, 0,
    ]);
    expect(got.every((x) => x.payload.after.name === '***' && x.metadata.tagged === 'yes')).toBe(
      true,
    );
    expect(got.every((x) => x.payload.after.thread === 0)).toBe(true); // no workers: this thread
    // Every source record is acked, the filtered last ones included: the saved position is
    // the 30th record's, for the one source (and in the one-position form).
    const state = await savedState(dir, 'gen');
    expect(seqOf(state.positions!['gen:src']!)).toBe(30);
    expect(state.position).toBe(state.positions!['gen:src']);
  });

  it('validate reports processor problems at their place: unknown plugin, bad settings, bad condition', async () => {
    const dir = await workDir(`version: "2.2"
pipelines:
  - id: bad
    connectors:
      - { id: src, type: source, plugin: builtin:generator, settings: { recordCount: 1, format.options.n: int } }
      - { id: out, type: destination, plugin: builtin:log }
    processors:
      - { id: a, plugin: nosuch.proc }
      - { id: b, plugin: field.set, settings: { value: x } }
      - { id: c, plugin: field.set, condition: "{{ eq .Key", settings: { field: .Metadata.x, value: y } }
`);
    const v = spawn(process.execPath, [bin, 'validate', 'p.yaml'], { cwd: dir });
    let out = '';
    v.stdout.on('data', (d) => (out += d));
    v.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => v.on('exit', r));
    expect(code, out).toBe(2);
    expect(out).toMatch(
      /p\.yaml:8:\d+: .*unknown processor "nosuch\.proc": built-in processors are/,
    );
    expect(out).toMatch(/p\.yaml:9:\d+: processor "bad:b" \(field\.set\): .*field/);
    expect(out).toMatch(
      /p\.yaml:10:\d+: processor "bad:c" \(field\.set\): condition .*template syntax/,
    );
  });

  it('opencdc processors lists the built-ins and an installed processor with their parameters', async () => {
    const dir = await workDir('');
    const list = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, [bin, 'processors', ...args], { cwd: dir });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('exit', (code) => resolve({ code, out }));
      });
    const json = await list(['--json', '--plugin', 'mask-processor']);
    expect(json.code, json.out).toBe(0);
    const rows = JSON.parse(json.out) as {
      plugin: string;
      specification?: { name: string; parameters: { [k: string]: { type: string } } };
    }[];
    const byPlugin = new Map(rows.map((r) => [r.plugin, r.specification]));
    expect(byPlugin.get('field.set')?.parameters.field?.type).toBe('string');
    expect(byPlugin.has('custom.javascript')).toBe(true);
    expect(byPlugin.get('mask-processor')).toMatchObject({
      name: 'example.mask',
      parameters: { field: { type: 'string' } },
    });
    const text = await list(['--plugin', 'mask-processor']);
    expect(text.code, text.out).toBe(0);
    expect(text.out).toMatch(/^mask-processor {2}example\.mask 1\.0\.0 {2}Masks a field/m);
    expect(text.out).toMatch(/^ {4}field +string +required/m);
  });

  it('two sources fan in: each acked and resumed on its own', async () => {
    const yaml = (a: number, b: number) => `version: "2.2"
pipelines:
  - id: fan
    connectors:
      - { id: a, type: source, plugin: builtin:generator, settings: { recordCount: ${a}, operations: create, format.options.n: int } }
      - { id: b, type: source, plugin: builtin:generator, settings: { recordCount: ${b}, operations: create, format.options.n: int } }
      - { id: out, type: destination, plugin: builtin:log, settings: { message: out } }
`;
    const dir = await workDir(yaml(20, 35));
    const bySource = (r: Run, s: string) =>
      logged(r)
        .filter((x) => x.metadata['conduit.source.connector.id'] === s)
        .map((x) => x.key.id);
    const first = run(dir);
    try {
      await waitFor(() => first.exited() || logged(first).length >= 55, {
        timeout: 30_000,
        description: '55 records logged',
      });
    } finally {
      expect(await first.stop(), first.output()).toBe(0);
    }
    expect(bySource(first, 'fan:a')).toEqual([...Array(20).keys()].map((i) => i + 1));
    expect(bySource(first, 'fan:b')).toEqual([...Array(35).keys()].map((i) => i + 1));
    const state = await savedState(dir, 'fan');
    expect(seqOf(state.positions!['fan:a']!)).toBe(20);
    expect(seqOf(state.positions!['fan:b']!)).toBe(35);

    await writeFile(join(dir, 'p.yaml'), yaml(25, 40));
    const second = run(dir);
    try {
      await waitFor(() => second.exited() || logged(second).length >= 10, {
        timeout: 30_000,
        description: '10 more records logged',
      });
      await new Promise((res) => setTimeout(res, 500));
    } finally {
      expect(await second.stop(), second.output()).toBe(0);
    }
    expect(bySource(second, 'fan:a')).toEqual([21, 22, 23, 24, 25]);
    expect(bySource(second, 'fan:b')).toEqual([36, 37, 38, 39, 40]);
  });

  it('generator → processors → Kafka: the topic holds every kept record and every part of a split one, in order', async () => {
    const brokers = inject('kafkaBrokers').join(',');
    const topic = `processors-${Date.now()}`;
    const dir = await workDir(`version: "2.2"
pipelines:
  - id: tok
    connectors:
      - { id: src, type: source, plugin: builtin:generator, settings: { recordCount: 300, operations: create, format.options.name: string } }
      - id: kafka
        type: destination
        plugin: builtin:kafka
        settings: { servers: "${brokers}", topic: "${topic}" }
        processors:
          - { id: mask, plugin: mask-processor, workers: 2, settings: { field: name } }
`);
    const r = run(dir, ['--batch-size', '64']);
    const want = [...Array(300).keys()]
      .map((i) => i + 1)
      .filter((id) => id % 3 !== 0)
      .flatMap((id) => (id % 5 === 0 ? [id, id] : [id]));
    // Everything acked first (the last source record's position saved), then read back.
    const acked = async () => {
      const state = await savedState(dir, 'tok').catch(() => undefined);
      return (
        state?.positions?.['tok:src'] !== undefined && seqOf(state.positions['tok:src']) === 300
      );
    };
    try {
      await waitFor(async () => r.exited() || (await acked()), {
        timeout: 60_000,
        description: 'the 300th source record acked',
      });
    } finally {
      expect(await r.stop(), r.output()).toBe(0);
    }
    const side = kafka.source!;
    const src = side.create(
      side.config.parse({
        servers: brokers,
        topics: topic,
        readFromBeginning: 'true',
        valueFormat: 'opencdc',
      }),
      { connectorId: `t-${topic}`, logger: quiet },
    );
    await src.open(undefined);
    const got: OpenCDCRecord[] = [];
    try {
      await waitFor(
        async () => {
          got.push(...(await src.read(500, AbortSignal.timeout(1_000))));
          return got.length >= want.length;
        },
        { timeout: 30_000, description: `${want.length} records in ${topic}` },
      );
    } finally {
      await src.teardown();
    }
    expect(got.map((x) => (x.key as { id: number }).id)).toEqual(want);
    // `workers: 2`: the package ran in worker threads, loaded from where the pipeline found it.
    const threads = new Set(got.map((x) => (x.payload.after as { thread: number }).thread));
    expect(threads.has(0)).toBe(false);
  });
});
