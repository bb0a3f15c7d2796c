import { appendFile, mkdtemp, rename, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { AbortedError, type ConnectorContext } from '@opencdc-ts/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSource } from './source.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ctx: ConnectorContext = { connectorId: 'p:file', logger: silent };
const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);

let dir: string;
let path: string;
let sources: FileSource[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-source-'));
  path = join(dir, 'in.txt');
  sources = [];
});
afterEach(async () => {
  for (const s of sources) await s.teardown();
  await rm(dir, { recursive: true, force: true });
});

async function openSource(position?: string, pollMs = 50): Promise<FileSource> {
  const s = new FileSource({ path }, ctx, { pollMs });
  sources.push(s);
  await s.open(position === undefined ? undefined : new TextEncoder().encode(position));
  return s;
}

const read = (s: FileSource, max = 100, ms = 5_000) => s.read(max, AbortSignal.timeout(ms));
const lines = (rs: OpenCDCRecord[]) => rs.map((r) => text(r.payload.after));
const keys = (rs: OpenCDCRecord[]) => rs.map((r) => text(r.key));
const positions = (rs: OpenCDCRecord[]) => rs.map((r) => text(r.position));

describe('FileSource', () => {
  it('makes each line a create record as Conduit does (key: line number, raw payload, file.path)', async () => {
    await writeFile(path, 'hello\nworld\n');
    const s = await openSource();
    const rs = await read(s);
    expect(rs).toHaveLength(2);
    expect(rs[0]!.operation).toBe('create');
    expect(lines(rs)).toEqual(['hello', 'world']);
    expect(keys(rs)).toEqual(['1', '2']);
    expect(positions(rs)).toEqual(['6', '12']);
    expect(rs[0]!.metadata.get('file.path')).toBe(path);
    expect(rs[0]!.payload.before).toBeNull();
  });

  it('returns at most max records per read', async () => {
    await writeFile(path, 'a\nb\nc\n');
    const s = await openSource();
    expect(lines(await read(s, 2))).toEqual(['a', 'b']);
    expect(lines(await read(s, 2))).toEqual(['c']);
  });

  it('follows data appended later, and waits for the newline of a half-written line', async () => {
    await writeFile(path, 'first\n');
    const s = await openSource();
    expect(lines(await read(s))).toEqual(['first']);
    const next = read(s);
    await appendFile(path, 'sec');
    await new Promise((r) => setTimeout(r, 150));
    await appendFile(path, 'ond\nthird\n');
    expect(lines(await next)).toEqual(['second', 'third']);
  });

  it('waits for a file that does not exist yet', async () => {
    const s = await openSource();
    const next = read(s);
    await new Promise((r) => setTimeout(r, 100));
    await writeFile(path, 'created\n');
    expect(lines(await next)).toEqual(['created']);
  });

  it('resumes after a position with line numbers counted from the start of the file', async () => {
    await writeFile(path, 'a\nb\nc\nd\n');
    const s = await openSource('4');
    const rs = await read(s);
    expect(lines(rs)).toEqual(['c', 'd']);
    expect(keys(rs)).toEqual(['3', '4']);
  });

  it('reads from the start when the file is shorter than the position (truncated while down)', async () => {
    await writeFile(path, 'x\n');
    const s = await openSource('100');
    expect(keys(await read(s))).toEqual(['1']);
  });

  it('starts over when the file is truncated while it is followed', async () => {
    await writeFile(path, 'old line 1\nold line 2\n');
    const s = await openSource();
    expect(lines(await read(s))).toHaveLength(2);
    await truncate(path, 0);
    await appendFile(path, 'new\n');
    const rs = await read(s);
    expect(lines(rs)).toEqual(['new']);
    expect(keys(rs)).toEqual(['1']);
    expect(positions(rs)).toEqual(['4']);
  });

  it('stops with an error when the file is deleted', async () => {
    await writeFile(path, 'a\n');
    const s = await openSource();
    await read(s);
    await unlink(path);
    await expect(read(s)).rejects.toThrow(/deleted or moved away/);
  });

  it('stops with an error when the file is replaced by another one', async () => {
    await writeFile(path, 'a\n');
    const s = await openSource();
    await read(s);
    await writeFile(join(dir, 'other'), 'b\nc\n');
    await rename(join(dir, 'other'), path);
    await expect(read(s)).rejects.toThrow(/replaced by another file/);
  });

  it('rejects with AbortedError when the signal aborts a read that has nothing', async () => {
    await writeFile(path, '');
    const s = await openSource();
    const started = Date.now();
    await expect(read(s, 10, 200)).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('ends a waiting read with AbortedError at teardown', async () => {
    const s = await openSource();
    const next = s.read(1, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 50));
    await s.teardown();
    await expect(next).rejects.toBeInstanceOf(AbortedError);
  });

  it('refuses a position that is not a byte offset', async () => {
    await expect(openSource('{"offset":3}')).rejects.toThrow(/expected a byte offset/);
  });

  it('sees an append through the watch, without waiting for the poll', async () => {
    await writeFile(path, '');
    const s = await openSource(undefined, 60_000);
    const next = read(s);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await appendFile(path, 'now\n');
    expect(lines(await next)).toEqual(['now']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
