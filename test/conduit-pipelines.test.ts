// Every pipeline file of ../shared/conduit-pipelines/ (verbatim copies of Conduit's examples,
// templates, documentation pages and connector READMEs; origins in its SOURCES.md) through
// `opencdc validate`, and the runnable ones through a short `opencdc run`. Only addresses are
// substituted (Postgres URLs, Kafka brokers, absolute output paths; Kafka topic names get a
// unique suffix so runs do not share topics). The expectation of every file is written out below.
//
// A valid file whose missing piece (the file connector, a generator parameter…) has not landed
// yet is skipped, the skip naming the piece; it runs as soon as the piece is there (probes below).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, withPgClient } from '@opencdc-ts/testing';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { validateCommand } from '../packages/cli/src/commands/validate.js';
import { loadPlugin } from '../packages/cli/src/plugins/resolve.js';

const dir = fileURLToPath(new URL('../../shared/conduit-pipelines/', import.meta.url));
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

/** A piece this repository is still getting, and how to tell it is there. */
type Need = 'file connector' | 'generator readTime' | 'generator format.options as one string';

const sourceParams = async (plugin: string) =>
  loadPlugin(plugin).then(
    (p) => p.connector.specification.sourceParams,
    () => ({}),
  );
const probes: { [n in Need]: () => Promise<boolean> } = {
  'file connector': () =>
    loadPlugin('builtin:file').then(
      () => true,
      () => false,
    ),
  'generator readTime': async () => 'readTime' in (await sourceParams('builtin:generator')),
  'generator format.options as one string': async () =>
    'format.options' in (await sourceParams('builtin:generator')),
};

/** What a run needs besides the pipeline: tables, input files, changes made while it runs. */
type Runtime = 'generator' | 'file input' | 'postgres' | 'dead letters' | 'kafka input';

type Expectation =
  | { valid: true; needs?: Need[]; run?: Runtime[]; runTodo?: string }
  | { valid: false; errors: RegExp[]; why: string };

/**
 * Conduit-valid files that run here (SOURCES.md's 26 less A08, A17 and A19: see their entries)
 * and every other file with the error it must get.
 */
const expectations: { [file: string]: Expectation } = {
  'A01-file-to-file': { valid: true, needs: ['file connector'], run: ['file input'] },
  'A02-javascript-processor': { valid: true, needs: ['file connector'], run: ['file input'] },
  'A03-multiple-destinations': { valid: true, needs: ['file connector'], run: ['generator'] },
  'A04-multiple-sources-with-processor': {
    valid: true,
    needs: ['file connector'],
    run: ['generator'],
  },
  'A05-pipeline-with-dlq': {
    valid: true,
    needs: ['file connector'],
    // Its one record fails field.convert (a name is no float) and goes to the dead-letter file.
    run: ['generator', 'dead letters'],
  },
  'A06-source-processor': { valid: true, needs: ['file connector'], run: ['generator'] },
  'A07-standalone-connector': {
    valid: false,
    why: 'standalone plugins (Conduit binaries) do not run here',
    errors: [/A07-standalone-connector\.yaml:14:17: plugin "standalone:chaos" is not available/],
  },
  'A08-extract-field-transform-v2.0': {
    valid: false,
    why: 'SOURCES.md counts it as runnable, but no Conduit has had an "extractfieldpayload" processor since the processor redesign (pkg/plugin/processor/builtin/registry.go @ bb6ce44): Conduit refuses it too',
    errors: [/A08-extract-field-transform-v2\.0\.yaml:20:9: .*"extractfieldpayload"/],
  },
  'A09-tmpl-generator-file': { valid: true, needs: ['file connector'], run: ['generator'] },
  'A10-tmpl-generator-log': { valid: true, run: ['generator'] },
  'A11-tmpl-postgres-cdc-kafka': { valid: true, run: ['postgres'] },
  'A12-tmpl-postgres-s3': {
    valid: false,
    why: 'no S3 connector here',
    errors: [/A12-tmpl-postgres-s3\.yaml:28:17: plugin "builtin:s3" is not available/],
  },
  'A13-tmpl-postgres-pgvector-rag': {
    valid: false,
    why: 'standalone connector and AI processors',
    errors: [
      /A13-tmpl-postgres-pgvector-rag\.yaml:44:17: plugin "standalone:pgvector" is not available/,
      /A13-tmpl-postgres-pgvector-rag\.yaml:81:9: .*"standalone:ai\.chunk"/,
    ],
  },
  'A14-benchi-archv2-parity': { valid: true, needs: ['file connector'], run: ['generator'] },
  'A15-benchi-archv2-nxm-batched': { valid: true, needs: ['file connector'], run: ['generator'] },
  'A16-benchi-ack-hot-path': { valid: true, run: ['generator'] },
  'A17-generate-pg-cdc-kafka-filtered-good': {
    valid: false,
    why: 'SOURCES.md counts it as runnable, but Conduit\'s "filter" processor has no parameters and Conduit refuses an unknown one (conduit-commons config.Validate: ErrUnrecognizedParameter)',
    errors: [/A17-generate-pg-cdc-kafka-filtered-good\.yaml:20:13: .*parameter "expression"/],
  },
  'A18-validate-testdata-valid': {
    valid: false,
    why: 'a generator needs a format (Conduit: format.type is required)',
    errors: [
      /A18-validate-testdata-valid\.yaml:8:9: connector "valid-pipeline:src" \(builtin:generator\): .*format/,
    ],
  },
  'A19-provisioning-test-pipelines1': {
    valid: false,
    why: 'SOURCES.md counts it as runnable, but Conduit has no processor "js" (a provisioning test fixture; Conduit refuses it at pipeline creation)',
    errors: [/A19-provisioning-test-pipelines1\.yaml:23:13: .*"js"/],
  },
  'B01-site-getting-started': { valid: true, run: ['generator'] },
  'B02-site-configuration-file': {
    valid: true,
    needs: ['file connector'],
    // As in Conduit: field.set on .Payload.After.key needs structured data, file lines are raw.
    runTodo:
      'every record is dead-lettered (field.set needs a structured payload; the file source reads raw lines), so nothing is written',
  },
  'B03-site-file-source-params': {
    valid: false,
    why: 'source only',
    errors: [noDestination('B03-site-file-source-params')],
  },
  'B04-site-file-dest-params': {
    valid: false,
    why: 'destination only',
    errors: [noSource('B04-site-file-dest-params')],
  },
  'B05-site-generator-example1': {
    valid: false,
    why: 'source only',
    errors: [noDestination('B05-site-generator-example1')],
  },
  'B06-site-generator-collections': {
    valid: false,
    why: 'source only',
    errors: [noDestination('B06-site-generator-collections')],
  },
  'B07-site-generator-all-params': {
    valid: false,
    why: 'source only',
    errors: [noDestination('B07-site-generator-all-params')],
  },
  'B08-site-kafka-source-params': {
    valid: false,
    why: 'source only',
    errors: [noDestination('B08-site-kafka-source-params')],
  },
  'B09-site-kafka-dest-params': {
    valid: false,
    why: 'unescaped quotes',
    errors: [badQuotes('B09-site-kafka-dest-params', 69)],
  },
  'B10-site-log-params': {
    valid: false,
    why: 'destination only',
    errors: [noSource('B10-site-log-params')],
  },
  'B11-site-postgres-pg-to-log': { valid: true, run: ['postgres'] },
  'B12-site-postgres-source-params': {
    valid: false,
    why: 'source only',
    errors: [noDestination('B12-site-postgres-source-params')],
  },
  'B13-site-postgres-dest-params': {
    valid: false,
    why: 'unescaped quotes',
    errors: [badQuotes('B13-site-postgres-dest-params', 16)],
  },
  'B14-site-output-format-debezium': {
    valid: true,
    needs: ['file connector', 'generator readTime', 'generator format.options as one string'],
    run: ['generator'],
  },
  'B15-site-output-format-template': {
    valid: true,
    needs: ['file connector', 'generator readTime', 'generator format.options as one string'],
    run: ['generator'],
  },
  // Reads are capped at the burst (2 records), so a stop waits for at most one burst at 8/s.
  'B16-site-rate-limiting': { valid: true, run: ['generator'] },
  'B17-site-schema-extraction': { valid: true, needs: ['file connector'], run: ['generator'] },
  'B18-site-batching-delay': { valid: true, needs: ['file connector'], run: ['generator'] },
  'B19-site-batching-size': { valid: true, needs: ['file connector'], run: ['generator'] },
  'B20-site-dlq-fragment': {
    valid: false,
    why: 'a fragment without connectors',
    errors: [
      /B20-site-dlq-fragment\.yaml:4:5: pipeline dlq-example: "connectors" is empty; add at least one source and one destination/,
    ],
  },
  // JSON records produced into both topics while it runs, written into an "employees" table.
  'B21-site-record-routing-kafka-to-pg': { valid: true, run: ['kafka input'] },
  'B22-site-record-routing-filter': {
    valid: false,
    why: 'a backtick cannot start a YAML value',
    errors: [
      /B22-site-record-routing-filter\.yaml:28:24: invalid YAML: Plain value cannot start with reserved character `; .*single quotes/,
    ],
  },
  'B23-site-ai-summarize-guide': {
    valid: false,
    why: 'an HTTP connector and a hosted model',
    errors: [/B23-site-ai-summarize-guide\.yaml:19:17: plugin "http" is not available/],
  },
  'B24-site-generator-to-log-guide': {
    valid: false,
    why: 'rate is a number of records per second, not a duration',
    errors: [/B24-site-generator-to-log-guide\.yaml:8:9: .*parameter "rate" = "2s"/],
  },
  'C-generator-readme-1': {
    valid: false,
    why: 'source only',
    errors: [noDestination('C-generator-readme-1')],
  },
  'C-generator-readme-2': {
    valid: false,
    why: 'source only',
    errors: [noDestination('C-generator-readme-2')],
  },
  'C-generator-readme-3': {
    valid: false,
    why: 'no type',
    errors: [noType('C-generator-readme-3')],
  },
  'C-kafka-readme-1': { valid: false, why: 'no type', errors: [noType('C-kafka-readme-1')] },
  'C-kafka-readme-2': {
    valid: false,
    why: 'unescaped quotes',
    errors: [badQuotes('C-kafka-readme-2', 82)],
  },
  'C-postgres-readme-1': { valid: true, run: ['postgres'] },
  'C-postgres-readme-2': { valid: false, why: 'no type', errors: [noType('C-postgres-readme-2')] },
  'C-postgres-readme-3': {
    valid: false,
    why: 'unescaped quotes',
    errors: [badQuotes('C-postgres-readme-3', 16)],
  },
};

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
function noDestination(f: string): RegExp {
  return new RegExp(
    `^${esc(f)}\\.yaml:5:5: pipeline example: no destination connector; add a connector with "type: destination"$`,
    'm',
  );
}
function noSource(f: string): RegExp {
  return new RegExp(
    `^${esc(f)}\\.yaml:5:5: pipeline example: no source connector; add a connector with "type: source"$`,
    'm',
  );
}
function noType(f: string): RegExp {
  return new RegExp(
    `^${esc(f)}\\.yaml:6:9: pipeline example: connector "example" is missing "type"; add "type: source" or "type: destination"$`,
    'm',
  );
}
function badQuotes(f: string, line: number): RegExp {
  return new RegExp(
    `^${esc(f)}\\.yaml:${line}:39: invalid YAML: .*; text after a quoted value: quote the whole value with single quotes, or escape inner double quotes as \\\\"$`,
    'm',
  );
}

const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''))
      .sort()
  : [];

const brokers = () => inject('kafkaBrokers').join(',');

/** The variables the files use: B02's documented ${ENV_VAR}, B23's ${POSTGRES_URL}. */
const fileEnv = (pgUrl: string) => ({ POSTGRES_URL: pgUrl, ENV_VAR: 'finance' });

/** The file with only its addresses replaced. */
async function substituted(name: string, target: string, pgUrl: string): Promise<string> {
  const suffix = Math.random().toString(36).slice(2, 8);
  let text = await readFile(join(dir, `${name}.yaml`), 'utf8');
  // A17 names no server at all: the addresses are added, nothing else.
  if (name.startsWith('A17-')) {
    text = text
      .replace('          table: orders', `          url: "${pgUrl}"\n          table: orders`)
      .replace(
        '          topic: orders',
        `          servers: "${brokers()}"\n          topic: orders`,
      );
  }
  return (
    text
      .replace(/postgres(ql)?:\/\/[^\s"']+/g, pgUrl)
      .replace(/localhost:9092/g, brokers())
      // Absolute output files (/tmp/x.txt, /x.txt) go to the test's folder; /dev/null stays.
      .replace(
        /^([ \t]+path:[ \t]*)\/(?:tmp\/)?([\w-]+\.\w+)[ \t]*$/gm,
        (_, key: string, file: string) => `${key}${join(target, file)}`,
      )
      .replace(
        /^([ \t]+topics?:[ \t]*)"?([\w,.-]+)"?[ \t]*$/gm,
        (_, key: string, topics: string) =>
          `${key}"${topics
            .split(',')
            .map((t) => `${t}-${suffix}`)
            .join(',')}"`,
      )
  );
}

async function missingPieces(e: Expectation): Promise<Need[]> {
  if (!e.valid || !e.needs) return [];
  const missing: Need[] = [];
  for (const n of e.needs) if (!(await probes[n]())) missing.push(n);
  return missing;
}

describe('Conduit pipeline files', () => {
  it('every file of the folder has an expectation, and every expectation a file', () => {
    expect(files.length, `${dir} is missing`).toBeGreaterThan(0);
    expect(files).toEqual(Object.keys(expectations).sort());
    // SOURCES.md: 30 valid for Conduit, 26 of them runnable here; A08, A17, A19 judged above.
    expect(Object.values(expectations).filter((e) => e.valid)).toHaveLength(23);
  });

  describe('opencdc validate', async () => {
    const pgUrl = await createTestDatabase(inject('pgUrl'), 'conduit_files');
    const target = await mkdtemp(join(tmpdir(), 'conduit-files-'));
    for (const name of files) {
      const e = expectations[name];
      if (!e) continue;
      const missing = await missingPieces(e);
      const title = e.valid
        ? `${name} validates${missing.length ? ` (waiting for: ${missing.join(', ')})` : ''}`
        : `${name} is refused: ${e.why}`;
      it.skipIf(missing.length > 0)(title, async () => {
        const path = join(target, `${name}.yaml`);
        await writeFile(path, await substituted(name, target, pgUrl));
        const lines: string[] = [];
        const code = await validateCommand(path, (l) => lines.push(l), fileEnv(pgUrl));
        const output = lines.join('\n').replaceAll(`${target}/`, '');
        if (e.valid) {
          expect(output).toMatch(/^ok: pipeline /m);
          expect(code, output).toBe(0);
        } else {
          expect(code, output).toBe(2);
          for (const re of e.errors) expect(output).toMatch(re);
        }
      });
    }
  });

  describe('opencdc run (until records are written)', async () => {
    for (const name of files) {
      const e = expectations[name];
      if (!e?.valid) continue;
      if (e.runTodo || !e.run) {
        it.todo(`${name}: ${e.runTodo ?? 'no run plan'}`);
        continue;
      }
      const missing = await missingPieces(e);
      it.skipIf(missing.length > 0 || !existsSync(bin))(
        `${name} runs${missing.length ? ` (waiting for: ${missing.join(', ')})` : ''}`,
        async () => {
          const target = await mkdtemp(join(tmpdir(), 'conduit-run-'));
          const pgUrl = await createTestDatabase(inject('pgUrl'), 'conduit_run');
          await prepareRuntime(e.run ?? [], target, pgUrl);
          const text = await substituted(name, target, pgUrl);
          await writeFile(join(target, 'pipeline.yaml'), text);
          const run = start(
            ['run', 'pipeline.yaml', '--json', '--progress-interval', '200'],
            target,
            fileEnv(pgUrl),
          );
          const changes = e.run?.includes('postgres')
            ? keepChanging(pgUrl)
            : e.run?.includes('kafka input')
              ? await keepProducing(/topics:\s*"([^"]+)"/.exec(text)?.[1]?.split(',') ?? [])
              : undefined;
          try {
            if (e.run?.includes('dead letters')) await deadLettered(join(target, 'dlq.out'), run);
            else await run.written(60_000);
            run.child.kill('SIGINT');
            expect(await run.exit, run.output()).toBe(0);
          } finally {
            changes?.stop();
            run.child.kill('SIGKILL');
            await run.exit;
            await dropSlots(pgUrl);
          }
        },
      );
    }
  });
});

/** Tables the Postgres files read (`users`, `my_table`) and an input file for file sources. */
async function prepareRuntime(needs: Runtime[], target: string, pgUrl: string): Promise<void> {
  if (needs.includes('file input')) {
    await writeFile(join(target, 'example.in'), 'one\ntwo\nthree\n');
    await writeFile(join(target, 'file1.txt'), 'one\ntwo\nthree\n');
  }
  if (needs.includes('kafka input')) {
    await withPgClient(pgUrl, (c) =>
      c.query('CREATE TABLE employees (id bigint PRIMARY KEY, name text, department text)'),
    );
  }
  if (needs.includes('postgres')) {
    await withPgClient(pgUrl, async (c) => {
      for (const t of ['users', 'my_table']) {
        await c.query(`CREATE TABLE ${t} (id serial PRIMARY KEY, name text)`);
        await c.query(`INSERT INTO ${t} (name) VALUES ('a'), ('b')`);
      }
    });
  }
}

/** Waits for the dead-letter file to hold a record. */
async function deadLettered(file: string, run: { output(): string }): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.trim() !== '') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing dead-lettered into ${file}:\n${run.output()}`);
}

/** CDC-only files (no snapshot) move records only when rows change after the start. */
function keepChanging(pgUrl: string): { stop(): void } {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      await withPgClient(pgUrl, async (c) => {
        for (const t of ['users', 'my_table'])
          await c.query(`INSERT INTO ${t} (name) VALUES ('c')`);
      }).catch(() => {});
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return {
    stop() {
      stopped = true;
    },
  };
}

/** A Kafka source reads new messages: produce JSON employees into its topics until stopped. */
async function keepProducing(topics: string[]): Promise<{ stop(): void }> {
  const kafka = new Kafka({ brokers: brokers().split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  let stopped = false;
  let id = 0;
  const done = (async () => {
    while (!stopped) {
      for (const topic of topics) {
        id++;
        await producer
          .send({
            topic,
            messages: [
              {
                key: JSON.stringify({ id }),
                value: JSON.stringify({ id, name: `e${id}`, department: topic.split('_')[1] }),
              },
            ],
          })
          .catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await producer.disconnect();
  })();
  return {
    stop() {
      stopped = true;
      void done;
    },
  };
}

/** Logical slots retain WAL on the shared server: drop the ones this run created. */
async function dropSlots(pgUrl: string): Promise<void> {
  const db = decodeURIComponent(new URL(pgUrl).pathname.slice(1));
  await withPgClient(pgUrl, (c) =>
    c.query(
      'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active',
      [db],
    ),
  );
}

function start(args: string[], cwd: string, env: { [k: string]: string }) {
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, ...env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let onData = () => {};
  child.stdout?.on('data', (d) => {
    out += String(d);
    onData();
  });
  child.stderr?.on('data', (d) => {
    out += String(d);
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** Resolves once every pipeline has written at least one record (acked, or logged). */
  const written = (timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no records written in ${timeoutMs} ms:\n${out}`)),
        timeoutMs,
      );
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`exited before writing records:\n${out}`));
      });
      onData = () => {
        const totals = new Map<string, number>();
        for (const line of out.split('\n')) {
          if (!line.startsWith('{')) continue;
          try {
            const o = JSON.parse(line) as { msg?: string; pipeline?: string; total?: number };
            if (o.msg === 'progress' && o.pipeline) {
              totals.set(o.pipeline, Math.max(totals.get(o.pipeline) ?? 0, o.total ?? 0));
            }
            // The log destination's own lines: written, though its batch may not be acked yet.
            if (o.msg === 'record' && o.pipeline) totals.set(o.pipeline, 1);
          } catch {
            // a partial line; the next chunk completes it
          }
        }
        if (totals.size > 0 && [...totals.values()].every((t) => t > 0)) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  return { child, exit, written, output: () => out };
}
