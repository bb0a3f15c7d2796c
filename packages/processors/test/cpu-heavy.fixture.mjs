// A CPU-heavy TypeScript-style processor loaded by module, for the workers test and the bench:
// hashes each record's payload `rounds` times and tags the record with the thread it ran on.
import { createHash } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { Metadata } from '@opencdc-ts/commons';
import { defineConfig, defineProcessor, param } from '@opencdc-ts/sdk';

export default defineProcessor({
  name: 'test.cpu-heavy',
  summary: 'Hashes records many times.',
  description: 'A CPU-bound processor for tests and benchmarks.',
  version: '1.0.0',
  author: 'opencdc-ts',
  config: defineConfig({ rounds: param.int({ default: 200 }) }),
  create(config) {
    return {
      process(records) {
        return records.map((r) => {
          // Lets the workers test kill a worker thread in the middle of a batch.
          if (r.metadata.get('exit') === 'now') process.exit(3);
          let h = JSON.stringify(r.payload.after);
          for (let i = 0; i < config.rounds; i++) h = createHash('sha256').update(h).digest('hex');
          const metadata = new Metadata(r.metadata);
          metadata.set('hash', h);
          metadata.set('thread', String(threadId));
          return { ...r, metadata };
        });
      },
    };
  },
});
