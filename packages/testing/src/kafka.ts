import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { fetchKafka, KAFKA_VERSIONS, type KafkaVersion } from './kafka-fetch.js';
import { freePorts } from './ports.js';
import { commandExists, logTail, onExit, run, signal, watchdog } from './process.js';
import { waitFor } from './wait.js';

export interface KafkaService {
  /** Bootstrap servers, e.g. `['127.0.0.1:40123']`. */
  brokers: string[];
  version: KafkaVersion;
  /** Broker log (removed by `stop()`). */
  logFile: string;
  /** Stops the broker (SIGTERM, then SIGKILL after 15 s) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartKafkaOptions {
  /** Default: the latest 4.x (`KAFKA_VERSIONS.v4`). */
  version?: KafkaVersion;
  /** Readiness timeout in milliseconds (default 90 s). */
  timeout?: number;
  /** JVM heap (default `512m`). */
  heap?: string;
  /** Extra `server.properties` entries. */
  properties?: Record<string, string | number | boolean>;
  /** Extra JVM options (after the defaults). */
  jvmOptions?: string[];
  /**
   * Client JIT only (`-XX:TieredStopAtLevel=1`): about half the CPU to get ready, lower peak
   * throughput. Right for tests on a small machine, wrong for benchmarks (default false).
   */
  fastStartup?: boolean;
}

/** A random KRaft cluster id: 16 bytes, base64url without padding (what `kafka-storage random-uuid` prints). */
function clusterId(): string {
  // base64url may start with '-', which the storage tool's argument parser takes for an option.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(
  dir: string,
  brokerPort: number,
  controllerPort: number,
  extra: StartKafkaOptions['properties'],
): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(dir, 'data'),
    'num.partitions': 1,
    'offsets.topic.replication.factor': 1,
    // Fewer internal partitions: a group coordinator is ready much sooner on a small machine.
    'offsets.topic.num.partitions': 8,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 4,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'auto.create.topics.enable': true,
    'delete.topic.enable': true,
    'group.initial.rebalance.delay.ms': 0,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'log.retention.hours': 1,
    ...extra,
  };
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/** Logging to stdout (captured in the broker log): INFO for Kafka itself, WARN for the noisy parts. */
function writeLoggingConfig(dir: string, major: number): string[] {
  if (major >= 4) {
    const file = join(dir, 'log4j2.properties');
    writeFileSync(
      file,
      [
        'status = warn',
        'appender.out.type = Console',
        'appender.out.name = STDOUT',
        'appender.out.layout.type = PatternLayout',
        'appender.out.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = INFO',
        'rootLogger.appenderRef.out.ref = STDOUT',
        'logger.state.name = state.change.logger',
        'logger.state.level = WARN',
        'logger.request.name = kafka.request.logger',
        'logger.request.level = WARN',
        '',
      ].join('\n'),
    );
    return [`-Dlog4j2.configurationFile=${file}`];
  }
  const file = join(dir, 'log4j.properties');
  writeFileSync(
    file,
    [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.state.change.logger=WARN',
      'log4j.logger.kafka.request.logger=WARN',
      '',
    ].join('\n'),
  );
  return [`-Dlog4j.configuration=file:${file}`];
}

/**
 * Starts a throwaway single-node KRaft Kafka (combined broker and controller) from the Maven jars
 * (fetched and cached on first use), listening on free ports on 127.0.0.1. Needs Java 17+.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaService> {
  const version = options.version ?? KAFKA_VERSIONS.v4;
  const major = Number(version.split('.')[0]);
  if (!commandExists('java')) {
    throw new Error(
      `cannot start Kafka ${version}: 'java' not found: install a JDK 17+ ` +
        '(apt-get install openjdk-17-jdk-headless) or set KAFKA_BROKERS / KAFKA_BROKERS_39',
    );
  }
  const libs = await fetchKafka(version);
  const dir = mkdtempSync(join(tmpdir(), `opencdc-kafka-${version}-`));
  const logFile = join(dir, 'kafka.log');
  const [brokerPort, controllerPort] = (await freePorts(2)) as [number, number];
  const propsFile = join(dir, 'server.properties');
  writeFileSync(propsFile, serverProperties(dir, brokerPort, controllerPort, options.properties));
  const cds = classDataSharing(libs, dir);
  const base = [
    `-Xmx${options.heap ?? '512m'}`,
    '-Xms128m',
    // 2 shared cores: a serial collector and few compiler threads keep the broker from hogging them.
    '-XX:+UseSerialGC',
    '-XX:CICompilerCount=2',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${dir}`,
    ...writeLoggingConfig(dir, major),
  ];
  const classpath = ['-cp', `${libs}/*`];
  const jvm = [
    ...base,
    ...cds.serverOptions,
    ...(options.fastStartup ? ['-XX:TieredStopAtLevel=1'] : []),
    ...(options.jvmOptions ?? []),
    ...classpath,
  ];
  // The storage tool runs for a second: client JIT only, reuse the archive but never write it.
  const toolJvm = [...base, ...cds.toolOptions, '-XX:TieredStopAtLevel=1', ...classpath];
  const fail = (message: string): never => {
    throw new Error(
      `could not start Kafka ${version} (${dir}): ${message}\nlog file: ${logFile} (kept)\n${logTail(logFile)}`,
    );
  };

  try {
    const formatArgs = ['format', `--cluster-id=${clusterId()}`, '--config', propsFile];
    const result = await run('java', [...toolJvm, 'kafka.tools.StorageTool', ...formatArgs], {
      timeout: 120_000,
    });
    writeFileSync(logFile, `${result.stdout}${result.stderr}`);
  } catch (error) {
    writeFileSync(logFile, error instanceof Error ? error.message : String(error));
    fail('formatting the storage failed');
  }

  const out = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('java', [...jvm, 'kafka.Kafka', propsFile], { stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  const pid = child.pid;
  if (pid === undefined) fail('could not spawn java');
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, sig) => {
      exited = `the broker process exited (${sig ?? `code ${code}`})`;
      resolve();
    });
  });
  const guard = watchdog(pid!, { dir });
  const unregister = onExit(() => {
    signal(pid!, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === undefined) {
      signal(pid!, 'SIGTERM');
      // Recording the class archive at exit takes a few seconds more on a busy machine.
      const timer = setTimeout(() => signal(pid!, 'SIGKILL'), cds.recording ? 45_000 : 15_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    guard.kill('SIGKILL');
    unregister();
    cds.keep();
    rmSync(dir, { recursive: true, force: true });
  };

  const brokers = [`127.0.0.1:${brokerPort}`];
  try {
    await waitFor(() => canListTopics(brokers), {
      timeout: options.timeout ?? 90_000,
      interval: 250,
      description: `Kafka ${version} on ${brokers[0]} to list topics and serve consumer groups`,
      abort: () => exited,
    });
  } catch (error) {
    // Keep the directory (logs) for diagnosis; only the process goes.
    stopped = true;
    signal(pid!, 'SIGKILL');
    await exitedPromise;
    guard.kill('SIGKILL');
    unregister();
    fail(error instanceof Error ? error.message : String(error));
  }
  return { brokers, version, logFile, stop };
}

/**
 * AppCDS for the broker's ~5000 classes: the first broker of a version records a dynamic archive
 * when it exits (`-XX:ArchiveClassesAtExit`), later ones map it (`-XX:SharedArchiveFile`), which
 * cuts the broker's startup CPU by about 40%. The archive is tied to the JVM build, so its name
 * carries a hash of the java binary's path and mtime; an unusable archive is ignored by the JVM.
 */
function classDataSharing(libs: string, dir: string) {
  let key = 'unknown';
  try {
    const java = realpathSync(
      execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim(),
    );
    // The jars too: a refetch (new pom.xml) invalidates the archive's recorded classpath.
    const jars = statSync(join(libs, '.pom-sha256'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    key = createHash('sha256')
      .update(`${java}:${statSync(java).mtimeMs}:${jars}`)
      .digest('hex')
      .slice(0, 12);
  } catch {
    // No archive reuse then; startup is just slower.
  }
  const archive = join(libs, '..', `classes-${key}.jsa`);
  const recorded = join(dir, 'classes.jsa');
  if (existsSync(archive)) {
    const use = [`-XX:SharedArchiveFile=${archive}`];
    return { serverOptions: use, toolOptions: use, recording: false, keep: () => {} };
  }
  return {
    serverOptions: [`-XX:ArchiveClassesAtExit=${recorded}`],
    toolOptions: [],
    recording: true,
    /** After a clean exit: move the recorded archive into the cache (atomically). */
    keep: () => {
      try {
        if (existsSync(archive) || !existsSync(recorded)) return;
        const tmp = `${archive}.tmp-${process.pid}`;
        copyFileSync(recorded, tmp);
        renameSync(tmp, archive);
        // Archives of another JVM or jar set are dead weight (~50 MB each).
        const versionDir = dirname(archive);
        for (const f of readdirSync(versionDir)) {
          if (/^classes-.*\.jsa$/.test(f) && join(versionDir, f) !== archive) {
            rmSync(join(versionDir, f), { force: true });
          }
        }
      } catch {
        // Best effort.
      }
    },
  };
}

async function canListTopics(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'opencdc-testing-readiness',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    // Also wait for the group coordinator (creates and loads __consumer_offsets): otherwise the
    // first consumer of a test fails with "The coordinator is loading".
    const { groups } = await admin.describeGroups(['opencdc-testing-readiness']);
    return groups.length === 1;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
