// Type-checks each package's tests (`tsconfig.test.json`: src + test + bench, no emit), which
// `tsc -b` skips because the build excludes test files.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

let failed = false;
for (const dir of readdirSync('packages')) {
  const config = `packages/${dir}/tsconfig.test.json`;
  if (!existsSync(config)) continue;
  try {
    execFileSync('tsc', ['-p', config], { stdio: 'inherit' });
  } catch {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
