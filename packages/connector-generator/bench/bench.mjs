// Throughput of the generator into a no-op sink: records/s, and MB/s of the records as OpenCDC
// JSON (measured on a sample, so serializing does not slow the measured loop).
// Usage: node bench/bench.mjs [seconds per case, default 3] [batch size, default 2048]
// (after `tsc -b`). Prints records/s per wall second and per CPU second (user+system of this
// process: the fair "one core" figure when other processes share the machine).
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

async function run(name, config) {
  const source = new GeneratorSource(parseConfig(config));
  await source.open(undefined);
  const signal = new AbortController().signal;
  // Payload size from a sample, so measuring it does not slow the measured loop.
  const sample = await source.read(2000, signal);
  const bytesPerRecord = sample.reduce((s, r) => s + jsonBytes(r), 0) / sample.length;
  for (let i = 0; i < 50; i++) await source.read(batch, signal); // warm-up
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) n += (await source.read(batch, signal)).length;
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  await source.teardown();
  const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(9);
  console.log(
    `${name.padEnd(28)} ${fmt(n / cpu)} rec/s per CPU-s ${(((n / cpu) * bytesPerRecord) / 1e6).toFixed(1).padStart(6)} MB/s | ${fmt(n / wall)} rec/s wall | ${bytesPerRecord.toFixed(0)} B/record as OpenCDC JSON`,
  );
}

console.log(
  `generator: 3 collections x 5 fields, operations create,update,delete, seeded, batches of ${batch}, ${seconds}s per case, Node ${process.version}`,
);
await run('built-in types, structured', settings('structured', BUILTIN));
await run('built-in types, raw', settings('raw', BUILTIN));
await run('faker types, structured', settings('structured', FAKER));
await run('faker types, raw', settings('raw', FAKER));
