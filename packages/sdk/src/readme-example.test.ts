import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecord } from '@opencdc-ts/commons';
import { type AcceptanceContext, runAcceptanceTests } from './acceptance/index.js';
import { connector } from './readme-example.fixture.js';

const dirOf = (ctx: AcceptanceContext) => join(tmpdir(), `opencdc-sdk-${ctx.id}`);

// The README's 50-line connector passes the suite (as its README section shows how to run it).
runAcceptanceTests({
  connector,
  destinationConfig: (ctx) => ({ dir: dirOf(ctx) }),
  readFromDestination: async (ctx) => {
    const out = [];
    for (const collection of ctx.collections) {
      let text = '';
      try {
        text = await readFile(join(dirOf(ctx), `${collection}.jsonl`), 'utf8');
      } catch {
        continue; // nothing was written there
      }
      for (const [i, line] of text.trim().split('\n').entries()) {
        const { key, after } = JSON.parse(line);
        const position = new TextEncoder().encode(String(i));
        out.push(
          createRecord({ position, metadata: { 'opencdc.collection': collection }, key, after }),
        );
      }
    }
    return out;
  },
  cleanup: (ctx) => rm(dirOf(ctx), { recursive: true, force: true }),
});
