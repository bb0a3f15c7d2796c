import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/testing (works from both src/ and dist/). */
export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The monorepo root: the nearest ancestor with pnpm-workspace.yaml. */
export function repoRoot(): string {
  let dir = packageDir;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(packageDir, '..', '..');
    dir = parent;
  }
}

/** `<repo>/.cache`, shared between runs (git-ignored). `OPENCDC_CACHE_DIR` overrides it. */
export function cacheDir(): string {
  return process.env.OPENCDC_CACHE_DIR ?? join(repoRoot(), '.cache');
}
