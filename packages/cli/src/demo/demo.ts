import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { preparePipelines } from '../commands/prepare.js';
import { createRunners, runPipelines } from '../engine/run-pipelines.js';
import { createLogger } from '../log.js';
import { loadPlugin } from '../plugins/resolve.js';
import { logProgress, type Progress, ttyProgress } from '../progress/reporter.js';
import { FileStateStore } from '../state/file-store.js';
import { type Counts, countRows, sourceTables } from './tables.js';
import { startWriter } from './writer.js';

const GEN_COLLECTIONS = ['gen_users', 'gen_orders', 'gen_events'];
const GEN_RECORDS = 3000;
const cdcTables = sourceTables.map((t) => ({ key: t.collection, qualified: t.qualified }));

function pipelineYaml(withPostgresSource: boolean): string {
  const cdc = `
  - id: pg-to-kafka
    connectors:
      - id: pg
        type: source
        plugin: builtin:postgres
        settings:
          url: \${DEMO_SOURCE_URL}
          tables: "*, sales.*"
          logrepl.slotName: demo_slot
          logrepl.publicationName: demo_pub
      - id: kafka
        type: destination
        plugin: builtin:kafka
        settings:
          servers: \${DEMO_KAFKA}
  - id: kafka-to-pg
    connectors:
      - id: kafka
        type: source
        plugin: builtin:kafka
        settings:
          servers: \${DEMO_KAFKA}
          topics: "${sourceTables.map((t) => t.collection).join(',')}"
          readFromBeginning: true
          valueFormat: opencdc
          topicRefreshInterval: 1s
          groupID: opencdc-demo
      - id: pg
        type: destination
        plugin: builtin:postgres
        settings:
          url: \${DEMO_DEST_URL}
          autoCreate: true
`;
  return `version: "2.2"
pipelines:${withPostgresSource ? cdc : ''}
  - id: generator-to-pg
    connectors:
      - id: gen
        type: source
        plugin: builtin:generator
        settings:
          recordCount: ${GEN_RECORDS}
          rate: 1000
          seed: 7
          collections.gen_users.format.options.name: person.fullName
          collections.gen_users.format.options.email: internet.email
          collections.gen_orders.format.options.amount: int
          collections.gen_orders.format.options.note: string
          collections.gen_events.format.options.kind: string
          collections.gen_events.format.options.at: time
      - id: pg
        type: destination
        plugin: builtin:postgres
        settings:
          url: \${DEMO_DEST_URL}
          autoCreate: true
`;
}

export interface DemoOptions {
  seconds: number;
  signal: AbortSignal;
  /** Services to run against (`scripts/demo.sh` starts throwaway ones and passes them). */
  services: {
    /** An empty database for the source tables. */
    sourceUrl?: string | undefined;
    /** An empty database the pipelines write into. */
    destUrl?: string | undefined;
    /** Kafka bootstrap brokers (`host:port,…`); without it only generator → Postgres runs. */
    kafka?: string | undefined;
  };
}

/** How to get the services (printed when `opencdc demo` runs without them). */
export const DEMO_HOWTO = [
  'The demo runs against two empty Postgres databases and a Kafka broker that it is given:',
  '  opencdc demo --source-url postgres://… --dest-url postgres://… --kafka host:port',
  'From a repository checkout, `bash scripts/demo.sh` (or `pnpm demo`) starts throwaway ones',
  '(PostgreSQL and Kafka, from the private testing package), runs the demo and cleans up:',
  '  git clone https://github.com/opencdc-ts/opencdc-ts && cd opencdc-ts && bash scripts/demo.sh',
];

/**
 * The README's first command: Postgres → Kafka → Postgres CDC and generator → Postgres pipelines
 * from a real pipeline file, live changes, then counts compared. It starts no services: the
 * caller (`scripts/demo.sh`, through the testing package) passes their addresses.
 */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const started = Date.now();
  const say = (s: string) => process.stderr.write(`${s}\n`);
  const { sourceUrl, destUrl, kafka } = opts.services;
  if (!sourceUrl || !destUrl) {
    for (const line of DEMO_HOWTO) say(line);
    return 2;
  }
  const pgConnector = (await loadPlugin('builtin:postgres')).connector;
  const withCdc = pgConnector.source !== undefined && Boolean(kafka);
  if (!withCdc)
    say(
      kafka
        ? 'note: this build of @opencdc-ts/connector-postgres has no source yet; running generator → Postgres only'
        : 'note: no --kafka given; running generator → Postgres only',
    );
  const dir = await mkdtemp(join(tmpdir(), 'opencdc-demo-'));
  try {
    const src = new pg.Client({ connectionString: sourceUrl });
    const dst = new pg.Client({ connectionString: destUrl });
    await src.connect();
    await dst.connect();
    try {
      if (withCdc) {
        for (const t of sourceTables) await src.query(t.ddl);
        for (const t of sourceTables) await src.query(t.seed(200));
        say(
          `source tables ${sourceTables.map((t) => t.display).join(', ')} created with 200 rows each`,
        );
      }
      const file = join(dir, 'pipelines.yaml');
      await writeFile(file, pipelineYaml(withCdc));
      say(`pipeline file: ${file}`);
      const env = {
        ...process.env,
        DEMO_SOURCE_URL: sourceUrl,
        DEMO_DEST_URL: destUrl,
        DEMO_KAFKA: kafka ?? '',
      };

      const progress: Progress = process.stderr.isTTY
        ? ttyProgress(process.stderr)
        : logProgress({ write: (l) => say(l) }, false, 2000);
      // Connectors log their retries at warn (normal while topics appear); the demo shows errors only.
      const logger = createLogger({ json: false, level: 'error', sink: progress.sink });
      const store = new FileStateStore(join(dir, 'state'));
      const prepared = await preparePipelines(file, store, env);
      for (const f of prepared.findings) logger.warn(f.message);
      const runners = createRunners(prepared.pipelines, store, logger, { batchSize: 2048 });
      const stop = new AbortController();
      const onOuterStop = () => stop.abort();
      opts.signal.addEventListener('abort', onOuterStop, { once: true });
      // Connector chatter stays at warn; progress lines are always shown.
      progress.start(
        runners.map((r) => r.stats),
        createLogger({ json: false, level: 'info', sink: progress.sink }),
      );
      const keepAlive = setInterval(() => {}, 1 << 30);
      const running = runPipelines(runners, stop.signal, logger);

      let writes = { inserts: 0, updates: 0, deletes: 0 };
      if (withCdc) {
        const writer = startWriter(sourceUrl);
        await sleep(opts.seconds * 1000, opts.signal);
        writes = await writer.stop();
        logger.warn(
          `writer done: ${writes.inserts} inserts, ${writes.updates} updates, ${writes.deletes} deletes; waiting for the destination to catch up`,
        );
      }
      const genRunner = runners.find((r) => r.id === 'generator-to-pg');
      // Converge: wait until both sides agree (or time runs out), then stop the pipelines.
      const deadline = Date.now() + 30_000;
      let left: Counts = {};
      let right: Counts = {};
      while (!opts.signal.aborted) {
        left = withCdc ? await countRows(src, cdcTables) : {};
        for (const c of GEN_COLLECTIONS) left[c] = genRunner?.stats.perCollection.get(c) ?? 0;
        const genDone = GEN_COLLECTIONS.reduce((s, c) => s + (left[c] ?? 0), 0) >= GEN_RECORDS;
        right = await countRows(dst, [
          ...(withCdc ? cdcTables : []),
          ...GEN_COLLECTIONS.map((c) => ({ key: c, qualified: c })),
        ]);
        if (genDone && Object.keys(left).every((k) => left[k] === right[k])) break;
        if (Date.now() > deadline) break;
        await sleep(500, opts.signal);
      }
      stop.abort();
      const result = await running;
      clearInterval(keepAlive);
      progress.stop();
      opts.signal.removeEventListener('abort', onOuterStop);

      say('');
      say('collection              source   destination   match');
      let allMatch = true;
      for (const k of Object.keys(left)) {
        const ok = left[k] === right[k];
        allMatch &&= ok;
        say(
          `${k.padEnd(22)} ${String(left[k]).padStart(7)}   ${String(right[k] ?? 0).padStart(11)}   ${ok ? 'yes' : 'NO'}`,
        );
      }
      say('');
      say(
        `${allMatch && result.failed.length === 0 ? 'all collections match' : 'MISMATCH'} (${((Date.now() - started) / 1000).toFixed(1)} s in all${withCdc ? `; live changes: ${writes.inserts} inserts, ${writes.updates} updates, ${writes.deletes} deletes` : ''})`,
      );
      return allMatch && result.failed.length === 0 ? 0 : 1;
    } finally {
      await src.end().catch(() => {});
      await dst.end().catch(() => {});
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
