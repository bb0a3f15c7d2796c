import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryConnector } from '../acceptance/memory.fixture.js';
import { defineConfig } from '../params/config.js';
import { param } from '../params/param.js';
import { README_END, README_START, renderReadmeSection, replaceReadmeSection } from './readme.js';
import { readmeCli } from './readme-cli.js';

const spec = {
  ...memoryConnector().specification,
  sourceParams: defineConfig({
    url: param.string({ required: true, description: 'Connection URL.\nSecond line | pipe.' }),
    mode: param.string({
      default: 'initial',
      inclusion: ['initial', 'never'],
      description: 'Mode.',
    }),
    size: param.int({ default: 5, greaterThan: 0, lessThan: 10, description: 'Size.' }),
    name: param.string({ regex: '^[a-z|]+$', description: 'Name.' }),
  }).parameters,
};

describe('README generation', () => {
  it('renders features and sorted parameter tables', () => {
    const s = renderReadmeSection(spec);
    expect(s.startsWith(README_START)).toBe(true);
    expect(s.endsWith(README_END)).toBe(true);
    expect(s).toContain('- Source, multiple collections: yes');
    expect(s).toContain('- Source, CDC: yes (snapshot: yes, resume: yes)');
    expect(s).toContain('- Destination, idempotent writes: yes');
    expect(s).toContain('| `url` | string |  | yes |  | Connection URL. Second line \\| pipe. |');
    expect(s).toContain('| `mode` | string | `initial` |  | one of: `initial`, `never` | Mode. |');
    expect(s).toContain('| `size` | int | `5` |  | > 0; < 10 | Size. |');
    expect(s).toContain('matches `^[a-z\\|]+$`');
    expect(s.indexOf('`mode`')).toBeLessThan(s.indexOf('`url`'));
    expect(renderReadmeSection(spec)).toBe(s);
    expect(s).not.toContain('resume (no change capture)');
    const resumable = { ...spec, features: { source: { resume: true } } };
    const r = renderReadmeSection(resumable);
    expect(r).toContain('- Source, CDC: no');
    expect(r).toContain('- Source, resume (no change capture): yes');
  });

  it('replaces only the marked section and is idempotent', () => {
    const readme = `# X\n\nintro\n\n${README_START}\nold\n${README_END}\n\nouttro\n`;
    const once = replaceReadmeSection(readme, renderReadmeSection(spec));
    expect(once.startsWith('# X\n\nintro\n\n')).toBe(true);
    expect(once.endsWith('\n\nouttro\n')).toBe(true);
    expect(once).not.toContain('old');
    expect(replaceReadmeSection(once, renderReadmeSection(spec))).toBe(once);
    expect(() => replaceReadmeSection('# no markers', 'x')).toThrow(/markers/);
  });

  it('the CLI rewrites a README from a connector module, and --check detects drift', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-readme-'));
    const mod = join(dir, 'connector.mjs');
    await writeFile(
      mod,
      `export const connector = ${JSON.stringify({ specification: spec, source: {} })};\n`,
    );
    const readme = join(dir, 'README.md');
    await writeFile(readme, `# C\n${README_START}\n${README_END}\n`);
    expect(await readmeCli([mod, readme, '--check'])).toBe(1);
    expect(await readmeCli([mod, readme])).toBe(0);
    const text = await readFile(readme, 'utf8');
    expect(text).toContain('### Source parameters');
    expect(text).not.toContain('### Destination parameters');
    expect(await readmeCli([mod, readme, '--check'])).toBe(0);
    expect(await readmeCli([mod])).toBe(2);
  });
});
