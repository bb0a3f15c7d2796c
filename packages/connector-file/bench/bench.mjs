// Throughput of the file connector through its API, no runtime: the source reads N lines of
// ~110 bytes in reads of BATCH records, then the destination appends those records
// (opencdc/json, one fdatasync per write). Run: pnpm --filter @opencdc-ts/connector-file bench
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connector } from '../dist/index.js';

const N = Number(process.env.N ?? 500_000);
const BATCH = Number(process.env.BATCH ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'connector-file-bench-'));
const input = join(dir, 'bench.in');
const output = join(dir, 'bench.out');
const parts = [];
for (let i = 0; i < N; i++)
  parts.push(`{"id":${i},"name":"name-${i}","pad":"${'x'.repeat(60)}"}\n`);
const text = parts.join('');
writeFileSync(input, text);

const ctx = { connectorId: 'bench', logger: { debug() {}, info() {}, warn() {}, error() {} } };
const src = connector.source;
const dst = connector.destination;
const source = src.create(src.config.parse({ path: input }), ctx);
const destination = dst.create(dst.config.parse({ path: output }), ctx);
try {
  await source.open(undefined);
  await destination.open();
  let t = performance.now();
  const batches = [];
  for (let n = 0; n < N; ) {
    const b = await source.read(BATCH, AbortSignal.timeout(10_000));
    batches.push(b);
    n += b.length;
  }
  const read = performance.now() - t;
  t = performance.now();
  for (const b of batches) await destination.write(b);
  const write = performance.now() - t;
  const mb = (Buffer.byteLength(text) / 1e6).toFixed(0);
  console.log(
    `source: ${N} lines (${mb} MB) in ${read.toFixed(0)} ms = ${Math.round((N / read) * 1000)} records/s`,
  );
  console.log(
    `destination: ${N} records in writes of ${BATCH} in ${write.toFixed(0)} ms = ${Math.round((N / write) * 1000)} records/s`,
  );
} finally {
  await source.teardown();
  await destination.teardown();
  rmSync(dir, { recursive: true, force: true });
}
