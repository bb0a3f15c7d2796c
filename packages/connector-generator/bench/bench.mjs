// Throughput of the generator into a no-op sink: records/s, and MB/s of the records as OpenCDC
// JSON (measured on a sample after the timed loop, so serializing does not slow it).
// Usage: node bench/bench.mjs [seconds per case, default 3] [batch size, default 2048]
// (after `tsc -b`). Each case runs in its own process. Prints records/s per CPU second
// (user+system of that process: the fair "one core" figure when other processes share the
// machine) and per wall second.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { toOpenCDCJSON } from '@opencdc-ts/commons';
import { GeneratorSource, parseConfig } from '../dist/index.js';

const seconds = Number(process.argv[2] ?? 3);
const batch = Number(process.argv[3] ?? 2048);
const BUILTIN = { a: 'int', b: 'string', c: 'time', d: 'bool', e: 'duration' };
const FAKER = {
  a: 'person.fullName',
  b: 'internet.email',
  c: 'string.uuid',
  d: 'commerce.price',
  e: 'location.city',
};

const CASES = [
  ['built-in types, structured', 'structured', BUILTIN, false],
  ['built-in types, raw', 'raw', BUILTIN, false],
  ['faker types, structured', 'structured', FAKER, false],
  ['faker types, raw', 'raw', FAKER, false],
  // Records that outlive a garbage collection early make V8 pretenure their allocation sites
  // (allocate them in the old generation): slower. Shown so the figure is not only best-case.
  ['built-in, structured, pretenured', 'structured', BUILTIN, true],
];

function settings(format, fields) {
  const s = { seed: '1', operations: 'create,update,delete' };
  for (const coll of ['users', 'orders', 'events']) {
    s[`collections.${coll}.format.type`] = format;
    for (const [f, t] of Object.entries(fields)) s[`collections.${coll}.format.options.${f}`] = t;
  }
  return s;
}

const encoder = new TextEncoder();
const jsonBytes = (r) => encoder.encode(toOpenCDCJSON(r)).length;

async function run([name, format, fields, pretenure]) {
  const source = new GeneratorSource(parseConfig(settings(format, fields)));
  await source.open(undefined);
  const signal = new AbortController().signal;
  if (pretenure) {
    // Keep 20 batches alive across several scavenges, as a stalled first write would.
    const kept = [];
    for (let i = 0; i < 20; i++) kept.push(await source.read(batch, signal));
    for (let i = 0; i < 20; i++) encoder.encode(JSON.stringify(kept.map((b) => b.length)));
    globalThis.gc?.();
    kept.length = 0;
  }
  for (let i = 0; i < 50; i++) await source.read(batch, signal); // warm-up
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) n += (await source.read(batch, signal)).length;
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const sample = await source.read(2000, signal);
  const bytesPerRecord = sample.reduce((s, r) => s + jsonBytes(r), 0) / sample.length;
  await source.teardown();
  const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(9);
  console.log(
    `${name.padEnd(33)} ${fmt(n / cpu)} rec/s per CPU-s ${(((n / cpu) * bytesPerRecord) / 1e6).toFixed(1).padStart(6)} MB/s | ${fmt(n / wall)} rec/s wall | ${bytesPerRecord.toFixed(0)} B/record as OpenCDC JSON`,
  );
}

const only = process.env.GENERATOR_BENCH_CASE;
if (only !== undefined) {
  await run(CASES[Number(only)]);
} else {
  console.log(
    `generator: 3 collections x 5 fields, operations create,update,delete, seeded, batches of ${batch}, ${seconds}s per case, Node ${process.version}`,
  );
  for (let i = 0; i < CASES.length; i++) {
    const args = [
      ...(CASES[i][3] ? ['--expose-gc'] : []),
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ];
    execFileSync(process.execPath, args, {
      stdio: 'inherit',
      env: { ...process.env, GENERATOR_BENCH_CASE: String(i) },
    });
  }
}
