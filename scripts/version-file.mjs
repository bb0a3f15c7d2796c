// Writes `src/version.ts` of the package in the current directory from its package.json, so the
// version a connector reports in its specification is the one its package is published with
// (changesets bumps package.json only). Run by the package's `build` and `generate` scripts and
// by the root `version-packages` (through `generate`); the file is committed, and CI's
// generated-code check fails when it is stale. Writes only when the text changes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const text = `// Generated from package.json by scripts/version-file.mjs (build, generate): do not edit.
/** The version of ${name} (its package.json). */
export const VERSION = '${version}';
`;
const file = 'src/version.ts';
if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
