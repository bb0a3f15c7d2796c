import { mkdtemp, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from './file-store.js';

/** A store in a new directory that saved positions v0…v(n-1) to pipeline `p`. */
async function savedVersions(n: number): Promise<{ dir: string; store: FileStateStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'opencdc-state-'));
  const store = new FileStateStore(dir);
  for (let i = 0; i < n; i++)
    await store.save('p', { position: `v${i}`, connectors: {}, updatedAt: '' });
  return { dir, store };
}

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
    expect((await readdir(join(dir, 'nested'))).sort()).toEqual([
      'a.json',
      'a.json.slots',
      'b%2Fc.json',
      'b%2Fc.json.slots',
    ]);
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
    expect((await readdir(dir)).sort()).toEqual(['p.json', 'p.json.slots']);
  });

  it('a leftover temporary file from a crash does not affect loading', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-state-'));
    const store = new FileStateStore(dir);
    await store.save('p', { position: 'good', connectors: {}, updatedAt: '' });
    await writeFile(join(dir, 'p.json.123.ab.tmp'), '{"position": "tor');
    expect((await store.load('p'))?.position).toBe('good');
  });

  it('saves between JSON rewrites go to the slots: a restart without close loads the newest', async () => {
    const { dir, store } = await savedVersions(5);
    // The JSON file got the first save (a second has not passed); the slots the others.
    const json = JSON.parse(await readFile(store.fileFor('p'), 'utf8')) as { position: string };
    expect(json.position).toBe('v0');
    // A crash: no close. Another process loads the newest.
    expect((await new FileStateStore(dir).load('p'))?.position).toBe('v4');
    // close writes the newest state to the JSON file, with its sequence number.
    await store.close();
    expect(JSON.parse(await readFile(store.fileFor('p'), 'utf8'))).toMatchObject({
      position: 'v4',
      seq: '5',
    });
    const again = new FileStateStore(dir);
    expect(await again.load('p')).toEqual({ position: 'v4', connectors: {}, updatedAt: '' });
    // Sequence numbers go on from what was loaded: the next save is the newest.
    await again.save('p', { position: 'v5', connectors: {}, updatedAt: '' });
    await again.save('p', { position: 'v6', connectors: {}, updatedAt: '' });
    expect((await new FileStateStore(dir).load('p'))?.position).toBe('v6');
  });

  it('a torn slot is ignored: the other slot (or the JSON file) is loaded', async () => {
    const { dir, store } = await savedVersions(3);
    // seq 3 (v2) is in slot 1, seq 2 (v1) in slot 0: tear slot 1's JSON.
    const slots = await readFile(`${store.fileFor('p')}.slots`);
    const fh = await open(`${store.fileFor('p')}.slots`, 'r+');
    await fh.write(Buffer.from('XX'), 0, 2, slots.length / 2 + 25);
    await fh.close();
    expect((await new FileStateStore(dir).load('p'))?.position).toBe('v1');
    // Both torn: the JSON file's state.
    const fh2 = await open(`${store.fileFor('p')}.slots`, 'r+');
    await fh2.write(Buffer.from('XX'), 0, 2, 25);
    await fh2.close();
    expect((await new FileStateStore(dir).load('p'))?.position).toBe('v0');
  });

  it('a state outgrowing its slot is written to the JSON file, and the slots grow', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-state-'));
    const store = new FileStateStore(dir);
    await store.save('p', { position: 'small', connectors: {}, updatedAt: '' });
    const big = `v${'x'.repeat(10_000)}`;
    await store.save('p', { position: big, connectors: {}, updatedAt: '' });
    expect(JSON.parse(await readFile(store.fileFor('p'), 'utf8')).position).toBe(big);
    await store.save('p', { position: `${big}2`, connectors: {}, updatedAt: '' });
    expect((await new FileStateStore(dir).load('p'))?.position).toBe(`${big}2`);
    await store.close();
  });

  it('loads a JSON file written before the slots existed (no sequence number)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-state-'));
    await writeFile(join(dir, 'p.json'), '{"position": "old", "connectors": {}, "updatedAt": "t"}');
    const store = new FileStateStore(dir);
    expect(await store.load('p')).toEqual({ position: 'old', connectors: {}, updatedAt: 't' });
    await store.save('p', { position: 'new', connectors: {}, updatedAt: '' });
    expect((await new FileStateStore(dir).load('p'))?.position).toBe('new');
  });

  it('brings the JSON file up to date about a second after saves pause (no close needed)', async () => {
    const { store } = await savedVersions(3);
    const json = async () =>
      (JSON.parse(await readFile(store.fileFor('p'), 'utf8')) as { position: string }).position;
    expect(await json()).toBe('v0');
    await new Promise((r) => setTimeout(r, 1300));
    expect(await json()).toBe('v2');
    await store.close();
  });
});
