import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of sibling packages (no build needed), so
// `@opencdc-ts/<pkg>` and `@opencdc-ts/<pkg>/<sub>` resolve to `packages/<pkg>/src`.
const packages = fileURLToPath(new URL('./packages/', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@opencdc-ts\/([a-z-]+)$/,
        replacement: `${packages}$1/src/index.ts`,
      },
      {
        find: /^@opencdc-ts\/([a-z-]+)\/([a-z-]+)$/,
        replacement: `${packages}$1/src/$2/index.ts`,
      },
    ],
  },
  test: {
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
    // Integration files share one Postgres and the Kafka brokers, and the machine has 2 cores.
    // (Set here, not per project: vitest refuses projects that differ in maxWorkers.)
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
