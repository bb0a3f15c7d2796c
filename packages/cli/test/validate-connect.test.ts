// Issue 20: `opencdc validate --connect` checks each connector against its server as opening it
// would (reachability, permissions, wal_level, tables), then closes, moving no data and leaving
// nothing behind (no replication slot, no publication).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, freePort } from '@opencdc-ts/testing';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { validateCommand } from '../src/commands/validate.js';

let url: string;
let dir: string;

async function query(text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function validate(yaml: string): Promise<{ code: number; output: string }> {
  const file = join(dir, `p${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, yaml);
  const lines: string[] = [];
  const code = await validateCommand(file, (l) => lines.push(l), process.env, { connect: true });
  return { code, output: lines.join('\n') };
}

const pipeline = (source: string, destination: string) => `version: "2.2"
pipelines:
  - id: check
    connectors:
      - { id: src, type: source, plugin: builtin:postgres, settings: { ${source} } }
      - { id: dst, type: destination, plugin: builtin:kafka, settings: { ${destination} } }
`;

beforeAll(async () => {
  url = await createTestDatabase(inject('pgUrl'), 'validate_connect');
  dir = await mkdtemp(join(tmpdir(), 'validate-connect-'));
  await query('CREATE TABLE orders (id int PRIMARY KEY, item text)');
});

describe('opencdc validate --connect', () => {
  it('connects every connector, reports ok, and leaves no slot or publication behind', async () => {
    const r = await validate(
      pipeline(
        `url: "${url}", tables: orders, logrepl.slotName: vc_slot, logrepl.publicationName: vc_pub`,
        `servers: "${inject('kafkaBrokers').join(',')}", topic: vc`,
      ),
    );
    expect(r.output).toContain('ok: connected check:src (builtin:postgres)');
    expect(r.output).toContain('ok: connected check:dst (builtin:kafka)');
    expect(r.code, r.output).toBe(0);
    const slots = await query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'vc_slot'");
    const pubs = await query("SELECT 1 FROM pg_publication WHERE pubname = 'vc_pub'");
    expect([slots.rowCount, pubs.rowCount]).toEqual([0, 0]);
  });

  it('a missing table is a configuration error naming the parameter (exit 2)', async () => {
    const r = await validate(
      pipeline(
        `url: "${url}", tables: "orders, nosuch"`,
        `servers: "${inject('kafkaBrokers').join(',')}", topic: vc`,
      ),
    );
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/connector "check:src" \(builtin:postgres\): .*tables/);
  });

  it('an unreachable broker names the connector (exit 1)', async () => {
    const port = await freePort();
    const r = await validate(
      pipeline(`url: "${url}", tables: orders`, `servers: "127.0.0.1:${port}"`),
    );
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/error: connector "check:dst" \(builtin:kafka\): .*127\.0\.0\.1/);
  });
});
