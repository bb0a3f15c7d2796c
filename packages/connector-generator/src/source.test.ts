import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { AbortedError, ConfigError } from '@opencdc-ts/sdk';
import { describe, expect, test } from 'vitest';
import { parseConfig } from './config.js';
import { GeneratorSource } from './source.js';

const text = new TextDecoder();
const never = new AbortController().signal;

async function open(settings: { [k: string]: string }, position?: Uint8Array) {
  const source = new GeneratorSource(parseConfig(settings));
  await source.open(position);
  return source;
}

/** Comparable text of a record (`opencdc.readAt` is the runtime's: a source does not set it). */
function show(r: OpenCDCRecord): string {
  const m = Object.fromEntries(r.metadata);
  expect(m).not.toHaveProperty('opencdc.readAt');
  const d = (x: unknown) => (x instanceof Uint8Array ? text.decode(x) : x);
  return JSON.stringify([
    text.decode(r.position),
    r.operation,
    m,
    d(r.key),
    d(r.payload.before),
    d(r.payload.after),
  ]);
}

async function readN(source: GeneratorSource, n: number, batch = 100): Promise<OpenCDCRecord[]> {
  const out: OpenCDCRecord[] = [];
  while (out.length < n) out.push(...(await source.read(Math.min(batch, n - out.length), never)));
  return out;
}

describe('GeneratorSource', () => {
  test('unlimited rate: full batches at once', async () => {
    const s = await open({ 'format.options.x': 'int' });
    expect(await s.read(500, never)).toHaveLength(500);
    await s.teardown();
  });

  test('recordCount: stops producing, read waits until aborted', async () => {
    const s = await open({ 'format.options.x': 'int', recordCount: '5' });
    expect(await s.read(100, never)).toHaveLength(5);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(s.read(100, ac.signal)).rejects.toBeInstanceOf(AbortedError);
  });

  test('rate limits without busy loops and honours abort while waiting', async () => {
    const s = await open({ 'format.options.x': 'int', rate: '100' });
    const started = performance.now();
    const records = await readN(s, 30, 10);
    const elapsed = performance.now() - started;
    expect(records).toHaveLength(30);
    // 30 records at 100/s: about 300 ms (timers may run late, never early).
    expect(elapsed).toBeGreaterThan(250);
    expect(elapsed).toBeLessThan(1500);
    const slow = await open({ 'format.options.x': 'int', rate: '0.01' });
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 30);
    await expect(slow.read(10, ac.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  test('bursts: nothing during sleep phases', async () => {
    const s = await open({
      'format.options.x': 'int',
      'burst.generateTime': '50ms',
      'burst.sleepTime': '200ms',
    });
    const t0 = performance.now();
    await s.read(10, never);
    // Wait past the first generate phase: the next read must land in the second one.
    await new Promise((r) => setTimeout(r, 80));
    await s.read(10, never);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(245);
  });

  test('seeded: open(position of record N) continues with record N+1', async () => {
    const settings = {
      seed: '11',
      rate: '100000',
      'collections.a.format.options.n': 'person.fullName',
      'collections.a.operations': 'create,update,delete',
      'collections.b.format.type': 'raw',
      'collections.b.format.options.t': 'time',
      'collections.b.rate': '50000',
    };
    const all = (await readN(await open(settings), 400)).map(show);
    const first = await readN(await open(settings), 150);
    const resumed = await open(settings, first[149]!.position);
    expect((await readN(resumed, 250)).map(show)).toEqual(all.slice(150));
  });

  test('unseeded: resume continues the sequence and key space', async () => {
    const settings = { 'format.options.x': 'int', operations: 'create' };
    const first = await readN(await open(settings), 10);
    const resumed = await open(settings, first[9]!.position);
    const [next] = await resumed.read(1, never);
    expect(next!.key).toEqual({ id: 11 });
    expect(text.decode(next!.position)).toBe('{"seq":11,"c":{"":[11,11]}}');
  });

  test('file format reads the file at open; a missing file is a ConfigError', async () => {
    const path = join(tmpdir(), `generator-source-${process.pid}.txt`);
    writeFileSync(path, 'payload!');
    const s = await open({ 'format.type': 'file', 'format.options.path': path });
    const [r] = await s.read(1, never);
    expect(text.decode(r!.payload.after as Uint8Array)).toBe('payload!');
    const bad = new GeneratorSource(
      parseConfig({ 'format.type': 'file', 'format.options.path': '/nonexistent/x' }),
    );
    await expect(bad.open(undefined)).rejects.toBeInstanceOf(ConfigError);
  });
});
