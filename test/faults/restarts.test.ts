// Server faults under a running pipeline: PostgreSQL restarted (fast and immediate) on the source
// side and on the destination side, during the snapshot and during CDC, and the Kafka broker
// SIGKILLed and restarted during CDC. The runner must ride each one out (retry from the last
// acked position, never exit) and every row must arrive, in place. The servers are this file's
// own, so restarting them disturbs no other test.
import {
  type KafkaService,
  type PostgresService,
  startKafka,
  startPostgres,
  waitFor,
} from '@opencdc-ts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  content,
  converge,
  createSeqTables,
  lastLogs,
  pipelineDir,
  type Runner,
  requireBuild,
  sql,
  startRunner,
  startWriter,
  uniqueName,
  type Writer,
} from './harness.js';

/** A database on a server of this file (the server's own URL with another database name). */
async function database(server: PostgresService, name: string): Promise<string> {
  await sql(server.url, `CREATE DATABASE ${name}`);
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return u.toString();
}

describe('server restarts under a running pipeline (own Postgres and Kafka)', () => {
  let source: PostgresService;
  let target: PostgresService;
  let kafka: KafkaService | undefined;
  const runners: Runner[] = [];
  const writers: Writer[] = [];

  beforeAll(async () => {
    requireBuild();
    [source, target] = await Promise.all([startPostgres(), startPostgres()]);
  }, 240_000);

  afterAll(async () => {
    for (const w of writers) await w.stop();
    for (const r of runners) await r.kill();
    await Promise.allSettled([source?.stop(), target?.stop(), kafka?.stop()]);
  });

  it('Postgres restarts (fast, immediate) on either side, in the snapshot and in CDC', async () => {
    const name = uniqueName('pgrestart');
    const tables = [`${name}_a`, `${name}_b`];
    const src = await database(source, 'restart_src');
    const dst = await database(target, 'restart_dst');
    // Big enough that the snapshot is still running when the first restarts hit it.
    await createSeqTables(src, tables, 150_000);
    const dir = await pipelineDir(`version: "2.2"
pipelines:
  - id: p2p
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: "${tables.join(',')}", logrepl.slotName: ${name}, logrepl.publicationName: ${name}, snapshot.fetchSize: 1000 } }
      - { id: out, type: destination, plugin: builtin:postgres, settings: { url: "\${DST}", autoCreate: true } }
`);
    const run = startRunner(dir, { SRC: src, DST: dst });
    runners.push(run);
    const rows = async () => (await content(dst, tables[0]!)).length;
    const alive = () => {
      const b = run.broken();
      if (b) throw new Error(`${b}\n${lastLogs()}`);
    };

    // In the snapshot: the source fast, then the destination immediate.
    await waitFor(async () => (await rows()) > 1000, {
      timeout: 60_000,
      description: 'the snapshot to start',
      abort: run.broken,
    });
    await source.restart!({ mode: 'fast' });
    alive();
    await target.restart!({ mode: 'immediate' });
    alive();
    expect(await rows(), 'the restarts hit the snapshot').toBeLessThan(150_000);

    // In CDC, with a writer: the source immediate, then the destination fast.
    const writer = startWriter(src, tables);
    writers.push(writer);
    await waitFor(async () => (await rows()) >= 150_000, {
      timeout: 180_000,
      description: 'the snapshot to finish',
      abort: run.broken,
    });
    await new Promise((r) => setTimeout(r, 2000));
    await source.restart!({ mode: 'immediate' });
    alive();
    await new Promise((r) => setTimeout(r, 2000));
    await target.restart!({ mode: 'fast' });
    alive();
    await new Promise((r) => setTimeout(r, 2000));
    await writer.stop();

    const problems = await converge(src, [dst], tables, { timeout: 180_000, abort: run.broken });
    expect(problems, `writer ${JSON.stringify(writer.ops)}\n${lastLogs()}`).toEqual({});
    expect(await run.stop()).toBe(0);
  }, 600_000);

  it('Kafka broker SIGKILLed and restarted during CDC: Postgres → Kafka → Postgres loses nothing', async () => {
    kafka = await startKafka();
    const name = uniqueName('kafkakill');
    const tables = [`${name}_a`, `${name}_b`];
    const src = await database(source, 'kkill_src');
    const dst = await database(target, 'kkill_dst');
    await createSeqTables(src, tables, 5_000);
    const dir = await pipelineDir(`version: "2.2"
pipelines:
  - id: p2k
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: "${tables.join(',')}", logrepl.slotName: ${name}, logrepl.publicationName: ${name} } }
      - { id: kafka, type: destination, plugin: builtin:kafka, settings: { servers: "\${KAFKA}" } }
  - id: k2p
    connectors:
      - { id: kafka, type: source, plugin: builtin:kafka, settings: { servers: "\${KAFKA}", topics: "${tables.join(',')}", readFromBeginning: true, valueFormat: opencdc, topicRefreshInterval: 1s, groupID: ${name} } }
      - { id: out, type: destination, plugin: builtin:postgres, settings: { url: "\${DST}", autoCreate: true } }
`);
    const run = startRunner(dir, { SRC: src, DST: dst, KAFKA: kafka.brokers.join(',') });
    runners.push(run);
    const writer = startWriter(src, tables);
    writers.push(writer);
    await waitFor(async () => (await content(dst, tables[1]!)).length >= 5_000, {
      timeout: 120_000,
      description: 'the snapshot to arrive through Kafka',
      abort: run.broken,
    });
    await new Promise((r) => setTimeout(r, 2000));
    await kafka.restart!({ kill: true });
    const b = run.broken();
    if (b) throw new Error(`${b}\n${lastLogs()}`);
    await new Promise((r) => setTimeout(r, 4000));
    await writer.stop();

    const problems = await converge(src, [dst], tables, { timeout: 180_000, abort: run.broken });
    expect(problems, `writer ${JSON.stringify(writer.ops)}\n${lastLogs()}`).toEqual({});
    expect(await run.stop()).toBe(0);
  }, 600_000);
});
