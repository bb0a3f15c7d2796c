import { describe, it } from 'vitest';
import { addDestinationChecks } from './destination-checks.js';
import { createHarness } from './harness.js';
import type { AcceptanceCheck, AcceptanceOptions } from './options.js';
import { addSourceChecks } from './source-checks.js';
import { addSpecificationChecks } from './specification-checks.js';

/**
 * Registers the acceptance suite as vitest tests (call at the top level of a test file).
 * Checks that do not apply are reported as skipped with the reason.
 */
export function runAcceptanceTests<SC, DC>(options: AcceptanceOptions<SC, DC>): void {
  const checks = acceptanceChecks(options);
  const timeout = options.testTimeout ?? 60_000 + 3 * (options.readTimeout ?? 20_000);
  describe(options.name ?? `acceptance: ${options.connector.specification.name}`, () => {
    for (const group of ['specification', 'source', 'destination'] as const) {
      const mine = checks.filter((c) => c.group === group);
      if (mine.length === 0) continue;
      describe(group, () => {
        for (const check of mine) {
          it(
            check.name,
            async (t) => {
              if (check.skip !== undefined) t.skip(check.skip);
              await check.run();
            },
            timeout,
          );
        }
      });
    }
  });
}

/** The acceptance checks for a connector, as plain functions (no vitest registration). */
export function acceptanceChecks<SC, DC>(options: AcceptanceOptions<SC, DC>): AcceptanceCheck[] {
  const h = createHarness(options);
  addSpecificationChecks(h);
  addSourceChecks(h);
  addDestinationChecks(h);
  return h.checks;
}
