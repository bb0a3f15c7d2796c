import { DataError } from '@opencdc-ts/commons';
import { ConfigError, ConfigErrors, RecordError, TransientError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  ConnectorConfigError,
  classify,
  isDataError,
  PipelineStopError,
} from './retry.js';

const config = new ConfigError({ parameter: 'url', value: 'x', rule: 'required', fix: 'set it' });

describe('classify decides by class only', () => {
  it('configuration errors, stops and record errors are fatal', () => {
    expect(classify(config)).toBe('fatal');
    expect(classify(new ConfigErrors([config]))).toBe('fatal');
    expect(classify(new ConnectorConfigError('p:c', 'builtin:x', [config]))).toBe('fatal');
    expect(classify(new PipelineStopError('stop'))).toBe('fatal');
    expect(classify(new RecordError('bad', 0))).toBe('fatal');
  });

  it('a TransientError is transient, also as a cause and from another copy of the sdk', () => {
    expect(classify(new TransientError('lost'))).toBe('transient');
    expect(classify(new Error('read failed', { cause: new TransientError('lost') }))).toBe(
      'transient',
    );
    class Foreign extends Error {
      override readonly name = 'TransientError';
    }
    expect(classify(new Foreign('bundled sdk'))).toBe('transient');
  });

  it('driver errors a connector did not wrap are unknown (a few retries, then fail)', () => {
    const pg = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const socket = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const kafka = Object.assign(new Error('Connection error'), {
      name: 'KafkaJSConnectionError',
      retriable: true,
    });
    for (const err of [pg, socket, kafka, new Error('Connection terminated'), 'a string'])
      expect(classify(err)).toBe('unknown');
  });
});

describe('isDataError', () => {
  it('finds DataError and RangeError in the cause chain', () => {
    expect(isDataError(new DataError('bad'))).toBe(true);
    expect(isDataError(new Error('x', { cause: new RangeError('stack') }))).toBe(true);
    expect(isDataError(Object.assign(new Error('x'), { name: 'EncodeError' }))).toBe(true);
  });

  it('never for record or transient errors, or anything else', () => {
    expect(isDataError(new RecordError('bad', 0, { cause: new DataError('x') }))).toBe(false);
    expect(isDataError(new TransientError('x', { cause: new RangeError('x') }))).toBe(false);
    expect(isDataError(new Error('x'))).toBe(false);
    expect(isDataError(undefined)).toBe(false);
  });
});

describe('backoffMs', () => {
  it('grows from 200 ms and never exceeds its cap, jitter included', () => {
    for (let i = 0; i < 2_000; i++) {
      const attempt = i % 40;
      const ms = backoffMs(attempt);
      expect(ms).toBeLessThanOrEqual(10_000);
      expect(ms).toBeGreaterThanOrEqual(Math.min(150 * 2 ** Math.min(attempt, 16), 7_500));
      expect(backoffMs(attempt, 1_000)).toBeLessThanOrEqual(1_000);
    }
  });
});
