import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinProcessors } from '@opencdc-ts/processors';
import { describe, expect, it } from 'vitest';
import { loadProcessor } from './processor-plugin.js';

const dir = async (files: { [name: string]: string }) => {
  const d = await mkdtemp(join(tmpdir(), 'opencdc-processor-plugin-'));
  for (const [f, text] of Object.entries(files)) await writeFile(join(d, f), text);
  return d;
};

describe('loadProcessor', () => {
  it('reads built-in names as Conduit writes them', async () => {
    for (const ref of [
      'field.set',
      'builtin:field.set',
      'any:field.set',
      'builtin:field.set@v0.1.0',
    ]) {
      const p = await loadProcessor(ref, '.', builtinProcessors);
      expect(p.processor).toBe(builtinProcessors.get('field.set'));
      expect(p.module).toBeUndefined();
    }
  });

  it('loads a plain function or a defineProcessor-shaped export from a path, with its module', async () => {
    const d = await dir({
      'fn.mjs': 'export default (records) => records;',
      'spec.mjs': `export const processor = { kind: 'processor', specification: { name: 'x.y', summary: '', description: '', version: '1.0.0', author: '', parameters: {} }, config: { parameters: {}, parse: () => ({}) }, create: () => ({ process: (rs) => rs }) };`,
    });
    const fn = await loadProcessor('./fn.mjs', d, builtinProcessors);
    expect(typeof fn.processor).toBe('function');
    expect(fn.module).toEqual({
      specifier: pathToFileURL(join(d, 'fn.mjs')).href,
      export: 'default',
    });
    const spec = await loadProcessor('./spec.mjs', d, builtinProcessors);
    expect(spec.name).toBe('x.y');
    expect(spec.module?.export).toBe('processor');
  });

  it('explains what is wrong', async () => {
    const d = await dir({ 'nothing.mjs': 'export const x = 1;' });
    await expect(loadProcessor('builtin:field.sett', d, builtinProcessors)).rejects.toThrow(
      /^unknown processor "builtin:field.sett": built-in processors are .*field\.set/,
    );
    await expect(loadProcessor('field.sett', d, builtinProcessors)).rejects.toThrow(
      /^unknown processor "field.sett": built-in processors are/,
    );
    await expect(loadProcessor('standalone:x', d, builtinProcessors)).rejects.toThrow(
      /standalone .* not available/,
    );
    await expect(loadProcessor('./nothing.mjs', d, builtinProcessors)).rejects.toThrow(
      /does not export a processor/,
    );
    await expect(loadProcessor('no-such-processor-pkg', d, builtinProcessors)).rejects.toThrow(
      /cannot load module/,
    );
  });
});
