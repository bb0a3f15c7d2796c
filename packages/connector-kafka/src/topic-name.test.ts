import { createRecord, Metadata } from '@opencdc-ts/commons';
import { ConfigError, compileRouter, RouteError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { kafkaTopicName } from './topic-name.js';

describe('kafkaTopicName', () => {
  it('accepts legal names and refuses the rest', () => {
    expect(kafkaTopicName('orders.v1_x-y')).toBeUndefined();
    expect(kafkaTopicName('.')).toMatch(/reserved/);
    expect(kafkaTopicName('..')).toMatch(/reserved/);
    expect(kafkaTopicName('a'.repeat(249))).toBeUndefined();
    expect(kafkaTopicName('a'.repeat(250))).toMatch(/249/);
    expect(kafkaTopicName('a b')).toBeDefined();
    expect(kafkaTopicName('')).toBeDefined();
  });
  it('as the router validator: static names at compile time, rendered names per record', () => {
    expect(() =>
      compileRouter({ parameter: 'topic', template: 'bad topic', validateName: kafkaTopicName }),
    ).toThrow(ConfigError);
    const router = compileRouter({
      parameter: 'topic',
      template: '{{ .Metadata.foo }}',
      validateName: kafkaTopicName,
    });
    const rec = (foo: string) =>
      createRecord({
        position: new Uint8Array([1]),
        metadata: new Metadata([['foo', foo]]),
        after: null,
      });
    expect(router.route(rec('ok'))).toBe('ok');
    expect(() => router.route(rec('no way'))).toThrow(RouteError);
    expect(() => router.route(rec('no way'))).toThrow(/may only contain/);
  });
});
