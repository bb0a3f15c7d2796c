import { describe, expect, it } from 'vitest';
import { PipelineFileError } from './errors.js';
import { parsePipelineFile } from './pipeline-file.js';

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

  it('names an unset variable with its position', () => {
    expect(errorsOf(good)).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${VAR} syntax of pipeline files
      'p.yaml:10:16: environment variable "PG_URL" is not set (used as ${PG_URL})',
    ]);
  });

  it('reports bad YAML with a position', () => {
    const [e] = errorsOf('version: "2.2"\npipelines:\n  - id: [oops\n');
    expect(e).toMatch(/^p\.yaml:\d+:\d+: invalid YAML/);
  });

  it('reports a wrong version at the value', () => {
    expect(errorsOf(good.replace('"2.2"', '"1.1"'), { PG_URL: 'x' })).toEqual([
      'p.yaml:1:10: unsupported version "1.1": supported are 2.0, 2.1, 2.2 (Conduit pipeline file format)',
    ]);
  });

  it('reports a missing connector field at the connector', () => {
    const text = good.replace('        plugin: builtin:kafka\n', '');
    expect(errorsOf(text, { PG_URL: 'x' })).toEqual([
      'p.yaml:14:9: pipeline pg-to-kafka: connector is missing "plugin"',
    ]);
  });

  it('requires exactly one source and a destination, and unique ids', () => {
    const text = `version: "2.2"
pipelines:
  - id: a
    connectors:
      - { id: d, type: destination, plugin: builtin:log }
  - id: a
    connectors:
      - { id: s, type: source, plugin: builtin:generator }
      - { id: s, type: destination, plugin: builtin:log }
`;
    const errs = errorsOf(text);
    expect(errs).toContain(
      'p.yaml:4:5: pipeline a: expected exactly one source connector, found 0 (split several sources into several pipelines)',
    );
    expect(errs).toContain('p.yaml:9:9: pipeline a: duplicate connector id "s"');
    expect(errs).toContain('p.yaml:6:5: duplicate pipeline id "a"');
  });

  it('rejects processors, warns about unknown keys', () => {
    const text = `version: "2.2"
pipelines:
  - id: a
    colour: blue
    processors: [{ id: x, plugin: field.set }]
    connectors:
      - { id: s, type: source, plugin: builtin:generator }
      - { id: d, type: destination, plugin: builtin:log }
`;
    expect(errorsOf(text)[0]).toMatch(/^p\.yaml:5:5: pipeline a: processors are not supported/);
    const ok = parsePipelineFile(text.replace(/ {4}processors.*\n/, ''), 'p.yaml', {});
    expect(ok.warnings).toEqual(['p.yaml:4:5: unknown key "colour" in pipeline (ignored)']);
  });

  it('rejects a non-integer window size', () => {
    const text = good.replace('window-size: 3', 'window-size: three');
    expect(errorsOf(text, { PG_URL: 'x' })).toEqual([
      'p.yaml:20:20: dead-letter-queue.window-size: "three" must be an integer >= 0',
    ]);
  });
});
