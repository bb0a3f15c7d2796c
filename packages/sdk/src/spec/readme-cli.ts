/**
 * opencdc-readme <module> <README.md> [--check]: imports a built connector module (its `connector`
 * or default export) and rewrites the README text between the parameter markers with the
 * features and parameter tables. `--check` changes nothing and exits 1 when out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connector } from '../connector.js';
import { renderReadmeSection, replaceReadmeSection } from './readme.js';

function isConnector(v: unknown): v is Connector {
  return typeof v === 'object' && v !== null && 'specification' in v;
}

/** The `opencdc-readme` command; returns the exit code. */
export async function readmeCli(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--check');
  const check = args.length !== argv.length;
  const [modulePath, readmePath] = args;
  if (!modulePath || !readmePath || args.length !== 2) {
    process.stderr.write('usage: opencdc-readme <connector module> <README.md> [--check]\n');
    return 2;
  }
  const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as {
    connector?: unknown;
    default?: unknown;
  };
  const connector = isConnector(mod.connector) ? mod.connector : mod.default;
  if (!isConnector(connector)) {
    process.stderr.write(`${modulePath} exports no connector (as "connector" or default)\n`);
    return 1;
  }
  const before = await readFile(readmePath, 'utf8');
  const after = replaceReadmeSection(
    before,
    renderReadmeSection(connector.specification, {
      source: connector.source !== undefined,
      destination: connector.destination !== undefined,
    }),
  );
  if (after === before) return 0;
  if (check) {
    process.stderr.write(
      `${readmePath} is out of date: run opencdc-readme ${modulePath} ${readmePath}\n`,
    );
    return 1;
  }
  await writeFile(readmePath, after);
  process.stdout.write(`updated ${readmePath}\n`);
  return 0;
}
