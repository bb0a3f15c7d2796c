import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from './file-store.js';

describe('FileStateStore', () => {
  it('round-trips state per pipeline and leaves no temporary files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-state-'));
    const store = new FileStateStore(join(dir, 'nested'));
    expect(await store.load('a')).toBeUndefined();
    await store.save('a', {
      position: 'AQI=',
      connectors: { 'a:src': { createdAt: 'x' } },
      updatedAt: 't',
    });
    await store.save('b/c', { connectors: {}, updatedAt: 't' });
    expect((await store.load('a'))?.position).toBe('AQI=');
    expect(await store.load('b/c')).toEqual({ connectors: {}, updatedAt: 't' });
    expect((await readdir(join(dir, 'nested'))).sort()).toEqual(['a.json', 'b%2Fc.json']);
  });

  it('concurrent saves never leave a torn file: every read sees a complete state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-state-'));
    const store = new FileStateStore(dir);
    const big = 'x'.repeat(200_000);
    let reads = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        try {
          const text = await readFile(store.fileFor('p'), 'utf8');
          const s = JSON.parse(text) as { position: string };
          expect(s.position.startsWith('v')).toBe(true);
          reads++;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    })();
    for (let i = 0; i < 40; i++)
      await store.save('p', { position: `v${i}${big}`, connectors: {}, updatedAt: '' });
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect((await store.load('p'))?.position?.slice(0, 3)).toBe('v39');
    expect(await readdir(dir)).toEqual(['p.json']);
  });

  it('a leftover temporary file from a crash does not affect loading', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-state-'));
    const store = new FileStateStore(dir);
    await store.save('p', { position: 'good', connectors: {}, updatedAt: '' });
    await writeFile(join(dir, 'p.json.123.ab.tmp'), '{"position": "tor');
    expect((await store.load('p'))?.position).toBe('good');
  });
});
