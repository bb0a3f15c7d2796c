import { describe, expect, it } from 'vitest';
import { connectorsCommand } from './connectors.js';

describe('opencdc connectors', () => {
  it("lists the SDK middleware parameters (sdk.*) of every connector's sides", async () => {
    const lines: string[] = [];
    await connectorsCommand({ json: true, extra: [] }, (s) => lines.push(s));
    const rows = JSON.parse(lines.join('\n')) as {
      plugin: string;
      specification?: {
        sourceParams: { [k: string]: unknown };
        destinationParams: { [k: string]: unknown };
      };
    }[];
    for (const r of rows.filter((r) => r.specification)) {
      const s = r.specification!;
      const sides = [s.sourceParams, s.destinationParams].filter((p) => Object.keys(p).length > 0);
      expect(sides.length, r.plugin).toBeGreaterThan(0);
      for (const params of sides) expect(Object.keys(params), r.plugin).toContain('sdk.batch.size');
    }
    expect(rows.map((r) => r.plugin)).toEqual(
      expect.arrayContaining([
        'builtin:log',
        'builtin:postgres',
        'builtin:kafka',
        'builtin:generator',
      ]),
    );
  });
});
