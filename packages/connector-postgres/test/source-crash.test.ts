import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useSourceDatabase } from './source-helpers.js';

const child = fileURLToPath(new URL('./source-child.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../dist/source/index.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(dist))
    throw new Error(`build first (pnpm tsc -b packages/connector-postgres): ${dist} is missing`);
});
let url: string;
const settings = useSourceDatabase('pgsrc_crash', (u) => {
  url = u;
});

interface Line {
  c: string;
  op: string;
  id: number;
  pos: string;
}

/**
 * Runs the child until `stopAfter(records)` says so (then SIGKILL) or it has delivered
 * `until` distinct ids. Records are "durable" when received; the last one is the stored position.
 */
function runChild(
  settings: { [k: string]: string },
  position: string | undefined,
  onBatch: (lines: Line[]) => 'kill' | 'done' | 'continue',
): Promise<{ lines: Line[]; position: string | undefined }> {
  const env = {
    ...process.env,
    SOURCE_SETTINGS: JSON.stringify(settings),
    SOURCE_POSITION: position ?? '',
  };
  const proc: ChildProcess = spawn(process.execPath, [child], {
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const all: Line[] = [];
  let batch: Line[] = [];
  let pos = position;
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', () => resolve({ lines: all, position: pos }));
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (l !== 'END') {
        batch.push(JSON.parse(l) as Line);
        return;
      }
      all.push(...batch);
      pos = batch[batch.length - 1]?.pos ?? pos;
      batch = [];
      const verdict = onBatch(all);
      if (verdict === 'continue') proc.stdin!.write('ok\n');
      else proc.kill(verdict === 'kill' ? 'SIGKILL' : 'SIGTERM');
    });
  });
}

describe('postgres source: SIGKILL and resume', () => {
  it('resumes a snapshot killed midway and then CDC killed midway without losing anything', async () => {
    await sql(
      url,
      `CREATE TABLE k1 (id int PRIMARY KEY, pad text); CREATE TABLE k2 (id int PRIMARY KEY, pad text);
       INSERT INTO k1 SELECT g, repeat('a', 150) FROM generate_series(1, 30000) g;
       INSERT INTO k2 SELECT g, repeat('b', 150) FROM generate_series(1, 30000) g;`,
    );
    const s = settings({ tables: 'k1,k2', 'snapshot.fetchSize': '1000', bufferSize: '2000' });
    const seen = new Set<string>();
    const add = (ls: Line[]) => {
      for (const l of ls) seen.add(`${l.c}/${l.id}`);
    };

    // 1. Kill mid-snapshot.
    const r1 = await runChild(s, undefined, (ls) => (ls.length >= 10_000 ? 'kill' : 'continue'));
    add(r1.lines);
    expect(seen.size).toBeLessThan(60_000);

    // 2. Resume: the rest of the snapshot, then CDC; kill in the middle of CDC.
    let inserted = false;
    const r2 = await runChild(s, r1.position, (ls) => {
      add(ls);
      if (!inserted && seen.size >= 60_000) {
        inserted = true;
        void sql(url, "INSERT INTO k1 SELECT g, 'new' FROM generate_series(30001, 40000) g").then(
          () => sql(url, "INSERT INTO k2 SELECT g, 'new' FROM generate_series(30001, 30010) g"),
        );
      }
      return ls.some((l) => l.op === 'create') && seen.size >= 62_000 ? 'kill' : 'continue';
    });
    expect(seen.size).toBeLessThan(70_010);

    // 3. Resume CDC: everything arrives.
    const r3 = await runChild(s, r2.position, (ls) => {
      add(ls);
      return seen.size >= 70_010 ? 'done' : 'continue';
    });
    expect(r3.lines.length).toBeGreaterThan(0);
    expect(seen.size).toBe(70_010);
  });
});
