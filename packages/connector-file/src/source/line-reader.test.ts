import { appendFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countLines, LineReader } from './line-reader.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-lines-'));
  path = join(dir, 'in.txt');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('LineReader', () => {
  it('hands out complete lines with the offset past each one', async () => {
    await writeFile(path, 'a\nbc\r\n\nlast');
    const fh = await open(path, 'r');
    try {
      const r = new LineReader(fh, 0, 3); // chunks smaller than a line
      const lines = await r.lines(10);
      expect(lines.map((l) => text(l.bytes))).toEqual(['a', 'bc\r', '']);
      expect(lines.map((l) => l.end)).toEqual([2, 6, 7]);
      // "last" has no newline yet: not a line.
      expect(await r.lines(10)).toEqual([]);
      expect(r.offset).toBe(7);
      expect(r.readTo).toBe(11);
      await appendFile(path, '-line\n');
      const more = await r.lines(10);
      expect(more.map((l) => [text(l.bytes), l.end])).toEqual([['last-line', 17]]);
    } finally {
      await fh.close();
    }
  });

  it('returns at most max lines and continues where it stopped', async () => {
    await writeFile(path, '1\n2\n3\n4\n5\n');
    const fh = await open(path, 'r');
    try {
      const r = new LineReader(fh, 0);
      expect((await r.lines(2)).map((l) => text(l.bytes))).toEqual(['1', '2']);
      expect(r.offset).toBe(4);
      expect((await r.lines(2)).map((l) => text(l.bytes))).toEqual(['3', '4']);
      expect((await r.lines(2)).map((l) => text(l.bytes))).toEqual(['5']);
    } finally {
      await fh.close();
    }
  });

  it('starts at an offset and keeps bytes as they are (not UTF-8 decoded)', async () => {
    await writeFile(path, Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x0a]));
    const fh = await open(path, 'r');
    try {
      const lines = await new LineReader(fh, 2).lines(5);
      expect(lines).toEqual([{ bytes: new Uint8Array([0xff, 0xfe]), end: 5 }]);
      expect(lines[0]!.bytes.constructor).toBe(Uint8Array);
    } finally {
      await fh.close();
    }
  });

  it('reads a line longer than many chunks', async () => {
    const long = 'x'.repeat(10_000);
    await writeFile(path, `${long}\nshort\n`);
    const fh = await open(path, 'r');
    try {
      const lines = await new LineReader(fh, 0, 1024).lines(5);
      expect(lines.map((l) => l.bytes.length)).toEqual([10_000, 5]);
    } finally {
      await fh.close();
    }
  });
});

describe('countLines', () => {
  it('counts the newlines before an offset', async () => {
    await writeFile(path, 'a\nb\nc\nd');
    const fh = await open(path, 'r');
    try {
      expect(await countLines(fh, 0)).toBe(0);
      expect(await countLines(fh, 4)).toBe(2);
      expect(await countLines(fh, 6, 4)).toBe(3);
      expect(await countLines(fh, 100)).toBe(3);
    } finally {
      await fh.close();
    }
  });
});
