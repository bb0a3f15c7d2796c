/**
 * The broker's configuration files and JVM options: `server.properties`, logging, the KRaft
 * cluster id and the class-data-sharing archive. SASL and TLS listeners come from
 * `kafka-sasl.ts` and `kafka-tls.ts`.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/** Extra listeners (beside PLAINTEXT and CONTROLLER) and their properties. */
export interface ListenerSecurity {
  listeners: string[];
  protocols: string[];
  props: Record<string, string>;
}

/** The listeners together (inter-broker traffic stays PLAINTEXT). */
export function combineListeners(...parts: (ListenerSecurity | undefined)[]): ListenerSecurity {
  const out: ListenerSecurity = { listeners: [], protocols: [], props: {} };
  for (const p of parts) {
    if (!p) continue;
    out.listeners.push(...p.listeners);
    out.protocols.push(...p.protocols);
    Object.assign(out.props, p.props);
  }
  return out;
}

/** A random KRaft cluster id: 16 bytes, base64url without padding (what `kafka-storage random-uuid` prints). */
export function clusterId(): string {
  // base64url may start with '-', which the storage tool's argument parser takes for an option.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function serverProperties(
  dir: string,
  brokerPort: number,
  controllerPort: number,
  extra: Record<string, string | number | boolean> | undefined,
  security: ListenerSecurity = { listeners: [], protocols: [], props: {} },
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
export function writeLoggingConfig(dir: string, major: number): string[] {
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
 * AppCDS for the broker's ~5000 classes: the first broker of a version records a dynamic archive
 * when it exits (`-XX:ArchiveClassesAtExit`), later ones map it (`-XX:SharedArchiveFile`), which
 * cuts the broker's startup CPU by about 40%. The archive is tied to the JVM build, so its name
 * carries a hash of the java binary's path and mtime; an unusable archive is ignored by the JVM.
 */
export function classDataSharing(libs: string, dir: string) {
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
