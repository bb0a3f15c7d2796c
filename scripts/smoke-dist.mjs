// Imports every public package from its built `dist` through its own `exports` map (as a user
// would) and checks the entry loads and exports something: what gets published is what works.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../packages/', import.meta.url);
let failed = 0;
for (const dir of readdirSync(root)) {
  const pkgPath = new URL(`${dir}/package.json`, root);
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  if (pkg.private) continue;
  const entry = pkg.exports?.['.']?.default ?? pkg.exports?.['.']?.import;
  try {
    const mod = await import(pathToFileURL(join(root.pathname, dir, entry)).href);
    if (Object.keys(mod).length === 0) throw new Error('entry exports nothing');
    console.log(`ok   ${pkg.name}@${pkg.version} (${Object.keys(mod).length} exports)`);
  } catch (err) {
    failed++;
    console.error(`FAIL ${pkg.name}: ${err instanceof Error ? err.message : err}`);
  }
}
process.exit(failed ? 1 : 0);
