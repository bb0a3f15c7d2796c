// A minimal "runtime" in a child process for the SIGKILL tests: reads records, prints them as
// JSON lines, waits for the parent to store them ("ok" on stdin), then acks.
import { createInterface } from 'node:readline';
import { MetadataKeys } from '@opencdc-ts/commons';
import { sourceSide } from '../dist/source/index.js';

const settings = JSON.parse(process.env.SOURCE_SETTINGS);
const position = process.env.SOURCE_POSITION
  ? Buffer.from(process.env.SOURCE_POSITION, 'base64')
  : undefined;
const logger = {
  debug() {},
  info() {},
  warn() {},
  error: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
};
const source = sourceSide.create(sourceSide.config.parse(settings), {
  connectorId: 'child',
  logger,
});
await source.open(position);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
for (;;) {
  const batch = await source.read(500, new AbortController().signal);
  let out = '';
  for (const r of batch)
    out += `${JSON.stringify({ c: r.metadata.get(MetadataKeys.collection), op: r.operation, id: r.key?.id, pos: Buffer.from(r.position).toString('base64') })}\n`;
  process.stdout.write(`${out}END\n`);
  await lines.next();
  await source.ack([batch[batch.length - 1].position]);
}
