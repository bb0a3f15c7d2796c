import { expect, test } from 'vitest';
import { activeTime, inGeneratePhase, nextGeneratePhase, sleep, wallTimeFor } from './schedule.js';

const burst = { generateTime: 100, sleepTime: 400 };
const none = { generateTime: 1000, sleepTime: 0 };

test('active time counts only generate phases', () => {
  expect(activeTime(50, burst)).toBe(50);
  expect(activeTime(300, burst)).toBe(100);
  expect(activeTime(550, burst)).toBe(150);
  expect(activeTime(1234, none)).toBe(1234);
});

test('wallTimeFor inverts activeTime at phase boundaries', () => {
  expect(wallTimeFor(0, burst)).toBe(0);
  expect(wallTimeFor(50, burst)).toBe(50);
  expect(wallTimeFor(100, burst)).toBe(100);
  expect(wallTimeFor(101, burst)).toBe(501);
  expect(wallTimeFor(250, burst)).toBe(1050);
  for (const a of [1, 37, 100, 199, 200, 201, 999]) {
    expect(activeTime(wallTimeFor(a, burst), burst)).toBeCloseTo(a, 9);
  }
  expect(wallTimeFor(77, none)).toBe(77);
});

test('generate phases', () => {
  expect(inGeneratePhase(10, burst)).toBe(true);
  expect(inGeneratePhase(150, burst)).toBe(false);
  expect(nextGeneratePhase(150, burst)).toBe(500);
  expect(inGeneratePhase(10_000, none)).toBe(true);
});

test('sleep resolves false as soon as the signal aborts', async () => {
  const ac = new AbortController();
  const started = Date.now();
  const p = sleep(10_000, ac.signal);
  setTimeout(() => ac.abort(), 20);
  expect(await p).toBe(false);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(await sleep(1, new AbortController().signal)).toBe(true);
});
