import { ConfigError, TransientError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { classifyConnectError, kafkaErrorType } from './errors.js';

/** A kafkajs-shaped error (kafkajs sets `name`, `retriable`, `type`, `cause`). */
function kafkaJs(
  name: string,
  message: string,
  extra: { retriable?: boolean; type?: string; code?: string; cause?: unknown } = {},
): Error {
  const { cause, ...rest } = extra;
  return Object.assign(new Error(message, { cause }), { name, ...rest });
}

describe('classifyConnectError (the Kafka client boundary)', () => {
  it('connection losses and timeouts become TransientError, through retry wrappers', () => {
    const cases = [
      kafkaJs('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED', {
        retriable: true,
        code: 'ECONNREFUSED',
      }),
      kafkaJs('KafkaJSConnectionClosedError', 'Closed connection', { retriable: true }),
      kafkaJs('KafkaJSRequestTimeoutError', 'Request Produce timed out', { retriable: true }),
      kafkaJs('KafkaJSNumberOfRetriesExceeded', 'Connection error', {
        retriable: false,
        cause: kafkaJs('KafkaJSConnectionError', 'Connection error', { retriable: true }),
      }),
      kafkaJs('KafkaJSProtocolError', 'This server is not the leader for that topic-partition', {
        retriable: true,
        type: 'NOT_LEADER_FOR_PARTITION',
      }),
    ];
    for (const err of cases) {
      const e = classifyConnectError(err, 'localhost:9092');
      expect(e, err.name).toBeInstanceOf(TransientError);
      expect(e.cause).toBe(err);
      expect(e.message).toContain('localhost:9092');
    }
  });

  it('refused credentials and certificates are ConfigErrors', () => {
    const sasl = classifyConnectError(
      kafkaJs('KafkaJSSASLAuthenticationError', 'SASL PLAIN authentication failed'),
      'b:9092',
    );
    expect(sasl).toBeInstanceOf(ConfigError);
    expect((sasl as ConfigError).parameter).toBe('saslPassword');
    const cert = classifyConnectError(
      Object.assign(new Error('self-signed certificate'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
      'b:9093',
    );
    expect((cert as ConfigError).parameter).toBe('caCert');
  });

  it('returns the sdk classes as they are', () => {
    const t = new TransientError('x');
    expect(classifyConnectError(t, 'b')).toBe(t);
  });
});

describe('kafkaErrorType', () => {
  it('finds the protocol error type in the cause chain', () => {
    const inner = kafkaJs('KafkaJSProtocolError', 'too large', { type: 'MESSAGE_TOO_LARGE' });
    expect(kafkaErrorType(new Error('wrapped', { cause: inner }))).toBe('MESSAGE_TOO_LARGE');
    expect(kafkaErrorType(new Error('none'))).toBeUndefined();
  });
});
