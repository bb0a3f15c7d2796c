import { describe, expect, it } from 'vitest';
import { createKafkaJsClient } from './kafkajs.js';
import { kafkajsFixesApplied } from './kafkajs-fixes.js';

describe('kafkajs fixes', () => {
  it('are in place once the client module is loaded', () => {
    expect(typeof createKafkaJsClient).toBe('function');
    expect(kafkajsFixesApplied()).toBe(true);
  });
});
