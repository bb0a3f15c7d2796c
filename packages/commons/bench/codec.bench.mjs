// Records/s and MB/s for OpenCDC JSON and protobuf, encode and decode, of a typical ~1 KB
// structured record (a CDC row of a `customers` table). Runs the built package (dist/), one
// thread: `pnpm --filter @opencdc-ts/commons bench` (BENCH_SECONDS=n to change the duration).
import {
  createRecord,
  fromOpenCDCJSON,
  fromProto,
  Metadata,
  toOpenCDCJSON,
  toProto,
} from '../dist/index.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 1.5);

const record = createRecord({
  position: new TextEncoder().encode('{"type":2,"lsn":"0/16B6C50","table":"customers"}'),
  metadata: new Metadata()
    .setOpenCDCVersion()
    .setCollection('customers')
    .setReadAt(1713950000123456789n)
    .setCreatedAt(1713950000000000000n)
    .setConduitSourceConnectorId('pipeline:pg-source')
    .setConduitSourcePluginName('builtin:postgres')
    .setConduitSourcePluginVersion('v0.1.0'),
  key: { id: 1234567 },
  after: {
    id: 1234567,
    first_name: 'Annabelle',
    last_name: "O'Reilly-Smith",
    email: 'annabelle.oreilly-smith@example.com',
    phone: '+1-555-0100-2233',
    active: true,
    verified: false,
    balance: 10432.75,
    credit_limit: 25000,
    loyalty_points: 88123,
    signup_source: 'mobile-app',
    created_at: '2024-04-24T09:13:20.123456Z',
    updated_at: '2024-04-24T10:01:02.654321Z',
    notes: 'Prefers email contact. Asked about the annual plan in March; follow up in Q3.',
    address: {
      street: '1600 Example Parkway, Suite 400',
      city: 'Springfield',
      region: 'IL',
      postal_code: '62701',
      country: 'US',
    },
    tags: ['vip', 'newsletter', 'beta-tester'],
    last_order: { id: 998877, total: 249.99, items: 3, currency: 'USD' },
    deleted_at: null,
  },
});

const json = toOpenCDCJSON(record);
const proto = toProto(record);

function run(name, bytesPerOp, op) {
  let sink = 0;
  const warmEnd = performance.now() + 300;
  while (performance.now() < warmEnd) for (let i = 0; i < 1000; i++) sink ^= op() ? 1 : 0;
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) sink ^= op() ? 1 : 0;
    ops += 1000;
  }
  const elapsed = (performance.now() - start) / 1000;
  const rate = ops / elapsed;
  console.log(
    `${name.padEnd(16)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} records/s ` +
      `${((rate * bytesPerOp) / 1e6).toFixed(1).padStart(7)} MB/s${sink === 2 ? '' : ''}`,
  );
}

console.log(
  `node ${process.version}; record: ${json.length} bytes as OpenCDC JSON, ${proto.length} bytes as protobuf; ${seconds}s per case`,
);
run('json encode', json.length, () => toOpenCDCJSON(record));
// The encoder returns a string built by concatenation; turning it into bytes (what a
// destination does) also flattens it, so that cost is shown too.
run('json encode+utf8', json.length, () => Buffer.from(toOpenCDCJSON(record), 'utf8'));
run('json decode', json.length, () => fromOpenCDCJSON(json));
run('proto encode', proto.length, () => toProto(record));
run('proto decode', proto.length, () => fromProto(proto));
// The native floor on this machine right now: the same JSON text, no OpenCDC rules at all.
const doc = JSON.parse(json);
run('(JSON.stringify)', json.length, () => JSON.stringify(doc));
run('(JSON.parse)', json.length, () => JSON.parse(json));
