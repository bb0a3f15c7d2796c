import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('Go durations', () => {
  it.each([
    ['0', 0],
    ['1s', 1000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['-2s', -2000],
    ['100us', 0.1],
    ['2h45m', 9_900_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBeCloseTo(ms));
  it.each(['', '1', 's', '1x', '1s ', '1 s', '--1s'])('rejects %j', (t) =>
    expect(parseDuration(t)).toBeUndefined(),
  );
  it('formats', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(500)).toBe('500ms');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3_600_000)).toBe('1h0m0s');
    expect(parseDuration(formatDuration(5_400_500))).toBe(5_400_500);
  });
});
