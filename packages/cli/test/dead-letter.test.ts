import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@opencdc-ts/testing';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { twentyItemsPlugin } from './twenty-items-plugin.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

// 20 records for table "items"; n = -1 (ids 5 and 12) breaks the table's CHECK constraint.
const plugin = twentyItemsPlugin('{ id: k, n: k === 5 || k === 12 ? -1 : k }');

describe('dead letters with a real destination (Postgres)', () => {
  it('window-size 0: refused rows go to the dead-letter destination in Conduit format, the rest is written', async () => {
    const url = await createTestDatabase(inject('pgUrl'), 'cli_dlq');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL CHECK (n >= 0))');
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-dlq-'));
    await writeFile(join(dir, 'twenty.mjs'), plugin);
    await writeFile(
      join(dir, 'p.yaml'),
      `version: "2.2"
pipelines:
  - id: dlq
    connectors:
      - { id: src, type: source, plugin: ./twenty.mjs }
      - { id: pg, type: destination, plugin: builtin:postgres, settings: { url: "${url}" } }
    dead-letter-queue: { plugin: builtin:log, settings: { level: warn, message: dead letter }, window-size: 0 }
`,
    );
    const child = spawn(
      process.execPath,
      [bin, 'run', 'p.yaml', '--json', '--state-dir', 'state'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exit = new Promise<number | null>((r) => child.on('exit', r));
    const end = Date.now() + 30_000;
    while (Date.now() < end && !out.includes('"total":18')) {
      if (out.split('\n').filter((l) => l.includes('"msg":"dead letter"')).length === 2) {
        const n = Number(
          (await c.query<{ n: string }>('SELECT count(*) AS n FROM items')).rows[0]!.n,
        );
        if (n === 18) break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const ids = (await c.query<{ id: number }>('SELECT id FROM items ORDER BY id')).rows.map(
      (r) => r.id,
    );
    await c.end();
    expect(ids).toEqual([...Array(20).keys()].filter((k) => k !== 5 && k !== 12));
    const dead = out
      .split('\n')
      .filter((l) => l.includes('"msg":"dead letter"'))
      .map(
        (l) =>
          JSON.parse(l).record as {
            operation: string;
            metadata: { [k: string]: string };
            payload: { after: { payload: { after: { id: number } } } };
          },
      );
    expect(dead.map((d) => d.payload.after.payload.after.id)).toEqual([5, 12]);
    expect(dead[0]!.operation).toBe('create');
    expect(dead[0]!.metadata['conduit.dlq.nack.node.id']).toBe('dlq:pg');
    expect(dead[0]!.metadata['conduit.dlq.nack.error']).toMatch(/check|constraint|items/i);
    expect(dead[0]!.metadata['opencdc.createdAt']).toMatch(/^\d{19}$/);
  });
});
