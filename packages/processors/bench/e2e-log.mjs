// The measure, on the whole runtime: `opencdc run` of generator -> builtin:log with and
// without three field processors (field.set, field.rename, field.exclude), alternating, each run
// until N records are acked. Needs the cli built (pnpm --filter @opencdc-ts/cli... build); uses the
// cli's own bench helper (runUntil: wall seconds, CPU seconds of the pipeline process).
// Usage: node bench/e2e-log.mjs [records, default 200000] [pairs, default 2]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUntil } from '../../cli/bench/pipeline-process.mjs';

const N = Number(process.argv[2] ?? 200_000);
const PAIRS = Number(process.argv[3] ?? 2);
const PROCESSORS = `    processors:
      - id: set
        plugin: field.set
        settings: { field: .Metadata.env, value: prod }
      - id: rename
        plugin: field.rename
        settings: { mapping: ".Payload.After.b:name" }
      - id: exclude
        plugin: field.exclude
        settings: { fields: .Payload.After.d }
`;
const pipeline = (withProcessors) => `version: "2.2"
pipelines:
  - id: p
    status: running
    connectors:
      - id: gen
        type: source
        plugin: builtin:generator
        settings:
          recordCount: "${N}"
          operations: create,update,delete
          format.type: structured
          format.options.a: int
          format.options.b: string
          format.options.c: time
          format.options.d: bool
          format.options.e: duration
      - id: log
        type: destination
        plugin: builtin:log
${withProcessors ? PROCESSORS : ''}`;

console.log(`generator -> log, ${N} records per run, Node ${process.version}`);
for (let i = 0; i < PAIRS * 2; i++) {
  const withProcessors = i % 2 === 1;
  const dir = await mkdtemp(join(tmpdir(), 'opencdc-processors-e2e-'));
  await writeFile(join(dir, 'pipeline.yaml'), pipeline(withProcessors));
  const r = await runUntil(dir, 'pipeline.yaml', {}, N);
  await rm(dir, { recursive: true, force: true });
  const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(8);
  console.log(
    `${(withProcessors ? '3 field processors' : 'no processors').padEnd(20)} ${fmt(N / r.cpuSeconds)} rec/s per CPU-s | ${fmt(N / r.seconds)} rec/s wall`,
  );
}
