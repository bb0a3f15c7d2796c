// Kill storm: SIGKILL the runner at random moments over the snapshot, the hand-off and CDC while
// a writer inserts, updates, moves keys and deletes; afterwards every destination table must hold
// exactly its source table's rows, in order, with their last sequence numbers. One runner carries
// both chains (Postgres → Postgres, and Postgres → Kafka → Postgres), so each kill hits both.
// FAULT_KILLS sets the number of kills (10 by default; the bar is 30).
import { createTestDatabase } from '@opencdc-ts/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  converge,
  createSeqTables,
  killRepeatedly,
  lastLogs,
  pipelineDir,
  type Runner,
  requireBuild,
  sleep,
  startWriter,
  uniqueName,
  type Writer,
} from './harness.js';

const KILLS = Number(process.env.FAULT_KILLS ?? 10);
const SEED_ROWS = 20_000;

describe('kill storm (real Postgres and Kafka, SIGKILL of the runner)', () => {
  const runners: Runner[] = [];
  let writer: Writer | undefined;
  afterAll(async () => {
    await writer?.stop();
    for (const r of runners) await r.kill();
  });

  it(`${KILLS} kills: Postgres → Postgres and Postgres → Kafka → Postgres lose nothing`, async () => {
    requireBuild();
    const pgUrl = inject('pgUrl');
    const kafka = inject('kafkaBrokers').join(',');
    const name = uniqueName('storm');
    const tables = [`${name}_a`, `${name}_b`];
    const src = await createTestDatabase(pgUrl, 'storm_src');
    const direct = await createTestDatabase(pgUrl, 'storm_p2p');
    const viaKafka = await createTestDatabase(pgUrl, 'storm_k2p');
    await createSeqTables(src, tables, SEED_ROWS);
    const dir = await pipelineDir(`version: "2.2"
pipelines:
  - id: p2p
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: "${tables.join(',')}", logrepl.slotName: ${name}_p2p, logrepl.publicationName: ${name}_p2p, snapshot.fetchSize: 1000 } }
      - { id: out, type: destination, plugin: builtin:postgres, settings: { url: "\${P2P}", autoCreate: true } }
  - id: p2k
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: "${tables.join(',')}", logrepl.slotName: ${name}_p2k, logrepl.publicationName: ${name}_p2k, snapshot.fetchSize: 1000 } }
      - { id: kafka, type: destination, plugin: builtin:kafka, settings: { servers: "\${KAFKA}" } }
  - id: k2p
    connectors:
      - { id: kafka, type: source, plugin: builtin:kafka, settings: { servers: "\${KAFKA}", topics: "${tables.join(',')}", readFromBeginning: true, valueFormat: opencdc, topicRefreshInterval: 1s, groupID: ${name} } }
      - { id: out, type: destination, plugin: builtin:postgres, settings: { url: "\${K2P}", autoCreate: true } }
`);
    const env = { SRC: src, P2P: direct, K2P: viaKafka, KAFKA: kafka };
    writer = startWriter(src, tables);

    // Kills land anywhere from 0.3 s after start (opening, the snapshot) to 4 s (CDC): the first
    // runs are still snapshotting, later ones hand off and stream.
    const final = await killRepeatedly(dir, env, KILLS, runners);
    await sleep(3000);
    await writer.stop();
    const ops = writer.ops;
    const problems = await converge(src, [direct, viaKafka], tables, {
      timeout: 180_000,
      abort: final.broken,
    });
    expect(problems, `writer ${JSON.stringify(ops)}\n${lastLogs()}`).toEqual({});
    expect(ops.move, 'the writer moved keys').toBeGreaterThan(0);
    expect(await final.stop()).toBe(0);
  }, 900_000);
});
