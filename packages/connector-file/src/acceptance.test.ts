/**
 * The sdk's acceptance suite against the file connector. Upstream for the source is a file of
 * lines (each expected record's payload is one line; its key, the line number); the
 * destination's file is read back by parsing its OpenCDC JSON lines.
 */
import { mkdirSync } from 'node:fs';
import { appendFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecord, fromOpenCDCJSON, type OpenCDCRecord } from '@opencdc-ts/commons';
import { type AcceptanceContext, runAcceptanceTests } from '@opencdc-ts/sdk/acceptance';
import { connector } from './index.js';

const utf8 = new TextEncoder();

function dirOf(ctx: AcceptanceContext): string {
  const dir = join(tmpdir(), `opencdc-file-${ctx.id}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

runAcceptanceTests({
  connector,
  sourceConfig: (ctx) => ({ path: join(dirOf(ctx), 'in.txt') }),
  destinationConfig: (ctx) => ({ path: join(dirOf(ctx), 'out.txt') }),
  // A line per record, appended as a writer would.
  writeExpectedData: async (ctx, records) => {
    const lines = records.map(
      (r) => `${new TextDecoder().decode(r.payload.after as Uint8Array)}\n`,
    );
    await appendFile(join(dirOf(ctx), 'in.txt'), lines.join(''));
  },
  readFromDestination: async (ctx) => {
    const text = await readFile(join(dirOf(ctx), 'out.txt'), 'utf8').catch(() => '');
    return text === '' ? [] : text.trimEnd().split('\n').map(fromOpenCDCJSON);
  },
  // What the source makes of line i+1 (raw key: the line number; raw payload: the line).
  generateRecord: (_ctx, _collection, i): OpenCDCRecord =>
    createRecord({
      position: utf8.encode(String(i)),
      key: utf8.encode(String(i + 1)),
      after: utf8.encode(JSON.stringify({ id: i, name: `name-${i}` })),
    }),
  cleanup: (ctx) => rm(dirOf(ctx), { recursive: true, force: true }),
  readTimeout: 5_000,
  emptyReadTimeout: 500,
});
