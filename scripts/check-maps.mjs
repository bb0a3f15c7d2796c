// Checks, for the package in the current directory, that every source map it would publish points
// at sources it also publishes (`npm pack --dry-run`): a map whose sources are missing sends a
// debugger or an editor's go-to-definition nowhere. Run by each package's `check:package`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const [pack] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }),
);
const shipped = new Set(pack.files.map((f) => normalize(f.path)));
const problems = [];
let maps = 0;
for (const file of shipped) {
  if (!file.endsWith('.map')) continue;
  maps++;
  const map = JSON.parse(readFileSync(file, 'utf8'));
  for (const source of map.sources ?? []) {
    const target = normalize(join(dirname(file), map.sourceRoot ?? '', source));
    if (!shipped.has(target)) problems.push(`${file} → ${target} (not in the package)`);
  }
}
if (problems.length > 0) {
  console.error(`${pack.name}: source maps point at files that are not published:`);
  for (const p of problems.slice(0, 20)) console.error(`  ${p}`);
  if (problems.length > 20) console.error(`  … and ${problems.length - 20} more`);
  process.exit(1);
}
console.log(`${pack.name}: ${maps} source maps, every source they name is published`);
