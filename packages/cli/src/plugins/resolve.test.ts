import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlugin, PluginError } from './resolve.js';

describe('loadPlugin', () => {
  it('builtin:log is built in', async () => {
    const p = await loadPlugin('builtin:log');
    expect(p.connector.specification.name).toBe('log');
    expect(p.connector.destination?.config.parse({ level: 'WARN' })).toEqual({
      level: 'warn',
      message: 'record',
    });
    expect(() => p.connector.destination?.config.parse({ level: 'loud' })).toThrow(/inclusion/);
  });

  it('names the built-ins for an unknown builtin', async () => {
    await expect(loadPlugin('builtin:mysql')).rejects.toThrow(
      /unknown plugin "builtin:mysql": built-in plugins are builtin:log, builtin:postgres/,
    );
  });

  it('loads a local file exporting `default`, relative to the base dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-plugin-'));
    await writeFile(
      join(dir, 'mine.mjs'),
      `export default { specification: { name: 'mine', version: '1.2.3', features: {} }, destination: { config: { parameters: {}, parse: () => ({}) }, create() {} } };`,
    );
    const p = await loadPlugin('./mine.mjs', dir);
    expect(p.connector.specification.version).toBe('1.2.3');
  });

  it('explains a module that is not a connector and a package that is not installed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-plugin-'));
    await writeFile(join(dir, 'nope.mjs'), 'export const x = 1;');
    await expect(loadPlugin('./nope.mjs', dir)).rejects.toThrow(/does not export a connector/);
    await expect(loadPlugin('opencdc-connector-that-does-not-exist')).rejects.toBeInstanceOf(
      PluginError,
    );
  });
});
