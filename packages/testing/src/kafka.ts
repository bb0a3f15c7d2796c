/**
 * A throwaway single-node Kafka for tests: starts the broker process, waits until it serves,
 * restarts and stops it. Its configuration is in `kafka-config.ts`, SASL in `kafka-sasl.ts`,
 * TLS in `kafka-tls.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  classDataSharing,
  clusterId,
  combineListeners,
  serverProperties,
  writeLoggingConfig,
} from './kafka-config.js';
import { fetchKafka, KAFKA_VERSIONS, type KafkaVersion } from './kafka-fetch.js';
import { checkSaslUser, type KafkaSaslUser, saslListener, scramFormatArgs } from './kafka-sasl.js';
import { makeCertificates, tlsListener } from './kafka-tls.js';
import { freePorts } from './ports.js';
import { commandExists, logTail, onExit, run, signal, watchdog } from './process.js';
import { waitFor } from './wait.js';

export type { KafkaSaslUser };

export interface KafkaService {
  /** Bootstrap servers, e.g. `['127.0.0.1:40123']`. */
  brokers: string[];
  version: KafkaVersion;
  /** Broker log (removed by `stop()`). */
  logFile: string;
  /** Stops the broker (SIGTERM, then SIGKILL after 15 s) and removes its directory. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops the broker as `stop()` does but keeps its directory, starts it again on the same ports
   * and data directory, and waits until it serves again. For tests of recovery from a restart.
   * Only on brokers started by `startKafka()` (not on reused ones). `kill: true` SIGKILLs the
   * broker instead (no controlled shutdown: what a crash or an OOM kill does).
   */
  restart?(options?: { kill?: boolean }): Promise<void>;
  /** With `sasl`: bootstrap servers of the SASL_PLAINTEXT listener. */
  saslBrokers?: string[];
  /** With `tls`: bootstrap servers of the SSL listener (certificate for 127.0.0.1 and localhost). */
  tlsBrokers?: string[];
  /** With `tls`: the PEM certificate of the throwaway CA that signed the broker's certificate. */
  tlsCaCert?: string;
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
  /**
   * Adds a SASL_PLAINTEXT listener (`saslBrokers`) enabling PLAIN, SCRAM-SHA-256 and
   * SCRAM-SHA-512 for these users (SCRAM credentials are written at storage format time).
   */
  sasl?: { users: KafkaSaslUser[] };
  /** Adds an SSL listener (`tlsBrokers`) with a certificate signed by a throwaway CA (`tlsCaCert`). Needs openssl. */
  tls?: boolean;
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
  for (const u of options.sasl?.users ?? []) checkSaslUser(u);
  const libs = await fetchKafka(version);
  const dir = mkdtempSync(join(tmpdir(), `opencdc-kafka-${version}-`));
  const logFile = join(dir, 'kafka.log');
  const [brokerPort, controllerPort, saslPort, tlsPort] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const tlsPassword = randomBytes(12).toString('hex');
  let certs: { keystore: string; caPem: string } | undefined;
  try {
    if (options.tls) certs = makeCertificates(dir, tlsPassword);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot make TLS certificates for Kafka (needs openssl): ${String(error)}`);
  }
  const security = combineListeners(
    options.sasl ? saslListener(saslPort, options.sasl.users) : undefined,
    certs ? tlsListener(tlsPort, certs.keystore, tlsPassword) : undefined,
  );
  const propsFile = join(dir, 'server.properties');
  writeFileSync(
    propsFile,
    serverProperties(dir, brokerPort, controllerPort, options.properties, security),
  );
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
    // SCRAM credentials live in the KRaft metadata log: written at format time.
    formatArgs.push(...scramFormatArgs(options.sasl?.users ?? []));
    const result = await run('java', [...toolJvm, 'kafka.tools.StorageTool', ...formatArgs], {
      timeout: 120_000,
    });
    writeFileSync(logFile, `${result.stdout}${result.stderr}`);
  } catch (error) {
    writeFileSync(logFile, error instanceof Error ? error.message : String(error));
    fail('formatting the storage failed');
  }

  // `let`s: restart() replaces the broker process (same ports, properties and data directory).
  let child: ChildProcess;
  let pid: number | undefined;
  let exited: string | undefined;
  let exitedPromise: Promise<void> = Promise.resolve();
  let guard: ChildProcess | undefined;
  const spawnBroker = () => {
    const out = openSync(logFile, 'a');
    try {
      child = spawn('java', [...jvm, 'kafka.Kafka', propsFile], { stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    pid = child.pid;
    if (pid === undefined) fail('could not spawn java');
    exited = undefined;
    const c = child;
    exitedPromise = new Promise<void>((resolve) => {
      c.once('exit', (code, sig) => {
        exited = `the broker process exited (${sig ?? `code ${code}`})`;
        resolve();
      });
    });
    guard = watchdog(pid!, { dir });
  };
  spawnBroker();
  const unregister = onExit(() => {
    signal(pid!, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** SIGTERM (controlled shutdown), SIGKILL if it hangs; resolves once the process is gone. */
  const terminate = async () => {
    if (exited === undefined) {
      signal(pid!, 'SIGTERM');
      // Recording the class archive at exit takes a few seconds more on a busy machine.
      const timer = setTimeout(() => signal(pid!, 'SIGKILL'), cds.recording ? 45_000 : 15_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    guard?.kill('SIGKILL');
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await terminate();
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
    guard?.kill('SIGKILL');
    unregister();
    fail(error instanceof Error ? error.message : String(error));
  }
  const restart = async (how: { kill?: boolean } = {}) => {
    if (stopped) throw new Error('restart() after stop()');
    if (how.kill && exited === undefined) {
      signal(pid!, 'SIGKILL');
      await exitedPromise;
      guard?.kill('SIGKILL');
    }
    await terminate();
    spawnBroker();
    await waitFor(() => canListTopics(brokers), {
      timeout: options.timeout ?? 90_000,
      interval: 250,
      description: `Kafka ${version} on ${brokers[0]} to come back after a restart`,
      abort: () => exited,
    });
  };
  return {
    brokers,
    version,
    logFile,
    stop,
    restart,
    ...(options.sasl ? { saslBrokers: [`127.0.0.1:${saslPort}`] } : {}),
    ...(certs ? { tlsBrokers: [`127.0.0.1:${tlsPort}`], tlsCaCert: certs.caPem } : {}),
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
