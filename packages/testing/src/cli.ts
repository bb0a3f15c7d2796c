#!/usr/bin/env node
// Dev/CI helper for the throwaway services:
//   node packages/testing/dist/cli.js fetch-kafka          # cache the Kafka jars (setup.sh)
//   node packages/testing/dist/cli.js services [--env-file <path>]   # run until SIGINT/SIGTERM
// Node 20 itself grabs `--env-file` anywhere on the command line (and fails when the file does
// not exist yet), so `--env-out <path>` is the same option under a name Node leaves alone.
//   node packages/testing/dist/cli.js demo [ARGS]          # the demo on throwaway services
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, startKafka, startPostgres } from './index.js';
import { fetchKafka, KAFKA_VERSIONS } from './kafka-fetch.js';
import { repoRoot } from './paths.js';
import { type Services, servicesEnvFile, startServices } from './services.js';

const usage = `usage: cli.js <command>
  fetch-kafka                  fetch and cache the Kafka ${KAFKA_VERSIONS.v3} and ${KAFKA_VERSIONS.v4} jars
  services [--env-out PATH]    start PostgreSQL and both Kafka versions; write PG_URL, KAFKA_BROKERS
                               and KAFKA_BROKERS_39 to PATH once all are ready; run until SIGINT
                               (alias --env-file, which Node 20 intercepts unless after '--')
  demo [ARGS]                  start PostgreSQL (two empty databases) and Kafka, run the cli
                               package's demo against them (packages/cli/dist/bin.js demo
                               --source-url … --dest-url … --kafka … ARGS), stop them`;

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function printAddresses(s: Services): void {
  console.log(`PG_URL=${s.pgUrl}`);
  console.log(`KAFKA_BROKERS=${s.kafkaBrokers.join(',')}  (Kafka ${KAFKA_VERSIONS.v4})`);
  console.log(`KAFKA_BROKERS_39=${s.kafka39Brokers.join(',')}  (Kafka ${KAFKA_VERSIONS.v3})`);
}

async function fetchAll(): Promise<void> {
  for (const version of [KAFKA_VERSIONS.v3, KAFKA_VERSIONS.v4]) {
    const started = Date.now();
    const libs = await fetchKafka(version);
    console.log(`Kafka ${version}: ${libs} (${seconds(started)})`);
  }
}

async function services(envFile: string | undefined): Promise<void> {
  const started = Date.now();
  // Always fresh services: Node 20 may have loaded an old env file into process.env.
  const s = await startServices({ reuseFromEnv: false });
  console.log(`services ready in ${seconds(started)}`);
  printAddresses(s);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the services`);
    if (envFile) rmSync(envFile, { force: true });
    await s.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // No SIGHUP handler: under nohup the services must outlive the terminal (a handler would undo
  // nohup's ignore).
  if (envFile) {
    // Atomic: readers either see no file or a complete one.
    const tmp = `${envFile}.tmp-${process.pid}`;
    writeFileSync(tmp, servicesEnvFile(s));
    renameSync(tmp, envFile);
    console.log(`wrote ${envFile}`);
  }
  // Stay up until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

/**
 * `scripts/demo.sh` / `pnpm demo`: the services half of the demo. The demo itself (pipelines,
 * writer, counts) is the published cli's `opencdc demo`, which starts nothing and takes the
 * services' addresses; this starts throwaway ones, runs it and stops them, so the published cli
 * needs nothing from this private package.
 */
async function demo(args: string[]): Promise<void> {
  const cliBin = join(repoRoot(), 'packages', 'cli', 'dist', 'bin.js');
  if (!existsSync(cliBin)) {
    console.error(`${cliBin} is missing: build first (pnpm build)`);
    process.exitCode = 2;
    return;
  }
  let child: ChildProcess | undefined;
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      // The demo stops on the first signal and cleans up; the services are stopped below.
      stopping = true;
      child?.kill(sig);
    });
  }
  const started = Date.now();
  console.error('starting throwaway PostgreSQL and Kafka…');
  const [pg, kafka] = await Promise.allSettled([startPostgres(), startKafka()]);
  try {
    if (pg.status === 'rejected') throw pg.reason;
    if (kafka.status === 'rejected') throw kafka.reason;
    console.error(`services up in ${seconds(started)}`);
    if (stopping) return;
    const sourceUrl = await createTestDatabase(pg.value.url, 'demo_source');
    const destUrl = await createTestDatabase(pg.value.url, 'demo_dest');
    const brokers = kafka.value.brokers.join(',');
    const argv = ['demo', '--source-url', sourceUrl, '--dest-url', destUrl, '--kafka', brokers];
    child = spawn(process.execPath, [cliBin, ...argv, ...args], { stdio: 'inherit' });
    const running = child;
    process.exitCode = await new Promise<number>((resolve) =>
      running.once('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))),
    );
  } finally {
    console.error('cleaning up…');
    await Promise.allSettled([
      pg.status === 'fulfilled' ? pg.value.stop() : undefined,
      kafka.status === 'fulfilled' ? kafka.value.stop() : undefined,
    ]);
  }
}

async function main(): Promise<void> {
  // The demo's options belong to the cli package's demo: pass them through unparsed.
  if (process.argv[2] === 'demo') return demo(process.argv.slice(3));
  const { positionals, values } = parseArgs({
    // `services -- --env-file x` is how to get --env-file past Node 20: drop the '--'.
    args: process.argv.slice(2).filter((a) => a !== '--'),
    allowPositionals: true,
    options: {
      'env-file': { type: 'string' },
      'env-out': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(usage);
    return;
  }
  switch (command) {
    case 'fetch-kafka':
      return fetchAll();
    case 'services':
      return services(values['env-out'] ?? values['env-file']);
    default:
      console.error(`unknown command '${command}'\n${usage}`);
      process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
