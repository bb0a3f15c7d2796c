// A file → file pipeline in a process of its own, for the kill test (file-to-file.test.ts):
// copies <input> to <output> forever, saving the position of each written batch in
// <positionFile> (atomically, then acking), and resumes from that file when started again.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { connector } from '@opencdc-ts/connector-file';

const [input, output, positionFile] = process.argv.slice(2);
const logger = { debug() {}, info() {}, warn() {}, error: console.error };

function savePosition(position) {
  const tmp = `${positionFile}.tmp`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, position);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, positionFile);
}

let after;
try {
  after = new Uint8Array(readFileSync(positionFile));
} catch {
  after = undefined; // first start: from the beginning of the file
}

const src = connector.source;
const dst = connector.destination;
const source = src.create(src.config.parse({ path: input }), { connectorId: 'kill:src', logger });
const destination = dst.create(dst.config.parse({ path: output }), {
  connectorId: 'kill:dst',
  logger,
});
await source.open(after);
await destination.open();
const never = new AbortController().signal;
for (;;) {
  // Small batches, so a kill often falls between a write and the saved position.
  const batch = await source.read(7, never);
  await destination.write(batch);
  savePosition(batch[batch.length - 1].position);
  await source.ack(batch.map((r) => r.position));
}
