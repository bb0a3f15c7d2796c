import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cacheDir, packageDir } from './paths.js';
import { commandExists, run } from './process.js';

/** The Kafka versions the connectors are tested against: the latest 3.9.x and the latest 4.x. */
export const KAFKA_VERSIONS = { v3: '3.9.2', v4: '4.4.0' } as const;
export type KafkaVersion = string;

/** `<repo>/.cache/kafka/<version>/libs`: the broker's classpath. */
export function kafkaLibsDir(version: KafkaVersion): string {
  return join(cacheDir(), 'kafka', version, 'libs');
}

const pomFile = join(packageDir, 'kafka', 'pom.xml');
/** Written beside the jars: a changed pom.xml (e.g. another logging binding) refetches. */
const stampName = '.pom-sha256';

function pomHash(): string {
  return createHash('sha256').update(readFileSync(pomFile)).digest('hex');
}

function hasJars(dir: string): boolean {
  if (!existsSync(dir) || !readdirSync(dir).some((f) => /^kafka_2\.13-.*\.jar$/.test(f))) {
    return false;
  }
  const stamp = join(dir, stampName);
  // A cache written before stamps existed is trusted once and stamped.
  if (!existsSync(stamp)) writeFileSync(stamp, pomHash());
  return readFileSync(stamp, 'utf8').trim() === pomHash();
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Resolves the broker jars of `version` from Maven Central (`mvn dependency:copy-dependencies`
 * on packages/testing/kafka/pom.xml) into the cache, once; later calls return the cached dir.
 */
export function fetchKafka(version: KafkaVersion): Promise<string> {
  const libs = kafkaLibsDir(version);
  if (hasJars(libs)) return Promise.resolve(libs);
  let pending = inFlight.get(version);
  if (!pending) {
    pending = download(version, libs).finally(() => inFlight.delete(version));
    inFlight.set(version, pending);
  }
  return pending;
}

async function download(version: string, libs: string): Promise<string> {
  if (!commandExists('mvn')) {
    throw new Error(
      `cannot fetch Apache Kafka ${version}: Maven ('mvn') not found: install it ` +
        '(apt-get install maven) or set KAFKA_BROKERS / KAFKA_BROKERS_39 to existing brokers',
    );
  }
  const major = Number(version.split('.')[0]);
  // Write into a temporary sibling, then rename: a half-copied dir must never look complete.
  const tmp = `${libs}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await run(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        pomFile,
        `-Dkafka.version=${version}`,
        '-P',
        major >= 4 ? 'kafka4' : 'kafka3',
        'dependency:copy-dependencies',
        `-DoutputDirectory=${tmp}`,
      ],
      { timeout: 600_000 },
    );
    writeFileSync(join(tmp, stampName), pomHash());
    if (!hasJars(tmp)) throw new Error(`Maven produced no kafka_2.13 jar in ${tmp}`);
    rmSync(libs, { recursive: true, force: true });
    renameSync(tmp, libs);
    return libs;
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`could not fetch Apache Kafka ${version} with Maven: ${message}`);
  }
}
