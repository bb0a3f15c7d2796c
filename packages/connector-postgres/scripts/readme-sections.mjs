// Splices the source side's README text (src/source/README-section.md, written by the source's
// maintainers) into README.md between <!-- source:start --> and <!-- source:end -->.
// Part of `pnpm generate`, so CI notices a README that is out of date.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- source:start -->';
const END = '<!-- source:end -->';
const readme = readFileSync('README.md', 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) throw new Error(`README.md lacks ${START} ... ${END}`);
const section = existsSync('src/source/README-section.md')
  ? readFileSync('src/source/README-section.md', 'utf8').trim()
  : '## Source\n\n_Documentation of the source side is being written._';
const next = `${readme.slice(0, from + START.length)}\n${section}\n${readme.slice(to)}`;
if (next !== readme) writeFileSync('README.md', next);
