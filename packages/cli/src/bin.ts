#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { connectorsCommand } from './commands/connectors.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * First SIGINT/SIGTERM: stop reading, finish the write in flight, ack, save state, exit 0.
 * A second one exits at once with 130 (records not acked are read again next time).
 */
function stopOnSignals(): AbortSignal {
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) {
      process.stderr.write(`\n${sig} again: exiting now\n`);
      process.exit(130);
    }
    process.stderr.write(
      `\n${sig}: stopping (finishing the write in flight; press Ctrl-C again to exit at once)\n`,
    );
    ctl.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctl.signal;
}

const program = new Command()
  .name('opencdc')
  .description(
    'Run OpenCDC pipelines from Conduit pipeline files (versions 1.x and 2.x): at least once, with resume, dead letters and progress.',
  )
  .version(pkg.version);

program
  .command('run')
  .description('run the pipelines of a pipeline file until stopped (SIGINT/SIGTERM)')
  .argument(
    '[path]',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${VAR} syntax of pipeline files
    'Conduit pipeline file (version 1.x/2.x, several YAML documents allowed) or a folder of .yml/.yaml files; ${VAR} and $VAR are replaced from the environment',
    './pipelines',
  )
  .option(
    '--state-dir <dir>',
    'directory of the state files (last acked position per pipeline)',
    '.opencdc/state',
  )
  .option('--state <url>', 'keep state in a Postgres table (opencdc_state) instead: postgres://…')
  .option('--json', 'JSON log lines on stdout (for machines)', false)
  .addOption(
    new Option('--log-level <level>', 'log level')
      .choices(['debug', 'info', 'warn', 'error'])
      .default('info'),
  )
  .option(
    '--batch-size <n>',
    'records per read/write batch',
    (v) => positiveInt(v, '--batch-size'),
    2048,
  )
  .option(
    '--progress-interval <ms>',
    'progress log interval when not on a terminal',
    (v) => positiveInt(v, '--progress-interval'),
    5000,
  )
  .option('--strict', 'treat feature warnings as errors', false)
  .option(
    '--http <host:port>',
    'serve /healthz, /readyz, /metrics (Prometheus), the JSON API and the page at / (e.g. 127.0.0.1:8080)',
  )
  .action(
    async (
      file: string,
      o: {
        stateDir: string;
        state?: string;
        json: boolean;
        logLevel: 'info';
        batchSize: number;
        progressInterval: number;
        strict: boolean;
        http?: string;
      },
    ) => {
      process.exitCode = await runCommand(file, { ...o, signal: stopOnSignals() });
    },
  );

program
  .command('validate')
  .description("check a pipeline file and each connector's settings without running anything")
  .argument('[path]', 'pipeline file or folder of pipeline files', './pipelines')
  .option(
    '--connect',
    'also check each connector against its server as opening it would (reachability, credentials, permissions, wal_level, tables), moving no data',
    false,
  )
  .action(async (file: string, o: { connect: boolean }) => {
    process.exitCode = await validateCommand(file, undefined, undefined, { connect: o.connect });
  });

program
  .command('connectors')
  .description('list installed connectors: specification, parameters and features')
  .option('--json', 'print JSON', false)
  .option('--plugin <ref...>', 'also describe these plugins (npm package names or paths)', [])
  .action(async (o: { json: boolean; plugin: string[] }) => {
    process.exitCode = await connectorsCommand({ json: o.json, extra: o.plugin });
  });

program
  .command('processors')
  .description(
    'list built-in processors (and installed ones given by --plugin) with their parameters',
  )
  .option('--json', 'print JSON', false)
  .option('--plugin <ref...>', 'also describe these processors (npm package names or paths)', [])
  .action(async (o: { json: boolean; plugin: string[] }) => {
    const { processorsCommand } = await import('./commands/processors.js');
    process.exitCode = await processorsCommand({ json: o.json, extra: o.plugin });
  });

program
  .command('demo')
  .description(
    'run Postgres → Kafka → Postgres and generator → Postgres against the given services, change the source for a while, compare counts (`bash scripts/demo.sh` in a checkout starts throwaway services and runs it)',
  )
  .option('--source-url <url>', 'an empty Postgres database for the source tables')
  .option('--dest-url <url>', 'an empty Postgres database the pipelines write into')
  .option('--kafka <brokers>', 'Kafka bootstrap brokers, host:port[,host:port…]')
  .option(
    '--seconds <n>',
    'how long to keep changing the source tables',
    (v) => positiveInt(v, '--seconds'),
    8,
  )
  .action(async (o: { seconds: number; sourceUrl?: string; destUrl?: string; kafka?: string }) => {
    const { runDemo } = await import('./demo/demo.js');
    process.exitCode = await runDemo({
      seconds: o.seconds,
      signal: stopOnSignals(),
      services: { sourceUrl: o.sourceUrl, destUrl: o.destUrl, kafka: o.kafka },
    });
  });

function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
}

program
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = 2;
  })
  .finally(() => {
    // Everything is saved and torn down; a connector library still holding a socket or timer
    // must not keep the process alive (the timer is unref'd: a clean exit is not delayed).
    setTimeout(() => process.exit(), 3000).unref();
  });
