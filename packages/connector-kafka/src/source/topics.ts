import { ConfigError } from '@opencdc-ts/sdk';

/** Which topics a source reads: exact names and `/regex/` patterns. */
export interface TopicMatcher {
  readonly names: readonly string[];
  readonly patterns: readonly RegExp[];
  matches(topic: string): boolean;
}

/** Kafka-internal topics (`__consumer_offsets`, `__transaction_state`, ...) are never read. */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith('__');
}

/**
 * Splits the `topics` parameter on commas outside `/.../` patterns, so a pattern may hold a
 * comma (`/^t{1,3}$/`).
 */
export function splitTopics(text: string): string[] {
  const items: string[] = [];
  let cur = '';
  let inPattern = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '/' && (cur.trim() === '' || inPattern) && text[i - 1] !== '\\') {
      if (cur.trim() === '') cur = '';
      inPattern = !inPattern;
      cur += ch;
      continue;
    }
    if (ch === ',' && !inPattern) {
      items.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  items.push(cur.trim());
  return items.filter((s) => s !== '');
}

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Parses the `topics` parameter; throws `ConfigError` naming the bad item. */
export function parseTopics(text: string): TopicMatcher {
  const names: string[] = [];
  const patterns: RegExp[] = [];
  for (const item of splitTopics(text)) {
    if (item.length >= 2 && item.startsWith('/') && item.endsWith('/')) {
      try {
        patterns.push(new RegExp(item.slice(1, -1)));
      } catch (err) {
        throw new ConfigError({
          parameter: 'topics',
          value: item,
          rule: 'a valid regular expression between slashes',
          fix: `correct the pattern (${(err as Error).message})`,
        });
      }
      continue;
    }
    if (!TOPIC.test(item))
      throw new ConfigError({
        parameter: 'topics',
        value: item,
        rule: 'topic names of 1-249 characters a-z A-Z 0-9 . _ -, or /regex/ patterns',
        fix: 'correct the name, or write a pattern between slashes, e.g. /^orders\\..*/',
      });
    if (isInternalTopic(item))
      throw new ConfigError({
        parameter: 'topics',
        value: item,
        rule: 'not a Kafka-internal topic (names starting with __)',
        fix: 'remove it; internal topics hold broker state, not data',
      });
    if (!names.includes(item)) names.push(item);
  }
  if (names.length === 0 && patterns.length === 0)
    throw new ConfigError({
      parameter: 'topics',
      value: text,
      rule: 'at least one topic or pattern',
      fix: 'list topics, e.g. "orders,users" or "/^orders\\..*/"',
    });
  const exact = new Set(names);
  return {
    names,
    patterns,
    matches: (topic) =>
      !isInternalTopic(topic) && (exact.has(topic) || patterns.some((p) => p.test(topic))),
  };
}
