import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { connector as kafka } from '@opencdc-ts/connector-kafka';
import { createTestDatabase, waitFor } from '@opencdc-ts/testing';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { twentyItemsPlugin } from './twenty-items-plugin.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const logger = { debug() {}, info() {}, warn() {}, error() {} };

// 20 records for collection "items"; record 10's `doc` is nested 20,000 levels deep (hostile
// input: before the nesting limit it overflowed the call stack of every encoder it met).
const plugin = twentyItemsPlugin(
  '{ id: k, doc: k === 10 ? deep(20000) : { k } }',
  `function deep(levels) {
  const root = {};
  let cur = root;
  for (let i = 1; i < levels; i++) { cur.a = {}; cur = cur.a; }
  return root;
}`,
);

interface DeadLetter {
  metadata: { [k: string]: string };
  payload: { after: { payload: { after: { id: number; doc: unknown } } } };
}

describe('a record nested 20,000 levels deep (Postgres and Kafka destinations)', () => {
  it('is dead-lettered by each destination with the reason; the other records are written; the pipeline keeps running', async () => {
    const url = await createTestDatabase(inject('pgUrl'), 'cli_deep');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('CREATE TABLE items (id int PRIMARY KEY, doc jsonb)');
    const brokers = inject('kafkaBrokers').join(',');
    const topic = `deep-${Date.now()}`;
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-deep-'));
    await writeFile(join(dir, 'twenty.mjs'), plugin);
    await writeFile(
      join(dir, 'p.yaml'),
      `version: "2.2"
pipelines:
  - id: deep
    connectors:
      - { id: src, type: source, plugin: ./twenty.mjs }
      - { id: pg, type: destination, plugin: builtin:postgres, settings: { url: "${url}" } }
      - { id: kafka, type: destination, plugin: builtin:kafka, settings: { servers: "${brokers}", topic: "${topic}" } }
    dead-letter-queue: { plugin: builtin:log, settings: { level: warn, message: dead letter }, window-size: 0 }
`,
    );
    const child: ChildProcess = spawn(
      process.execPath,
      [bin, 'run', 'p.yaml', '--json', '--state-dir', 'state'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    let exited = false;
    const exit = new Promise<number | null>((r) =>
      child.on('exit', (code) => {
        exited = true;
        r(code);
      }),
    );
    const deadLetters = () =>
      out
        .split('\n')
        .filter((l) => l.includes('"msg":"dead letter"'))
        .map((l) => JSON.parse(l).record as DeadLetter);
    try {
      const count = async () =>
        Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM items')).rows[0]!.n);
      await waitFor(async () => exited || (deadLetters().length === 2 && (await count()) === 19), {
        timeout: 60_000,
        description: 'two dead letters and 19 rows',
      });
      // Still running, not failed or retrying: wait a moment and look again.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(exited, out).toBe(false);
      expect(out).not.toMatch(/pipeline failed|Maximum call stack|unexpected error/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);

    const ids = (await c.query<{ id: number }>('SELECT id FROM items ORDER BY id')).rows.map(
      (r) => r.id,
    );
    await c.end();
    expect(ids).toEqual([...Array(20).keys()].filter((k) => k !== 10));

    const dead = deadLetters();
    expect(dead.map((d) => d.metadata['conduit.dlq.nack.node.id']).sort()).toEqual([
      'deep:kafka',
      'deep:pg',
    ]);
    for (const d of dead) {
      expect(d.payload.after.payload.after.id).toBe(10);
      // The reason names the limit (or the overflow it prevents), never just "unknown".
      expect(d.metadata['conduit.dlq.nack.error']).toMatch(/nested|too deep/);
      // The dead letter holds the record, cut where it gets too deep.
      expect(JSON.stringify(d.payload.after.payload.after.doc)).toMatch(/cut: nested more than/);
    }

    // Kafka got the other 19, in order.
    const side = kafka.source!;
    const src = side.create(
      side.config.parse({
        servers: brokers,
        topics: topic,
        readFromBeginning: 'true',
        valueFormat: 'opencdc',
      }),
      { connectorId: `t-${topic}`, logger },
    );
    await src.open(undefined);
    const got: OpenCDCRecord[] = [];
    try {
      await waitFor(
        async () => {
          got.push(...(await src.read(100, AbortSignal.timeout(1_000))));
          return got.length >= 19;
        },
        { timeout: 30_000 },
      );
    } finally {
      await src.teardown();
    }
    expect(got.map((r) => (r.payload.after as { id: number }).id)).toEqual(
      [...Array(20).keys()].filter((k) => k !== 10),
    );
  });
});
