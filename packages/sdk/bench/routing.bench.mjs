// Routing throughput (routes/s) for static, default and field-based templates.
// Run: pnpm --filter @opencdc-ts/sdk bench   (builds, then runs against dist/)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Metadata } from '@opencdc-ts/commons';
import { compileRouter } from '../dist/index.js';

// A name rule of the kind connectors pass (this one is Kafka's, from connector-kafka's
// `topic-name.ts`; the sdk itself knows no particular system).
const TOPIC = /^[a-zA-Z0-9._-]+$/;
function kafkaTopicName(name) {
  if (name === '.' || name === '..') return 'reserved';
  if (name.length > 249) return 'too long';
  return TOPIC.test(name) ? undefined : 'illegal characters';
}

const N = Number(process.env.BENCH_ROUTES ?? 2_000_000);
const enc = new TextEncoder();
const records = Array.from({ length: 1000 }, (_, i) => ({
  position: enc.encode(String(i)),
  operation: 'create',
  metadata: new Metadata([['opencdc.collection', `orders_${i % 10}`]]),
  key: { id: i },
  payload: { before: null, after: { id: i, region: ['EU', 'US', 'APAC'][i % 3], total: i * 1.5 } },
}));

const cases = [
  ['static', 'orders'],
  ['default (empty)', undefined],
  ['default written out', '{{ index .Metadata "opencdc.collection" }}'],
  ['mustache metadata', '{{metadata.opencdc.collection}}'],
  ['field', '{{ .Payload.After.region }}'],
  ['field + pipe + literal', 'orders_{{ .Payload.After.region | lower }}'],
];

function run(router) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += router.route(records[i % 1000]).length;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === 0) throw new Error('unreachable');
  return N / s;
}

// Each case runs in its own process: a connector has one router, so its call sites stay
// monomorphic; running all cases in one process would penalize whichever runs later.
const only = process.argv[2];
if (only === undefined) {
  console.log(
    `node ${process.version}, ${N.toLocaleString('en')} routes per case, validateName: kafkaTopicName`,
  );
  for (const [i] of cases.entries())
    process.stdout.write(
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(i)]),
    );
} else {
  const [name, template] = cases[Number(only)];
  const router = compileRouter({ parameter: 'topic', template, validateName: kafkaTopicName });
  run(router); // warm up
  const rate = Math.max(run(router), run(router));
  const shown = template === undefined ? '(none)' : template;
  console.log(
    `${name.padEnd(24)} ${shown.padEnd(46)} ${(rate / 1e6).toFixed(1).padStart(6)} M routes/s  (${(1e9 / rate).toFixed(0)} ns/route)`,
  );
}
