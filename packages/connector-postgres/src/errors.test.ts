import { ConfigError, TransientError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import {
  classify,
  connectConfigError,
  errorKind,
  isStatementError,
  redactUrl,
  wrapTransient,
} from './errors.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('errorKind', () => {
  it('classifies SQLSTATEs and socket errors', () => {
    expect(errorKind({ code: '23505' })).toBe('record');
    expect(errorKind({ code: '42P01' })).toBe('record');
    expect(errorKind({ code: '40P01' })).toBe('transient');
    expect(errorKind({ code: '40001' })).toBe('transient');
    for (const code of ['57P01', '57P02', '57P03', '08006', '08003', '08001', '08P01', '53300'])
      expect(errorKind({ code }), code).toBe('transient');
    for (const code of ['55006', '55P03', '58030'])
      expect(errorKind({ code }), code).toBe('transient');
    for (const code of [
      'ECONNRESET',
      'ECONNREFUSED',
      'ECONNABORTED',
      'EPIPE',
      'ETIMEDOUT',
      'ENOTFOUND',
      'EAI_AGAIN',
      'ENETUNREACH',
      'EHOSTUNREACH',
    ])
      expect(errorKind(pgError(code)), code).toBe('transient');
    expect(errorKind(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(errorKind(new Error('Client was closed and is not queryable'))).toBe('transient');
    expect(errorKind(new Error('socket hang up'))).toBe('transient');
    expect(errorKind(new Error('something else'))).toBe('other');
    expect(errorKind(pgError('XX000'))).toBe('other');
  });

  it('wrong credentials and unknown databases are configuration errors', () => {
    for (const code of ['28P01', '28000', '3D000'])
      expect(errorKind({ code }), code).toBe('config');
  });

  it('a SQLSTATE decides before the message', () => {
    expect(errorKind(pgError('42P01', 'relation "connection_log" does not exist'))).toBe('record');
  });

  it('looks through wrappers to the driver error', () => {
    expect(errorKind(new Error('wrapped', { cause: pgError('57P01') }))).toBe('transient');
    expect(errorKind(new Error('wrapped', { cause: pgError('23505') }))).toBe('record');
    expect(errorKind(new Error('wrapped', { cause: new TransientError('t') }))).toBe('transient');
  });

  it('a statement error has a SQLSTATE that is not transient', () => {
    expect(isStatementError(pgError('23505'))).toBe(true);
    expect(isStatementError(pgError('57P01'))).toBe(false);
    expect(isStatementError(pgError('EPIPE'))).toBe(false);
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
      const w = wrapTransient(err, 'postgres destination: write: ');
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

describe('classify (the source)', () => {
  it('session losses, serialization failures and deadlocks become TransientErrors', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08P01', '40001', '40P01', '55006'])
      expect(classify(pgError(code)), code).toBeInstanceOf(TransientError);
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'])
      expect(classify(pgError(code)), code).toBeInstanceOf(TransientError);
    expect(classify(new Error('Connection terminated unexpectedly'))).toBeInstanceOf(
      TransientError,
    );
    // Found anywhere in the cause chain.
    expect(classify(new Error('query failed', { cause: pgError('57P01') }))).toBeInstanceOf(
      TransientError,
    );
  });

  it('keeps TransientError and ConfigError, leaves anything else a plain error', () => {
    const t = new TransientError('t');
    expect(classify(t)).toBe(t);
    const c = new ConfigError({ parameter: 'url', value: 'x', rule: 'r', fix: 'f' });
    expect(classify(c)).toBe(c);
    const bug = pgError('42601', 'syntax error');
    expect(classify(bug)).toBe(bug);
    expect(classify('odd')).toBeInstanceOf(Error);
    expect(classify('odd')).not.toBeInstanceOf(TransientError);
  });
});

describe('connectConfigError', () => {
  const url = 'postgres://app:s3cret@db:5432/shop';

  it('a wrong password is a ConfigError on url, the password hidden', () => {
    const cause = pgError('28P01', 'password authentication failed for user "app"');
    const e = connectConfigError(cause, url);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e?.parameter).toBe('url');
    expect(e?.message).not.toContain('s3cret');
    expect(e?.message).toContain('password authentication failed');
    expect(e?.cause).toBe(cause);
  });

  it('an unknown database names the fix', () => {
    const e = connectConfigError(pgError('3D000', 'database "shop" does not exist'), url);
    expect(e?.message).toMatch(/existing database/);
  });

  it('anything else is not a configuration error', () => {
    expect(connectConfigError(pgError('ECONNREFUSED'), url)).toBeUndefined();
    expect(connectConfigError(pgError('57P03'), url)).toBeUndefined();
    expect(connectConfigError(new Error('x'), url)).toBeUndefined();
  });

  it('redactUrl hides the password', () => {
    expect(redactUrl(url)).toBe('postgres://app:***@db:5432/shop');
    expect(redactUrl('not a url')).toBe('(unparsable URL)');
  });
});
