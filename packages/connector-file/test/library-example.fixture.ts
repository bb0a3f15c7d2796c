// The "Library use" example of README.md, quoted there verbatim (from the first import on) and
// run by file-to-file.test.ts.
import { connector } from '@opencdc-ts/connector-file';

const logger = { debug() {}, info() {}, warn: console.warn, error: console.error };
const ctx = (connectorId: string) => ({ connectorId, logger });

/**
 * Copies `count` lines of `input` to `output` as OpenCDC JSON records. `after`: the position
 * of the last record copied before (kept by the caller); returns the position to keep now.
 */
export async function copyLines(input: string, output: string, count: number, after?: Uint8Array) {
  // Settings are strings, as in a pipeline file: parse validates them and fills the defaults.
  const src = connector.source!;
  const dst = connector.destination!;
  const source = src.create(src.config.parse({ path: input }), ctx('copy:source'));
  const destination = dst.create(dst.config.parse({ path: output }), ctx('copy:destination'));
  await source.open(after); // continues with the line after `after`
  await destination.open(); // creates `output` when missing, else appends to it
  let position = after;
  try {
    for (let copied = 0; copied < count; ) {
      // Waits for lines (also lines appended later) until the signal aborts.
      const batch = await source.read(count - copied, AbortSignal.timeout(30_000));
      await destination.write(batch); // on disk (fdatasync) once it resolves
      position = batch[batch.length - 1]!.position;
      await source.ack(batch.map((r) => r.position));
      copied += batch.length;
    }
  } finally {
    await source.teardown();
    await destination.teardown();
  }
  return position;
}
