import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipelineFile } from '../config/pipeline-file.js';
import { loadPlugin, PluginError, parsePluginRef, pluginVersionWarnings } from './resolve.js';

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
      /^plugin "builtin:mysql" is not available: "mysql" is not a built-in connector of opencdc-ts \(built-ins: file, generator, kafka, log, postgres/,
    );
  });

  it('reads plugin names as Conduit does', () => {
    expect(parsePluginRef('generator')).toEqual({ kind: 'any', name: 'generator' });
    expect(parsePluginRef('builtin:postgres@v0.14.0')).toEqual({
      kind: 'builtin',
      name: 'postgres',
      version: 'v0.14.0',
    });
    expect(parsePluginRef('any:kafka')).toEqual({ kind: 'any', name: 'kafka' });
    expect(parsePluginRef('standalone:chaos@v1')).toEqual({
      kind: 'standalone',
      name: 'chaos',
      version: 'v1',
    });
    expect(parsePluginRef('@acme/connector')).toEqual({ kind: 'module', name: '@acme/connector' });
    expect(parsePluginRef('./mine.js')).toEqual({ kind: 'module', name: './mine.js' });
    expect(() => parsePluginRef('grpc:x')).toThrow(/unknown prefix "grpc:"/);
  });

  it('loads built-ins by bare, builtin: and any: names; warns about another version', async () => {
    for (const ref of ['log', 'builtin:log', 'any:log', 'generator', 'any:generator']) {
      const p = await loadPlugin(ref);
      expect(p.versionWarning).toBeUndefined();
    }
    const pinned = await loadPlugin('builtin:generator@v0.9.9');
    expect(pinned.connector.specification.name).toBe('generator');
    expect(pinned.versionWarning).toMatch(
      /^plugin "builtin:generator@v0.9.9": version v0.9.9 asked for, but generator \S+ is installed; using \S+ \(remove "@v0.9.9" to silence this\)$/,
    );
  });

  it('says what is not available: standalone plugins, unknown bare names, Node modules', async () => {
    await expect(loadPlugin('standalone:chaos')).rejects.toThrow(
      /^plugin "standalone:chaos" is not available: Conduit standalone plugins \(binaries\) do not run in opencdc-ts/,
    );
    await expect(loadPlugin('http')).rejects.toThrow(
      /^plugin "http" is not available: "http" is not a built-in connector of opencdc-ts/,
    );
    await expect(loadPlugin('no-such-connector-xyz')).rejects.toThrow(
      /and no npm package "no-such-connector-xyz" is installed/,
    );
  });

  it('loads a local file exporting `default`, relative to the base dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-plugin-'));
    await writeFile(
      join(dir, 'mine.mjs'),
      `export default { specification: { name: 'mine', version: '1.2.3', features: {}, sourceParams: {}, destinationParams: {} }, destination: { config: { parameters: {}, parse: () => ({}) }, create() {} } };`,
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

  it('pluginVersionWarnings names the place of each pinned connector whose version differs', async () => {
    const file = parsePipelineFile(
      `version: "2.2"
pipelines:
  - id: p
    connectors:
      - { id: s, type: source, plugin: "generator@v0.0.1" }
      - { id: d, type: destination, plugin: log }
`,
      'p.yaml',
      {},
    );
    const warnings = await pluginVersionWarnings(file);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^p\.yaml:5:40: plugin "generator@v0\.0\.1": version v0\.0\.1 asked for/,
      ),
    ]);
  });
});
