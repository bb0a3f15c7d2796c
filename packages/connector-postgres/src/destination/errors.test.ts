import { TransientError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { errorKind, isStatementError, wrapTransient } from './errors.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('errorKind', () => {
  it('classifies SQLSTATEs and socket errors', () => {
    expect(errorKind({ code: '23505' })).toBe('record');
    expect(errorKind({ code: '42P01' })).toBe('record');
    expect(errorKind({ code: '40P01' })).toBe('transient');
    expect(errorKind({ code: '40001' })).toBe('transient');
    for (const code of ['57P01', '57P02', '57P03', '08006', '08003', '08001', '53300'])
      expect(errorKind({ code }), code).toBe('transient');
    expect(errorKind(pgError('ECONNRESET'))).toBe('transient');
    expect(errorKind(pgError('ECONNREFUSED'))).toBe('transient');
    expect(errorKind(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(errorKind(new Error('Client was closed and is not queryable'))).toBe('transient');
    expect(errorKind(new Error('something else'))).toBe('other');
    expect(errorKind(pgError('XX000'))).toBe('other');
  });

  it('looks through wrappers to the driver error', () => {
    expect(errorKind(new Error('wrapped', { cause: pgError('57P01') }))).toBe('transient');
    expect(errorKind(new Error('wrapped', { cause: pgError('23505') }))).toBe('record');
  });

  it('a statement error has a SQLSTATE that is not transient', () => {
    expect(isStatementError(pgError('23505'))).toBe(true);
    expect(isStatementError(pgError('57P01'))).toBe(false);
    expect(isStatementError(new Error('Connection terminated'))).toBe(false);
  });
});

describe('wrapTransient', () => {
  it('wraps transient driver errors in TransientError, keeping the cause', () => {
    for (const err of [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('08006'),
      pgError('40001', 'could not serialize access'),
      pgError('40P01', 'deadlock detected'),
      pgError('ECONNREFUSED'),
      new Error('Connection terminated unexpectedly'),
    ]) {
      const w = wrapTransient(err, 'write: ');
      expect(w, (err as Error).message).toBeInstanceOf(TransientError);
      expect((w as Error).cause).toBe(err);
      expect((w as Error).message).toContain('postgres destination: write: ');
    }
  });

  it('returns other errors as they are', () => {
    const record = pgError('23505');
    const bug = new TypeError('x is undefined');
    const transient = new TransientError('already');
    expect(wrapTransient(record, '')).toBe(record);
    expect(wrapTransient(bug, '')).toBe(bug);
    expect(wrapTransient(transient, '')).toBe(transient);
  });
});
