import { describe, expect, it } from 'vitest';
import type { AcceptanceContext } from './index.js';
import { acceptanceChecks, runAcceptanceTests } from './index.js';
import { type Breakage, memoryConnector } from './memory.fixture.js';

const configs = {
  sourceConfig: (ctx: AcceptanceContext) => ({
    store: ctx.id,
    collections: ctx.collections.join(','),
  }),
  destinationConfig: (ctx: AcceptanceContext) => ({ store: ctx.id }),
  readTimeout: 2_000,
  emptyReadTimeout: 200,
};

// The example connector passes the whole suite, feature tests included.
runAcceptanceTests({ connector: memoryConnector(), ...configs });

describe('a broken connector fails the suite', () => {
  async function failures(broken: Breakage): Promise<string[]> {
    const failed: string[] = [];
    for (const check of acceptanceChecks({
      connector: memoryConnector(broken),
      ...configs,
      readTimeout: 300,
    })) {
      if (check.skip !== undefined) continue;
      try {
        await check.run();
      } catch {
        failed.push(check.name);
      }
    }
    return failed;
  }

  it('routing ignored: the multiple-collections test fails', async () => {
    // The source test uses the destination to write upstream, so it fails too.
    expect(await failures('routing')).toEqual([
      'source: multiple collections',
      'destination: multiple collections',
    ]);
  });

  it('a record skipped after resume: the resume tests fail', async () => {
    expect(await failures('resume')).toEqual([
      'source: resume at a snapshot position',
      'source: resume at a cdc position',
      'source: no record lost across restarts (resume)',
    ]);
  });

  it('duplicates on redelivery: the idempotent-writes test fails', async () => {
    expect(await failures('duplicates')).toEqual(['destination: idempotent writes']);
  });

  it('missing descriptions: the specification test fails', async () => {
    expect(await failures('descriptions')).toEqual([
      'specification: parameters have valid names, types and descriptions',
    ]);
  });

  it('read returns early on an empty source: the read-timeout test fails', async () => {
    expect(await failures('timeout')).toContain('source: read timeout on an empty source');
  });

  it('every check of a full-featured connector runs (nothing skipped)', () => {
    const checks = acceptanceChecks({ connector: memoryConnector(), ...configs });
    expect(checks.filter((c) => c.skip !== undefined)).toEqual([]);
    expect(checks.length).toBeGreaterThanOrEqual(18);
  });

  it('a source-only connector skips destination checks with a reason', () => {
    const full = memoryConnector();
    const { destination: _, ...sourceOnly } = full;
    const checks = acceptanceChecks({
      connector: {
        ...sourceOnly,
        specification: {
          ...full.specification,
          features: { source: full.specification.features.source! },
        },
      },
      sourceConfig: configs.sourceConfig,
    });
    const skipped = checks.filter((c) => c.group === 'destination');
    expect(skipped.length).toBeGreaterThan(0);
    for (const c of skipped) expect(c.skip).toMatch(/no destination/);
    // No writer: source data tests say why they skip.
    expect(checks.find((c) => c.name === 'source: read success (snapshot)')!.skip).toMatch(
      /writeExpectedData/,
    );
  });
});
