// Type-checks each package's tests (`tsconfig.test.json`: src + test + bench, no emit), which
// `tsc -b` skips because the build excludes test files.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

let failed = false;
// The repository-level tests (release, fault suite) import packages through their built types.
const configs = [
  ...readdirSync('packages').map((dir) => `packages/${dir}/tsconfig.test.json`),
  'test/tsconfig.json',
];
for (const config of configs) {
  if (!existsSync(config)) continue;
  try {
    execFileSync('tsc', ['-p', config], { stdio: 'inherit' });
  } catch {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
