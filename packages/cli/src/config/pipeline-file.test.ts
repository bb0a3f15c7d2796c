import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineFileError } from './errors.js';
import { DEFAULT_PIPELINES_PATH, loadPipelineFile, parsePipelineFile } from './pipeline-file.js';

const good = `version: "2.2"
pipelines:
  - id: pg-to-kafka
    status: running
    connectors:
      - id: source
        type: source
        plugin: builtin:postgres
        settings:
          url: \${PG_URL}
          tables: "*"
          snapshot:
            fetchSize: 5000
      - id: sink
        type: destination
        plugin: builtin:kafka
        settings: { servers: "localhost:9092", batchBytes: 1048576 }
    dead-letter-queue:
      plugin: builtin:log
      window-size: 3
      window-nack-threshold: 1
  - id: gen
    connectors:
      - { id: s, type: source, plugin: builtin:generator }
      - { id: d, type: destination, plugin: builtin:log }
`;

const pipeline = (id: string) => `version: "2.2"
pipelines:
  - id: ${id}
    connectors:
      - { id: s, type: source, plugin: generator }
      - { id: d, type: destination, plugin: log }
`;

function errorsOf(text: string, env: { [k: string]: string } = {}): string[] {
  try {
    parsePipelineFile(text, 'p.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(PipelineFileError);
    return (err as PipelineFileError).message.split('\n');
  }
  throw new Error('expected an error');
}

describe('parsePipelineFile', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${VAR} syntax of pipeline files
  it('reads pipelines, flattens settings, keeps number spelling, substitutes ${VAR}', () => {
    const f = parsePipelineFile(good, 'p.yaml', { PG_URL: 'postgres://x/db' });
    expect(f.version).toBe('2.2');
    expect(f.pipelines.map((p) => p.id)).toEqual(['pg-to-kafka', 'gen']);
    const p = f.pipelines[0]!;
    expect(p.source.settings).toEqual({
      url: 'postgres://x/db',
      tables: '*',
      'snapshot.fetchSize': '5000',
    });
    expect(p.source.fullId).toBe('pg-to-kafka:source');
    expect(p.destinations[0]!.settings).toEqual({
      servers: 'localhost:9092',
      batchBytes: '1048576',
    });
    expect(p.deadLetter).toMatchObject({
      plugin: 'builtin:log',
      windowSize: 3,
      windowNackThreshold: 1,
    });
    expect(f.pipelines[1]!.status).toBe('running');
    // Conduit's default dead-letter behaviour: log, stop at the first failure.
    expect(f.pipelines[1]!.deadLetter).toMatchObject({
      plugin: 'builtin:log',
      windowSize: 1,
      windowNackThreshold: 0,
    });
  });

  it('warns about an unset variable with its position and empties it, as Conduit does', () => {
    const f = parsePipelineFile(good, 'p.yaml', {});
    expect(f.pipelines[0]!.source.settings.url).toBe('');
    expect(f.warnings).toEqual([
      'p.yaml:10:16: settings.url: environment variable "PG_URL" is not set; it is replaced with "" (as Conduit does): export PG_URL or change the value',
    ]);
  });

  it('reports bad YAML with a position', () => {
    const [e] = errorsOf('version: "2.2"\npipelines:\n  - id: [oops\n');
    expect(e).toMatch(/^p\.yaml:\d+:\d+: invalid YAML/);
  });

  it('reads versions as Conduit does: known, unknown minor with a warning, unknown major fails', () => {
    expect(parsePipelineFile(good.replace('"2.2"', '2.0'), 'p.yaml', { PG_URL: 'x' }).version).toBe(
      '2.0',
    );
    const minor = parsePipelineFile(good.replace('"2.2"', '"2.3"'), 'p.yaml', { PG_URL: 'x' });
    expect(minor.version).toBe('2.2');
    expect(minor.warnings).toEqual([
      'p.yaml:1:10: unknown version "2.3": read as version 2.2, the latest 2.x (as Conduit does); set version: "2.2"',
    ]);
    const none = parsePipelineFile(good.replace('version: "2.2"\n', ''), 'p.yaml', { PG_URL: 'x' });
    expect(none.version).toBe('2.2');
    expect(none.warnings[0]).toMatch(/^p\.yaml:1:1: no "version" set: read as version 2\.2/);
    expect(errorsOf(good.replace('"2.2"', '"3.0"'), { PG_URL: 'x' })).toEqual([
      'p.yaml:1:10: unsupported version "3.0": Conduit pipeline files are version 1.0, 1.1, 2.0, 2.1, 2.2 (or another 1.x/2.x, read as the latest of its major); set version: "2.2"',
    ]);
  });

  it('reads the version 1.x shape (mappings keyed by id; processors with "type")', () => {
    const text = `version: 1.0
pipelines:
  p1:
    status: stopped
    connectors:
      con1:
        type: source
        plugin: builtin:generator
        processors:
          proc1:
            type: field.set
            workers: 2
            settings: { field: .Metadata.x, value: y }
      con2: { type: destination, plugin: builtin:log }
    dead-letter-queue:
      window-size: 4
`;
    const f = parsePipelineFile(text, 'p.yaml', {});
    const p = f.pipelines[0]!;
    expect(p).toMatchObject({ id: 'p1', status: 'stopped' });
    expect(p.sources.map((c) => c.fullId)).toEqual(['p1:con1']);
    expect(p.source.processors).toEqual([
      expect.objectContaining({ id: 'proc1', plugin: 'field.set', workers: 2 }),
    ]);
    expect(p.deadLetter.windowSize).toBe(4);
    expect(f.warnings).toEqual([
      expect.stringMatching(/^p\.yaml:9:9: .*unspecified order in Conduit/),
      'p.yaml:15:5: pipeline p1: "dead-letter-queue" was introduced in version 1.1; set version: "2.2"',
    ]);
  });

  it('reads several YAML documents of one file, skipping empty ones', () => {
    const f = parsePipelineFile(`---\n${pipeline('a')}---\n${pipeline('b')}---\n`, 'p.yaml', {});
    expect(f.pipelines.map((p) => p.id)).toEqual(['a', 'b']);
    expect(errorsOf(`${pipeline('a')}---\n${pipeline('a')}`)).toEqual([
      'p.yaml:10:5: duplicate pipeline id "a": pipeline ids must be unique; rename one',
    ]);
  });

  it('reads the multi-line double-quoted description `conduit pipelines init` writes', () => {
    const text = `version: "2.2"
pipelines:
  - id: "demo-pipeline"
    description: "This pipeline was initialized.
It is a demo pipeline.
Check out the docs."
    status: running
    connectors:
      - { id: s, type: source, plugin: generator }
      - { id: d, type: destination, plugin: log }
`;
    const p = parsePipelineFile(text, 'p.yaml', {}).pipelines[0]!;
    expect(p.description).toBe(
      'This pipeline was initialized. It is a demo pipeline. Check out the docs.',
    );
    expect(p.status).toBe('running');
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${VAR} syntax of pipeline files
  it('expands $VAR and ${VAR} in every string (os.ExpandEnv), not in numbers', () => {
    const text = `version: "2.2"
pipelines:
  - id: p
    connectors:
      - id: s
        type: source
        plugin: \${PLUGIN}
        settings: { a: "x$A-\${A}", b: 10, c: "$", d: '\${MISSING}' }
      - { id: d, type: destination, plugin: log }
`;
    const f = parsePipelineFile(text, 'p.yaml', { PLUGIN: 'generator', A: '1' });
    expect(f.pipelines[0]!.source.plugin).toBe('generator');
    expect(f.pipelines[0]!.source.settings).toEqual({ a: 'x1-1', b: '10', c: '$', d: '' });
    expect(f.warnings).toEqual([
      expect.stringMatching(/^p\.yaml:8:54: settings\.d: .*"MISSING" is not set/),
    ]);
  });

  it('reports a missing connector field at the connector', () => {
    const text = good.replace('        plugin: builtin:kafka\n', '');
    expect(errorsOf(text, { PG_URL: 'x' })).toEqual([
      'p.yaml:14:9: pipeline pg-to-kafka: connector "sink" is missing "plugin"; add e.g. "plugin: builtin:postgres"',
    ]);
  });

  it('accepts several sources, requires a source and a destination, and unique ids', () => {
    const text = `version: "2.2"
pipelines:
  - id: a
    connectors:
      - { id: d, type: destination, plugin: builtin:log }
  - id: a
    connectors:
      - { id: s, type: source, plugin: builtin:generator }
      - { id: s, type: destination, plugin: builtin:log }
  - id: b
    connectors:
      - { id: s1, type: source, plugin: builtin:generator }
`;
    const errs = errorsOf(text);
    expect(errs).toEqual([
      'p.yaml:4:5: pipeline a: no source connector; add a connector with "type: source"',
      'p.yaml:9:9: pipeline a: duplicate connector id "s": connector ids must be unique in a pipeline; rename one',
      'p.yaml:11:5: pipeline b: no destination connector; add a connector with "type: destination"',
      'p.yaml:6:5: duplicate pipeline id "a": pipeline ids must be unique; rename one',
    ]);
    const fanIn = parsePipelineFile(
      text.replace(/ {2}- id: a[\s\S]*- id: b/, '  - id: b') +
        '      - { id: s2, type: source, plugin: builtin:generator }\n      - { id: d, type: destination, plugin: log }\n',
      'p.yaml',
      {},
    );
    expect(fanIn.pipelines[0]!.sources.map((c) => c.id)).toEqual(['s1', 's2']);
    expect(fanIn.pipelines[0]!.source.id).toBe('s1');
  });

  it('reads pipeline and connector processors (2.x), warns about unknown keys', () => {
    const text = `version: "2.2"
pipelines:
  - id: a
    colour: blue
    processors:
      - id: x
        plugin: field.set
        condition: '{{ eq .Metadata.k "v" }}'
        workers: 3
        settings:
          field: .Payload.After.department
          value: finance
      - { id: y, type: builtin:filter, workers: 0 }
    connectors:
      - id: s
        type: source
        plugin: builtin:generator
        processors: [{ id: z, plugin: "custom.javascript", settings: { script: { body: "x" } } }]
      - { id: d, type: destination, plugin: builtin:log }
`;
    const f = parsePipelineFile(text, 'p.yaml', {});
    const p = f.pipelines[0]!;
    expect(p.processors).toEqual([
      {
        id: 'x',
        plugin: 'field.set',
        condition: '{{ eq .Metadata.k "v" }}',
        workers: 3,
        settings: { field: '.Payload.After.department', value: 'finance' },
        at: { file: 'p.yaml', line: 6, col: 9 },
        pluginAt: { file: 'p.yaml', line: 7, col: 9 },
      },
      expect.objectContaining({ id: 'y', plugin: 'builtin:filter', workers: 1, settings: {} }),
    ]);
    expect(p.source.processors).toEqual([
      expect.objectContaining({ id: 'z', settings: { 'script.body': 'x' } }),
    ]);
    expect(f.warnings).toEqual([
      'p.yaml:4:5: unknown key "colour" in pipeline (ignored; known keys: id, status, name, description, connectors, processors, dead-letter-queue)',
      'p.yaml:13:18: pipeline a: processor "y": "type" is deprecated since version 2.2; rename it to "plugin"',
    ]);
  });

  it('reports processor problems: missing id or plugin, bad workers, duplicate ids', () => {
    const text = `version: "2.2"
pipelines:
  - id: a
    processors:
      - { plugin: field.set }
      - { id: p, workers: -1, plugin: filter }
      - { id: q }
      - { id: r, plugin: filter, workers: two }
    connectors:
      - id: s
        type: source
        plugin: builtin:generator
        processors: [{ id: r, plugin: filter }]
      - { id: d, type: destination, plugin: builtin:log }
`;
    expect(errorsOf(text)).toEqual([
      'p.yaml:5:9: pipeline a: processor is missing "id"; add a unique "id: …"',
      'p.yaml:6:27: pipeline a: processor "p": workers: "-1" must be an integer >= 0',
      'p.yaml:7:9: pipeline a: processor "q": missing "plugin" (the processor\'s plugin name, e.g. "field.set")',
      'p.yaml:8:43: pipeline a: processor "r": workers: "two" must be an integer >= 0',
      'p.yaml:8:9: pipeline a: duplicate processor id "r" (also at line 13): processor ids must be unique in a pipeline; rename one',
    ]);
  });

  it('warns about processor fields newer than the file version', () => {
    const text = `version: "2.0"
pipelines:
  - id: a
    processors:
      - { id: x, plugin: filter, condition: "{{ true }}" }
      - { id: y, type: filter }
    connectors:
      - { id: s, type: source, plugin: builtin:generator }
      - { id: d, type: destination, plugin: builtin:log }
`;
    const f = parsePipelineFile(text, 'p.yaml', {});
    expect(f.pipelines[0]!.processors.map((p) => p.plugin)).toEqual(['filter', 'filter']);
    expect(f.warnings).toEqual([
      'p.yaml:5:18: pipeline a: processor "x": "plugin" was introduced in version 2.2; set version: "2.2"',
      'p.yaml:5:34: pipeline a: processor "x": "condition" was introduced in version 2.1; set version: "2.2"',
    ]);
  });

  it('rejects a non-integer window size', () => {
    const text = good.replace('window-size: 3', 'window-size: three');
    expect(errorsOf(text, { PG_URL: 'x' })).toEqual([
      'p.yaml:20:20: dead-letter-queue.window-size: "three" must be an integer >= 0',
    ]);
  });
});

describe('loadPipelineFile', () => {
  it('reads every .yml/.yaml file directly in a folder, in name order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-pipelines-'));
    await writeFile(join(dir, 'b.yml'), pipeline('b'));
    await writeFile(join(dir, 'a.yaml'), pipeline('a'));
    await writeFile(join(dir, 'notes.txt'), 'not a pipeline');
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', 'c.yaml'), pipeline('c'));
    const f = await loadPipelineFile(dir, {});
    expect(f.pipelines.map((p) => p.id)).toEqual(['a', 'b']);
    expect(f.files).toEqual([join(dir, 'a.yaml'), join(dir, 'b.yml')]);
    expect(f.file).toBe(join(dir, 'a.yaml'));
  });

  it('rejects a pipeline id used in two files, an empty folder, a missing default folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opencdc-pipelines-'));
    await expect(loadPipelineFile(dir, {})).rejects.toThrow(/no pipeline files in folder/);
    await writeFile(join(dir, 'a.yaml'), pipeline('same'));
    await writeFile(join(dir, 'b.yaml'), pipeline('same'));
    await expect(loadPipelineFile(dir, {})).rejects.toThrow(
      `${join(dir, 'b.yaml')}:3:5: duplicate pipeline id "same" (also at ${join(dir, 'a.yaml')}:3:5)`,
    );
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await expect(loadPipelineFile(DEFAULT_PIPELINES_PATH, {})).rejects.toThrow(
        /no pipeline file given and there is no \.\/pipelines folder/,
      );
    } finally {
      process.chdir(cwd);
    }
  });
});
