import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
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

/** A SASL user, known to the PLAIN and both SCRAM mechanisms. */
export interface KafkaSaslUser {
  username: string;
  password: string;
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

/** A random KRaft cluster id: 16 bytes, base64url without padding (what `kafka-storage random-uuid` prints). */
function clusterId(): string {
  // base64url may start with '-', which the storage tool's argument parser takes for an option.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * SASL names and passwords go into a properties file, a JAAS line and the storage tool's
 * `--add-scram` syntax, each with its own escaping: allow only characters none of them treats
 * specially.
 */
function checkSaslUser(u: KafkaSaslUser): void {
  for (const v of [u.username, u.password])
    if (!/^[A-Za-z0-9._-]+$/.test(v))
      throw new Error(
        `SASL user names and passwords for startKafka must match [A-Za-z0-9._-]+: ${v}`,
      );
}

/** The properties of the optional SASL and SSL listeners (inter-broker traffic stays PLAINTEXT). */
function securityProperties(
  sasl: { port: number; users: KafkaSaslUser[] } | undefined,
  tls: { port: number; keystore: string; password: string } | undefined,
): { listeners: string[]; protocols: string[]; props: Record<string, string> } {
  const listeners: string[] = [];
  const protocols: string[] = [];
  const props: Record<string, string> = {};
  if (sasl) {
    listeners.push(`SASL_PLAINTEXT://127.0.0.1:${sasl.port}`);
    protocols.push('SASL_PLAINTEXT:SASL_PLAINTEXT');
    const l = 'listener.name.sasl_plaintext';
    props[`${l}.sasl.enabled.mechanisms`] = 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512';
    props['sasl.enabled.mechanisms'] = 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512';
    const users = sasl.users.map((u) => `user_${u.username}="${u.password}"`).join(' ');
    props[`${l}.plain.sasl.jaas.config`] =
      `org.apache.kafka.common.security.plain.PlainLoginModule required ${users};`;
    for (const m of ['scram-sha-256', 'scram-sha-512'])
      props[`${l}.${m}.sasl.jaas.config`] =
        'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  }
  if (tls) {
    listeners.push(`SSL://127.0.0.1:${tls.port}`);
    protocols.push('SSL:SSL');
    const l = 'listener.name.ssl';
    props[`${l}.ssl.keystore.type`] = 'PKCS12';
    props[`${l}.ssl.keystore.location`] = tls.keystore;
    props[`${l}.ssl.keystore.password`] = tls.password;
    props[`${l}.ssl.key.password`] = tls.password;
    props[`${l}.ssl.client.auth`] = 'none';
  }
  return { listeners, protocols, props };
}

/** A throwaway CA and a broker certificate (127.0.0.1, localhost) it signed, as a PKCS12 keystore. */
function makeCertificates(dir: string, password: string): { keystore: string; caPem: string } {
  const tlsDir = join(dir, 'tls');
  mkdirSync(tlsDir);
  const f = (name: string) => join(tlsDir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const days = ['-days', '7'];
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    ...days,
    '-subj',
    '/CN=opencdc-test-ca',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('broker.key'),
    '-out',
    f('broker.csr'),
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('broker.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('broker.pem'),
    ...days,
    '-extfile',
    f('ext.cnf'),
  );
  openssl(
    'pkcs12',
    '-export',
    '-in',
    f('broker.pem'),
    '-inkey',
    f('broker.key'),
    '-certfile',
    f('ca.pem'),
    '-name',
    'broker',
    '-out',
    f('broker.p12'),
    '-passout',
    `pass:${password}`,
  );
  return { keystore: f('broker.p12'), caPem: readFileSync(f('ca.pem'), 'utf8') };
}

function serverProperties(
  dir: string,
  brokerPort: number,
  controllerPort: number,
  extra: StartKafkaOptions['properties'],
  security: ReturnType<typeof securityProperties> = { listeners: [], protocols: [], props: {} },
): string {
  const more = (list: string[]) => list.map((x) => `,${x}`).join('');
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}${more(security.listeners)}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${brokerPort}${more(security.listeners)}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${more(security.protocols)}`,
    ...security.props,
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
  const security = securityProperties(
    options.sasl ? { port: saslPort, users: options.sasl.users } : undefined,
    certs ? { port: tlsPort, keystore: certs.keystore, password: tlsPassword } : undefined,
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
    for (const u of options.sasl?.users ?? [])
      for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'])
        formatArgs.push('--add-scram', `${m}=[name=${u.username},password=${u.password}]`);
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
