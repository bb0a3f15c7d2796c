/**
 * File → file through the connector API: the README's library example, resuming at an acked
 * position (records after it come again once, those before it never), and a pipeline process
 * killed (SIGKILL) again and again while lines are appended: every line arrives, in order, and
 * each restart continues right after the last saved position.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromOpenCDCJSON, type OpenCDCRecord } from '@opencdc-ts/commons';
import { connector, decodePosition } from '@opencdc-ts/connector-file';
import type { Position } from '@opencdc-ts/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// Relative: the private @opencdc-ts/testing is not a dependency of this package.
import { readmeExample } from '../../testing/src/readme.js';
import { copyLines } from './library-example.fixture.js';

const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let dir: string;
let input: string;
let output: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-to-file-'));
  input = join(dir, 'example.in');
  output = join(dir, 'example.out');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line-${from + i}\n`).join('');

async function written(): Promise<OpenCDCRecord[]> {
  const t = await readFile(output, 'utf8').catch(() => '');
  return t === '' ? [] : t.trimEnd().split('\n').map(fromOpenCDCJSON);
}
const keys = (rs: OpenCDCRecord[]) => rs.map((r) => Number(text(r.key)));

it('the README quotes the library example verbatim', () => {
  const { block, readme } = readmeExample(
    new URL('./library-example.fixture.ts', import.meta.url),
    new URL('../README.md', import.meta.url),
  );
  expect(readme).toContain(block);
});

it('the library example copies lines, and continues after the position it returned', async () => {
  await writeFile(input, lines(1, 10));
  const position = await copyLines(input, output, 6);
  expect(text(position)).toBe(String(Buffer.byteLength(lines(1, 6))));
  await copyLines(input, output, 4, position);
  const rs = await written();
  expect(keys(rs)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(rs.map((r) => text(r.payload.after))).toEqual(lines(1, 10).trimEnd().split('\n'));
  expect(rs.every((r) => r.metadata.get('file.path') === input)).toBe(true);
});

describe('resume at the acked position', () => {
  const ctx = (id: string) => ({ connectorId: id, logger: silent });

  async function run(after: Position | undefined, count: number, ackThrough: number) {
    const src = connector.source!;
    const dst = connector.destination!;
    const source = src.create(src.config.parse({ path: input }), ctx('p:src'));
    const destination = dst.create(dst.config.parse({ path: output }), ctx('p:dst'));
    await source.open(after);
    await destination.open();
    let acked = after;
    try {
      const got: OpenCDCRecord[] = [];
      while (got.length < count) {
        const batch = await source.read(count - got.length, AbortSignal.timeout(10_000));
        await destination.write(batch);
        got.push(...batch);
      }
      // Only the first `ackThrough` are acked (the runtime saves that position); then "crash".
      if (ackThrough > 0) {
        await source.ack(got.slice(0, ackThrough).map((r) => r.position));
        acked = got[ackThrough - 1]!.position;
      }
      return acked;
    } finally {
      await source.teardown();
      await destination.teardown();
    }
  }

  it('gives the unacked records again exactly once, then follows new lines', async () => {
    await writeFile(input, lines(1, 10));
    const acked = await run(undefined, 10, 6);
    expect(keys(await written())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Restart at the acked position while more lines are appended.
    const more = (async () => {
      await new Promise((r) => setTimeout(r, 100));
      await appendFile(input, lines(11, 15));
    })();
    const acked2 = await run(acked, 9, 9);
    await more;
    expect(keys(await written())).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      ...[7, 8, 9, 10, 11, 12, 13, 14, 15],
    ]);
    // Everything acked: a restart has nothing to read until a line is appended.
    const source = connector.source!.create(
      connector.source!.config.parse({ path: input }),
      ctx('p:src'),
    );
    await source.open(acked2);
    try {
      await expect(source.read(10, AbortSignal.timeout(300))).rejects.toThrow();
      await appendFile(input, lines(16, 16));
      const [r] = await source.read(10, AbortSignal.timeout(5_000));
      expect([text(r!.key), text(r!.payload.after)]).toEqual(['16', 'line-16']);
    } finally {
      await source.teardown();
    }
  });
});

describe('a pipeline process killed with SIGKILL', () => {
  const worker = new URL('./copy-worker.mjs', import.meta.url);
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  function start(positionFile: string): ChildProcess {
    child = fork(worker, [input, output, positionFile], { stdio: 'inherit' });
    return child;
  }

  async function kill(c: ChildProcess): Promise<void> {
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  it('loses nothing and repeats only what follows the last saved position', async () => {
    const positionFile = join(dir, 'position');
    await writeFile(input, '');
    // Lines keep coming (10 every 10 ms) while the pipeline is killed and restarted.
    let total = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await appendFile(input, lines(total + 1, total + 10));
        total += 10;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const inputText = () => readFile(input);
    // Per restart: the output size and the saved position's line count at the kill.
    const boundaries: { bytes: number; savedLines: number }[] = [];
    for (let kills = 0; kills < 6; kills++) {
      const c = start(positionFile);
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 400));
      await kill(c);
      const saved = await readFile(positionFile).catch(() => undefined);
      const offset = saved ? decodePosition(saved) : 0;
      const savedLines = (await inputText()).subarray(0, offset).toString().split('\n').length - 1;
      boundaries.push({ bytes: (await stat(output).catch(() => ({ size: 0 }))).size, savedLines });
    }
    writing = false;
    await writer;
    // A last run to the end.
    const c = start(positionFile);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ks = keys(await written());
      if (ks[ks.length - 1] === total) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await kill(c);

    const all = await readFile(output);
    const rs = await written();
    // Every line arrived, with its own bytes and line number.
    expect(new Set(keys(rs)).size).toBe(total);
    for (const r of rs) expect(text(r.payload.after)).toBe(`line-${text(r.key)}`);
    // Split the output where each run began: each run is consecutive lines, starting right
    // after the position saved when the previous run was killed.
    let from = 0;
    let expectedFirst = 1;
    let duplicates = 0;
    let lastKey = 0;
    for (const b of [...boundaries, { bytes: all.length, savedLines: total }]) {
      const seg = all.subarray(from, b.bytes).toString();
      const ks = seg === '' ? [] : keys(seg.trimEnd().split('\n').map(fromOpenCDCJSON));
      if (ks.length > 0) {
        expect(ks[0]).toBe(expectedFirst);
        expect(ks).toEqual(ks.map((_, i) => ks[0]! + i));
        duplicates += Math.max(0, lastKey - ks[0]! + 1);
        lastKey = ks[ks.length - 1]!;
      }
      // The saved position never runs ahead of what was written.
      expect(b.savedLines).toBeLessThanOrEqual(lastKey);
      expectedFirst = b.savedLines + 1;
      from = b.bytes;
    }
    // At most one unsaved batch (7 records) is written again per kill.
    expect(duplicates).toBeLessThanOrEqual(7 * boundaries.length);
    expect(rs.length).toBe(total + duplicates);
  }, 90_000);
});
