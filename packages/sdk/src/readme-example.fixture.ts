// The "connector in 50 lines" from the README (kept identical; tested in readme-example.test.ts).
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  compileRouter,
  type Destination,
  defineConfig,
  defineConnector,
  param,
  RecordError,
} from './index.js';

const destinationConfig = defineConfig({
  dir: param.string({ required: true, description: 'Directory the files are written to.' }),
  file: param.string({
    description: 'File name template (without `.jsonl`); default: the record collection.',
  }),
});

export const connector = defineConnector({
  name: 'jsonl',
  summary: 'Writes records as JSON lines, one file per collection.',
  description: 'Each record becomes one line {"key":...,"after":...} in <dir>/<route>.jsonl.',
  version: '0.1.0',
  author: 'you',
  features: { destination: { multipleCollections: true } },
  destination: {
    config: destinationConfig,
    create(config): Destination {
      const router = compileRouter({
        parameter: 'file',
        template: config.file, // compiled once; undefined → the record's collection
        validateName: (n) => (/^[\w.-]+$/.test(n) ? undefined : 'use letters, digits, . _ -'),
      });
      return {
        async open() {
          await mkdir(config.dir, { recursive: true });
        },
        async write(records) {
          for (const [i, r] of records.entries()) {
            let name: string;
            try {
              name = router.route(r);
            } catch (e) {
              throw new RecordError(`cannot route: ${(e as Error).message}`, i, { cause: e });
            }
            const line = `${JSON.stringify({ key: r.key, after: r.payload.after })}\n`;
            await appendFile(join(config.dir, `${name}.jsonl`), line);
          }
        },
        async teardown() {},
      };
    },
  },
});
export default connector;
