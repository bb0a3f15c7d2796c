// Processor costs, after `tsc -b` (run: pnpm --filter @opencdc-ts/processors bench [seconds]).
// Each case runs in its own process; figures are records per CPU second of that process
// (user+system: the fair "one core" figure when other processes share the machine) and per
// wall second.
// 1. generator -> [chain] -> OpenCDC JSON (what the log destination writes), without processors
//    and with three field processors (field.set, field.rename, field.exclude): the chain's cost.
// 2. custom.javascript with a one-line script, on its own.
// 3. a CPU-heavy TypeScript processor loaded by module, workers: 1 vs workers: 2 (CPU-s per
//    wall-s near 2 means both cores work).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { toOpenCDCJSON } from '@opencdc-ts/commons';
import { GeneratorSource, parseConfig } from '@opencdc-ts/connector-generator';
import { builtinProcessors, createChain } from '../dist/index.js';
import heavy from '../test/cpu-heavy.fixture.mjs';

const seconds = Number(process.argv[2] ?? 2);
const batch = 1024;
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const b = (name) => builtinProcessors.get(name);

const FIELDS = [
  { id: 'set', processor: b('field.set'), settings: { field: '.Metadata.env', value: 'prod' } },
  { id: 'rename', processor: b('field.rename'), settings: { mapping: '.Payload.After.b:name' } },
  { id: 'exclude', processor: b('field.exclude'), settings: { fields: '.Payload.After.d' } },
];
const JS = [
  {
    id: 'js',
    processor: b('custom.javascript'),
    settings: { script: 'function process(r) { r.Metadata.seen = "1"; return r; }' },
  },
];
const heavyModule = { specifier: new URL('../test/cpu-heavy.fixture.mjs', import.meta.url).href };
const HEAVY = (workers) => [
  {
    id: 'heavy',
    processor: heavy,
    settings: { rounds: '200' },
    workers,
    ...(workers > 1 ? { module: heavyModule } : {}),
  },
];

const CASES = [
  ['generator -> JSON, no processors', [], true],
  ['generator -> 3 field processors -> JSON', FIELDS, true],
  ['custom.javascript one-line script', JS, false],
  ['CPU-heavy TS processor, workers: 1', HEAVY(1), false],
  ['CPU-heavy TS processor, workers: 2', HEAVY(2), false],
];

const generatorSettings = {
  seed: '1',
  operations: 'create,update,delete',
  'format.type': 'structured',
  'format.options.a': 'int',
  'format.options.b': 'string',
  'format.options.c': 'time',
  'format.options.d': 'bool',
  'format.options.e': 'duration',
};

async function run([name, steps, withSink]) {
  const source = new GeneratorSource(parseConfig(generatorSettings));
  await source.open(undefined);
  const signal = new AbortController().signal;
  const chain = steps.length > 0 ? await createChain(steps, { logger }) : undefined;
  // Without the generator and the sink, the records are read once and processed again and again.
  const fixed = withSink ? undefined : await source.read(batch, signal);
  let bytes = 0;
  const once = async () => {
    const records = fixed ?? (await source.read(batch, signal));
    const out = chain ? await chain.process(records) : records;
    if (withSink) for (const r of out) if ('position' in r) bytes += toOpenCDCJSON(r).length;
    return records.length;
  };
  for (let i = 0; i < 30; i++) await once(); // warm-up
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) n += await once();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  await chain?.teardown();
  await source.teardown();
  const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(10);
  console.log(
    `${name.padEnd(40)} ${fmt(n / cpu)} rec/s per CPU-s | ${fmt(n / wall)} rec/s wall | ${(cpu / wall).toFixed(2)} CPU-s per wall-s${bytes < 0 ? '' : ''}`,
  );
}

const only = process.env.PROCESSORS_BENCH_CASE;
if (only !== undefined) {
  await run(CASES[Number(only)]);
  process.exit(0);
} else {
  console.log(`processors: batches of ${batch}, ${seconds}s per case, Node ${process.version}`);
  // PROCESSORS_BENCH_CASES=0,1 runs only those cases.
  const pick = process.env.PROCESSORS_BENCH_CASES?.split(',').map(Number);
  for (let i = 0; i < CASES.length; i++)
    if (!pick || pick.includes(i))
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
        stdio: 'inherit',
        env: { ...process.env, PROCESSORS_BENCH_CASE: String(i) },
      });
}
