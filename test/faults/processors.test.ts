// Processors under SIGKILL: Postgres → processors → Postgres, and Postgres → Kafka (with the
// destination's own processors) → Postgres, while a writer inserts, updates, moves keys and
// deletes, and the runner is killed at random moments (snapshot, hand-off, CDC). A TypeScript
// processor (a plain function, loaded by path) drops every change of one table (filtered
// records) and doubles every change of another into a copy table (split records). Afterwards
// nothing is lost and nothing skipped: each kept table and the copy hold exactly their source
// table's rows; the dropped table never arrives, and the changes made to it last are acked all
// the same (both slots confirm past them: filtered records are acked in order).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDatabase, waitFor } from '@opencdc-ts/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  content,
  converge,
  createSeqTables,
  diff,
  killRepeatedly,
  lastLogs,
  pipelineDir,
  type Runner,
  requireBuild,
  sleep,
  sql,
  startWriter,
  uniqueName,
  type Writer,
} from './harness.js';

const KILLS = Number(process.env.FAULT_KILLS ?? 6);
const SEED_ROWS = 10_000;

/** Drops `ignored`'s records, splits `split`'s into the record and a copy for `<split>_copy`. */
const processor = (ignored: string, split: string) => `
export default function shape(records) {
  return records.map((r) => {
    const collection = r.metadata.get('opencdc.collection');
    if (collection === ${JSON.stringify(ignored)}) return null;
    if (collection !== ${JSON.stringify(split)}) return r;
    const metadata = new r.metadata.constructor(r.metadata);
    metadata.set('opencdc.collection', ${JSON.stringify(`${split}_copy`)});
    return [r, { ...r, metadata }];
  });
}
`;

describe('processors under SIGKILL of the runner (real Postgres and Kafka)', () => {
  const runners: Runner[] = [];
  let writer: Writer | undefined;
  afterAll(async () => {
    await writer?.stop();
    for (const r of runners) await r.kill();
  });

  it(`${KILLS} kills: filtered and split records are acked in order; nothing lost, nothing skipped`, async () => {
    requireBuild();
    const pgUrl = inject('pgUrl');
    const kafka = inject('kafkaBrokers').join(',');
    const name = uniqueName('procs');
    const [split, kept, ignored] = [`${name}_split`, `${name}_kept`, `${name}_ignored`];
    const copyOf = `${split}_copy`;
    const tables = [split, kept, ignored];
    const src = await createTestDatabase(pgUrl, 'procs_src');
    const direct = await createTestDatabase(pgUrl, 'procs_p2p');
    const viaKafka = await createTestDatabase(pgUrl, 'procs_k2p');
    await createSeqTables(src, tables, SEED_ROWS);
    // p2p: the pipeline's processors; p2k: the Kafka destination's own (one topic per table).
    const dir = await pipelineDir(`version: "2.2"
pipelines:
  - id: p2p
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: "${tables.join(',')}", logrepl.slotName: ${name}_p2p, logrepl.publicationName: ${name}_p2p, snapshot.fetchSize: 1000 } }
      - { id: out, type: destination, plugin: builtin:postgres, settings: { url: "\${P2P}", autoCreate: true } }
    processors:
      - { id: shape, plugin: ./shape.mjs }
  - id: p2k
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: "${tables.join(',')}", logrepl.slotName: ${name}_p2k, logrepl.publicationName: ${name}_p2k, snapshot.fetchSize: 1000 } }
      - id: kafka
        type: destination
        plugin: builtin:kafka
        settings: { servers: "\${KAFKA}" }
        processors:
          - { id: shape, plugin: ./shape.mjs }
  - id: k2p
    connectors:
      - { id: kafka, type: source, plugin: builtin:kafka, settings: { servers: "\${KAFKA}", topics: "${[split, kept, copyOf].join(',')}", readFromBeginning: true, valueFormat: opencdc, topicRefreshInterval: 1s, groupID: ${name} } }
      - { id: out, type: destination, plugin: builtin:postgres, settings: { url: "\${K2P}", autoCreate: true } }
`);
    await writeFile(join(dir, 'shape.mjs'), processor(ignored, split));
    const env = { SRC: src, P2P: direct, K2P: viaKafka, KAFKA: kafka };
    writer = startWriter(src, tables);

    const final = await killRepeatedly(dir, env, KILLS, runners);
    await sleep(3000);
    await writer.stop();
    const ops = writer.ops;
    const problems = await converge(src, [direct, viaKafka], [split, kept], {
      timeout: 180_000,
      abort: final.broken,
    });
    expect(problems, `writer ${JSON.stringify(ops)}\n${lastLogs()}`).toEqual({});
    // The copy of every split record arrived too, and nothing of the dropped table.
    const want = await content(src, split);
    for (const dst of [direct, viaKafka]) {
      const copy = await content(dst, copyOf);
      expect(
        copy.length === want.length && copy.every((r, i) => r === want[i]),
        `${dst}: ${diff(want, copy)}`,
      ).toBe(true);
      expect(await content(dst, ignored)).toEqual([]);
    }

    // The last changes go to the dropped table only: once both slots confirm past where the WAL
    // was before them, the filtered records were acked (nothing else changes this database now,
    // and nothing after an unacked record is confirmed).
    const before = (await sql<{ lsn: string }>(src, 'SELECT pg_current_wal_lsn()::text AS lsn'))[0]!
      .lsn;
    await sql(
      src,
      `UPDATE ${ignored} SET seq = nextval('fault_seq'), payload = 'last' WHERE id IN (SELECT id FROM ${ignored} LIMIT 50)`,
    );
    await waitFor(
      async () => {
        const rows = await sql<{ ok: boolean }>(
          src,
          'SELECT bool_and(confirmed_flush_lsn > $1::pg_lsn) AS ok FROM pg_replication_slots WHERE slot_name IN ($2, $3)',
          [before, `${name}_p2p`, `${name}_p2k`],
        );
        return rows[0]?.ok === true;
      },
      {
        timeout: 60_000,
        description: 'both slots to confirm past the filtered changes',
        abort: final.broken,
      },
    );
    expect(ops.move, 'the writer moved keys').toBeGreaterThan(0);
    expect(await final.stop()).toBe(0);
  }, 900_000);
});
