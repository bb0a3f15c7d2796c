// Throughput of the generator into a no-op sink: records/s and MB/s of payload JSON.
// Usage: node bench/bench.mjs [seconds per case, default 3]  (after `tsc -b`)
import { GeneratorSource, parseConfig } from '../dist/index.js';

const seconds = Number(process.argv[2] ?? 3);
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
/** Bytes of the payload as JSON (raw payloads are JSON bytes already). */
function payloadBytes(r) {
  let n = 0;
  for (const d of [r.payload.before, r.payload.after]) {
    if (d instanceof Uint8Array) n += d.length;
    else if (d) n += encoder.encode(JSON.stringify(d)).length;
  }
  return n;
}

async function run(name, config) {
  const source = new GeneratorSource(parseConfig(config));
  await source.open(undefined);
  const signal = new AbortController().signal;
  // Payload size from a sample, so measuring it does not slow the measured loop.
  const sample = await source.read(2000, signal);
  const bytesPerRecord = sample.reduce((s, r) => s + payloadBytes(r), 0) / sample.length;
  for (let i = 0; i < 20; i++) await source.read(10_000, signal); // warm-up
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) n += (await source.read(10_000, signal)).length;
  const s = (performance.now() - t0) / 1000;
  await source.teardown();
  const rps = n / s;
  console.log(
    `${name.padEnd(34)} ${Math.round(rps).toLocaleString('en-US').padStart(10)} records/s  ${((rps * bytesPerRecord) / 1e6).toFixed(1).padStart(6)} MB/s payload JSON  (${bytesPerRecord.toFixed(0)} B/record)`,
  );
}

console.log(
  `generator: 3 collections x 5 fields, operations create,update,delete, seeded, batches of 10,000, ${seconds}s per case, Node ${process.version}`,
);
await run('built-in types, structured', settings('structured', BUILTIN));
await run('built-in types, raw', settings('raw', BUILTIN));
await run('faker types, structured', settings('structured', FAKER));
await run('faker types, raw', settings('raw', FAKER));
