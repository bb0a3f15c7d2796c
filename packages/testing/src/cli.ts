#!/usr/bin/env node
// Dev/CI helper for the throwaway services:
//   node packages/testing/dist/cli.js fetch-kafka          # cache the Kafka jars (setup.sh)
//   node packages/testing/dist/cli.js services [--env-file <path>]   # run until SIGINT/SIGTERM
// Node 20 itself grabs `--env-file` anywhere on the command line (and fails when the file does
// not exist yet), so `--env-out <path>` is the same option under a name Node leaves alone.
//   node packages/testing/dist/cli.js demo                 # start, print addresses, stop
import { spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fetchKafka, KAFKA_VERSIONS } from './kafka-fetch.js';
import { repoRoot } from './paths.js';
import { type Services, servicesEnvFile, startServices } from './services.js';

const usage = `usage: cli.js <command>
  fetch-kafka                  fetch and cache the Kafka ${KAFKA_VERSIONS.v3} and ${KAFKA_VERSIONS.v4} jars
  services [--env-out PATH]    start PostgreSQL and both Kafka versions; write PG_URL, KAFKA_BROKERS
                               and KAFKA_BROKERS_39 to PATH once all are ready; run until SIGINT
                               (alias --env-file, which Node 20 intercepts unless after '--')
  demo [ARGS]                  run the cli package's demo (packages/cli/dist/bin.js demo ARGS);
                               without it: start the services, print their addresses, stop them`;

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

async function demo(args: string[]): Promise<void> {
  // The real demo lives in the cli package (which depends on this one, so no import here): run its
  // built bin when present, passing the arguments through.
  const cliBin = join(repoRoot(), 'packages', 'cli', 'dist', 'bin.js');
  if (existsSync(cliBin)) {
    const child = spawn(process.execPath, [cliBin, 'demo', ...args], { stdio: 'inherit' });
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
    const code = await new Promise<number>((resolve) =>
      child.once('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))),
    );
    process.exitCode = code;
    return;
  }
  // Fallback without the cli package built: show that the services come up.
  const started = Date.now();
  const s = await startServices();
  console.log(`services ready in ${seconds(started)}`);
  printAddresses(s);
  await s.stop();
  console.log('services stopped');
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
