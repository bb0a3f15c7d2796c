import { describe, expect, it } from 'vitest';
import { pgxInterval, pgxTime } from './pgx-forms.js';

describe("Conduit's pgx struct forms", () => {
  it('renders pgtype.Time as time of day', () => {
    expect(pgxTime({ Microseconds: 14706789000, Valid: true })).toBe('04:05:06.789000');
    expect(pgxTime({ Microseconds: 0, Valid: true })).toBe('00:00:00.000000');
    expect(pgxTime({ Microseconds: 86_400_000_000, Valid: true })).toBe('24:00:00.000000');
    expect(pgxTime({ Microseconds: 1n, Valid: true })).toBe('00:00:00.000001');
  });

  it('renders pgtype.Interval as months, days and microseconds', () => {
    expect(pgxInterval({ Microseconds: 18000000, Days: 0, Months: 0, Valid: true })).toBe(
      '0 months 0 days 18000000 microseconds',
    );
    expect(pgxInterval({ Microseconds: -1, Days: 3, Months: 14, Valid: true })).toBe(
      '14 months 3 days -1 microseconds',
    );
  });

  it('leaves any other object alone', () => {
    expect(pgxTime({ Microseconds: 1, Valid: false })).toBeUndefined();
    expect(pgxTime({ Microseconds: 1.5, Valid: true })).toBeUndefined();
    expect(pgxTime({ Microseconds: -1, Valid: true })).toBeUndefined();
    expect(pgxTime({ Microseconds: 1, Valid: true, x: 1 })).toBeUndefined();
    expect(pgxTime([1, true])).toBeUndefined();
    expect(pgxTime('04:05:06')).toBeUndefined();
    expect(pgxInterval({ Microseconds: 1, Valid: true })).toBeUndefined();
  });
});
