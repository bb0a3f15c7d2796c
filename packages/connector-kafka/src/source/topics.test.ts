import { ConfigError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { parseTopics, splitTopics } from './topics.js';

describe('topics', () => {
  it('splits on commas outside patterns', () => {
    expect(splitTopics('a, b ,/^c{1,3}$/, d')).toEqual(['a', 'b', '/^c{1,3}$/', 'd']);
  });

  it('matches names and patterns, never internal topics', () => {
    const m = parseTopics('orders,/^inv\\..*/,/.*/');
    expect(m.names).toEqual(['orders']);
    expect(m.matches('orders')).toBe(true);
    expect(m.matches('inv.items')).toBe(true);
    expect(m.matches('__consumer_offsets')).toBe(false);
    expect(m.matches('__transaction_state')).toBe(false);
  });

  it('rejects bad names, bad patterns and internal names', () => {
    expect(() => parseTopics('a b')).toThrow(ConfigError);
    expect(() => parseTopics('/(/')).toThrow(/regular expression/);
    expect(() => parseTopics('__consumer_offsets')).toThrow(/internal/);
    expect(() => parseTopics(' , ')).toThrow(/at least one/);
  });
});
