import { ConfigError, TransientError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { classify } from './connection.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('source error classes', () => {
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
