import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reindentQuotedContinuations } from './yaml-compat.js';

describe('reindentQuotedContinuations', () => {
  it('reads a `conduit pipelines init` description as yaml.v3 does (folded with spaces)', () => {
    const text = `pipelines:
  - id: "demo"
    description: "First line.
It is a demo, with a \\"quote\\".

Last line."
    status: running
`;
    const fixed = reindentQuotedContinuations(text);
    expect(fixed?.split('\n').length).toBe(text.split('\n').length);
    expect(parse(fixed as string)).toEqual({
      pipelines: [
        {
          id: 'demo',
          description: 'First line. It is a demo, with a "quote".\nLast line.',
          status: 'running',
        },
      ],
    });
  });

  it('handles single quotes, leaves block scalars and well-indented text alone', () => {
    const text = `a: 'it''s
long'
b: |
  "not a quote
c: "fine"
`;
    const fixed = reindentQuotedContinuations(text) as string;
    expect(parse(fixed)).toEqual({ a: "it's long", b: '"not a quote\n', c: 'fine' });
    expect(reindentQuotedContinuations('a: "x\n    y"\n')).toBeUndefined();
  });
});
