import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { type FileIssue, type FilePosition, PipelineFileError } from './errors.js';

/** Conduit pipeline file versions whose shape we read (2.2 is current; 2.0/2.1 are subsets). */
export const SUPPORTED_VERSIONS = ['2.0', '2.1', '2.2'] as const;

export type ConnectorType = 'source' | 'destination';

export interface ConnectorConfig {
  /** Id as written in the file (unique within its pipeline). */
  id: string;
  /** Globally unique id: `<pipeline>:<connector>` (Conduit's form). */
  fullId: string;
  type: ConnectorType;
  plugin: string;
  /** Flat string settings (nested YAML maps are flattened with dots), `${VAR}` substituted. */
  settings: { [key: string]: string };
  /** Processors run after this source / before this destination, in file order. */
  processors: ProcessorConfig[];
  at: FilePosition;
  pluginAt: FilePosition;
}

/** One `processors:` entry (Conduit's pipeline file 2.x shape). */
export interface ProcessorConfig {
  /** Id as written in the file (unique within its pipeline). */
  id: string;
  /** Plugin reference: a built-in name (`field.set`, `builtin:field.set`), an npm package or a path. */
  plugin: string;
  /** Flat string settings (nested YAML maps flattened with dots), `${VAR}` substituted. */
  settings: { [key: string]: string };
  /** Go template over the record; the processor runs on a record only where it renders `true`. */
  condition?: string;
  /** Records processed in parallel (order kept); 1 when not set. */
  workers: number;
  at: FilePosition;
}

export interface DeadLetterConfig {
  plugin: string;
  settings: { [key: string]: string };
  /** Number of last outcomes the nack window watches; 0 disables the window (never stop). */
  windowSize: number;
  /** Nacks tolerated inside the window; one more stops the pipeline. */
  windowNackThreshold: number;
  at: FilePosition;
}

export interface PipelineConfig {
  id: string;
  status: 'running' | 'stopped';
  name: string;
  description: string;
  /** Every source connector, in file order (fan-in: each keeps and acks its own position). */
  sources: ConnectorConfig[];
  /** The first source (kept while the runtime moves to `sources`). */
  source: ConnectorConfig;
  destinations: ConnectorConfig[];
  /** Pipeline processors: after the sources' processors, before the destinations'. */
  processors: ProcessorConfig[];
  deadLetter: DeadLetterConfig;
  at: FilePosition;
}

export interface PipelineFile {
  file: string;
  version: string;
  pipelines: PipelineConfig[];
  /** Non-fatal remarks (unknown keys), each prefixed with its position. */
  warnings: string[];
}

/** Conduit's default: log the failed record and stop at the first nack. */
export const DEFAULT_DEAD_LETTER = { plugin: 'builtin:log', windowSize: 1, windowNackThreshold: 0 };

const PIPELINE_KEYS = new Set([
  'id',
  'status',
  'name',
  'description',
  'connectors',
  'processors',
  'dead-letter-queue',
]);
const CONNECTOR_KEYS = new Set(['id', 'type', 'plugin', 'name', 'settings', 'processors']);
const DLQ_KEYS = new Set(['plugin', 'settings', 'window-size', 'window-nack-threshold']);

export type Env = { readonly [name: string]: string | undefined };

export async function loadPipelineFile(
  file: string,
  env: Env = process.env,
): Promise<PipelineFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PipelineFileError([
      { message: `cannot read file: ${(err as Error).message}`, at: { file, line: 1, col: 1 } },
    ]);
  }
  return parsePipelineFile(text, file, env);
}

/** Parses a Conduit pipeline file (YAML), reporting every problem with its file position. */
export function parsePipelineFile(
  text: string,
  file: string,
  env: Env = process.env,
): PipelineFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: FileIssue[] = [];
  const warnings: string[] = [];
  const pos = (offset: number | undefined): FilePosition => {
    const p = lineCounter.linePos(offset ?? 0);
    return { file, line: p.line, col: p.col };
  };
  const at = (node: Node | null | undefined, fallback?: FilePosition): FilePosition =>
    node?.range ? pos(node.range[0]) : (fallback ?? pos(0));
  const issue = (message: string, where: FilePosition) => issues.push({ message, at: where });
  const warn = (message: string, where: FilePosition) =>
    warnings.push(`${where.file}:${where.line}:${where.col}: ${message}`);

  for (const e of doc.errors) issue(`invalid YAML: ${firstLine(e.message)}`, pos(e.pos[0]));
  if (issues.length > 0) throw new PipelineFileError(issues);

  const root = doc.contents;
  if (!isMap(root)) {
    issue('expected a mapping with "version" and "pipelines"', at(root as Node | null));
    throw new PipelineFileError(issues);
  }

  /** Substitutes `${VAR}` from the environment; an unset variable is an error naming it. */
  const substitute = (value: string, where: FilePosition): string =>
    value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) {
        issue(`environment variable "${name}" is not set (used as \${${name}})`, where);
        return '';
      }
      return v;
    });

  /** A scalar as text (numbers and booleans keep their source spelling), substituted. */
  const scalarText = (node: unknown, what: string, fallback: FilePosition): string | undefined => {
    if (!isScalar(node)) {
      issue(`${what}: expected a single value`, at(node as Node, fallback));
      return undefined;
    }
    const raw = node.value === null ? '' : (node.source ?? String(node.value));
    return substitute(String(raw), at(node, fallback));
  };

  const get = (map: YAMLMap, key: string): { node: unknown; keyAt: FilePosition } | undefined => {
    for (const pair of map.items) {
      if (isScalar(pair.key) && pair.key.value === key) {
        return { node: pair.value, keyAt: at(pair.key as Node) };
      }
    }
    return undefined;
  };
  const checkKeys = (map: YAMLMap, known: Set<string>, what: string) => {
    for (const pair of map.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (!known.has(k)) warn(`unknown key "${k}" in ${what} (ignored)`, at(pair.key as Node));
    }
  };

  const flattenSettings = (
    node: unknown,
    what: string,
    fallback: FilePosition,
  ): { [k: string]: string } => {
    const out: { [k: string]: string } = {};
    if (node == null || (isScalar(node) && node.value === null)) return out;
    if (!isMap(node)) {
      issue(`${what}: expected a mapping of setting names to values`, at(node as Node, fallback));
      return out;
    }
    const walk = (map: YAMLMap, prefix: string) => {
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : '';
        const name = prefix + k;
        if (isMap(pair.value)) walk(pair.value, `${name}.`);
        else {
          const v = scalarText(pair.value ?? null, `${what}.${name}`, at(pair.key as Node));
          if (v !== undefined) out[name] = v;
        }
      }
    };
    walk(node, '');
    return out;
  };

  // version
  const versionEntry = get(root, 'version');
  let version = '';
  if (!versionEntry) issue(`missing "version" (use "2.2")`, at(root));
  else {
    version = scalarText(versionEntry.node, 'version', versionEntry.keyAt) ?? '';
    if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
      issue(
        `unsupported version "${version}": supported are ${SUPPORTED_VERSIONS.join(', ')} (Conduit pipeline file format)`,
        at(versionEntry.node as Node, versionEntry.keyAt),
      );
    }
  }
  checkKeys(root, new Set(['version', 'pipelines']), 'the file');

  const pipelines: PipelineConfig[] = [];
  const pipelinesEntry = get(root, 'pipelines');
  if (!pipelinesEntry) issue('missing "pipelines" (a list of pipelines)', at(root));
  else if (!isSeq(pipelinesEntry.node)) {
    issue('"pipelines" must be a list', at(pipelinesEntry.node as Node, pipelinesEntry.keyAt));
  } else {
    const seen = new Set<string>();
    for (const item of pipelinesEntry.node.items) {
      const p = parsePipeline(item);
      if (!p) continue;
      if (seen.has(p.id)) issue(`duplicate pipeline id "${p.id}"`, p.at);
      seen.add(p.id);
      pipelines.push(p);
    }
    if (pipelinesEntry.node.items.length === 0) {
      issue('"pipelines" is empty', at(pipelinesEntry.node as Node));
    }
  }

  function parsePipeline(item: unknown): PipelineConfig | undefined {
    const pAt = at(item as Node);
    if (!isMap(item)) {
      issue('a pipeline must be a mapping', pAt);
      return undefined;
    }
    checkKeys(item, PIPELINE_KEYS, 'pipeline');
    const idEntry = get(item, 'id');
    const id = idEntry ? scalarText(idEntry.node, 'pipeline id', idEntry.keyAt) : undefined;
    if (!id) {
      issue('pipeline: missing "id"', pAt);
      return undefined;
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
      issue(`pipeline id "${id}": use letters, digits, "_", "." or "-" only`, pAt);
    }
    const text = (key: string, dflt: string) => {
      const e = get(item, key);
      return e ? (scalarText(e.node, `pipeline ${id}: ${key}`, e.keyAt) ?? dflt) : dflt;
    };
    const status = text('status', 'running');
    if (status !== 'running' && status !== 'stopped') {
      issue(`pipeline ${id}: status "${status}" must be "running" or "stopped"`, pAt);
    }
    const processors = get(item, 'processors');
    if (processors && isSeq(processors.node) && processors.node.items.length > 0) {
      issue(
        `pipeline ${id}: processors are not supported by opencdc-ts yet; remove them or run this pipeline with Conduit`,
        processors.keyAt,
      );
    }

    const connectors: ConnectorConfig[] = [];
    let broken = false;
    const cEntry = get(item, 'connectors');
    if (!cEntry || !isSeq(cEntry.node)) {
      issue(
        `pipeline ${id}: "connectors" must be a list with one source and at least one destination`,
        cEntry?.keyAt ?? pAt,
      );
    } else {
      const seen = new Set<string>();
      for (const c of cEntry.node.items) {
        const conn = parseConnector(c, id);
        if (!conn) {
          broken = true;
          continue;
        }
        if (seen.has(conn.id))
          issue(`pipeline ${id}: duplicate connector id "${conn.id}"`, conn.at);
        seen.add(conn.id);
        connectors.push(conn);
      }
    }
    const sources = connectors.filter((c) => c.type === 'source');
    const destinations = connectors.filter((c) => c.type === 'destination');
    // Counting is meaningless when a connector entry itself was unreadable (already reported).
    if (cEntry && isSeq(cEntry.node) && !broken) {
      if (sources.length !== 1) {
        issue(
          `pipeline ${id}: expected exactly one source connector, found ${sources.length} (split several sources into several pipelines)`,
          cEntry.keyAt,
        );
      }
      if (destinations.length === 0) {
        issue(`pipeline ${id}: expected at least one destination connector`, cEntry.keyAt);
      }
    }

    const dEntry = get(item, 'dead-letter-queue');
    const deadLetter: DeadLetterConfig = {
      ...DEFAULT_DEAD_LETTER,
      settings: {},
      at: dEntry?.keyAt ?? pAt,
    };
    if (dEntry && !(isScalar(dEntry.node) && dEntry.node.value === null)) {
      if (!isMap(dEntry.node))
        issue(`pipeline ${id}: "dead-letter-queue" must be a mapping`, dEntry.keyAt);
      else {
        checkKeys(dEntry.node, DLQ_KEYS, 'dead-letter-queue');
        const plugin = get(dEntry.node, 'plugin');
        if (plugin)
          deadLetter.plugin =
            scalarText(plugin.node, 'dead-letter-queue.plugin', plugin.keyAt) ?? '';
        const settings = get(dEntry.node, 'settings');
        if (settings)
          deadLetter.settings = flattenSettings(
            settings.node,
            'dead-letter-queue.settings',
            settings.keyAt,
          );
        for (const [key, field] of [
          ['window-size', 'windowSize'],
          ['window-nack-threshold', 'windowNackThreshold'],
        ] as const) {
          const e = get(dEntry.node, key);
          if (!e) continue;
          const v = scalarText(e.node, `dead-letter-queue.${key}`, e.keyAt);
          if (v === undefined) continue;
          if (!/^\d+$/.test(v))
            issue(`dead-letter-queue.${key}: "${v}" must be an integer >= 0`, at(e.node as Node));
          else deadLetter[field] = Number(v);
        }
      }
    }

    return {
      id,
      status: status === 'stopped' ? 'stopped' : 'running',
      name: text('name', id),
      description: text('description', ''),
      // Placeholders when invalid: the issues list already makes the whole parse fail.
      sources,
      source: sources[0] as ConnectorConfig,
      destinations,
      processors: [],
      deadLetter,
      at: pAt,
    };
  }

  function parseConnector(node: unknown, pipelineId: string): ConnectorConfig | undefined {
    const cAt = at(node as Node);
    if (!isMap(node)) {
      issue(`pipeline ${pipelineId}: a connector must be a mapping`, cAt);
      return undefined;
    }
    checkKeys(node, CONNECTOR_KEYS, 'connector');
    const field = (key: string) => {
      const e = get(node, key);
      if (!e) {
        issue(`pipeline ${pipelineId}: connector is missing "${key}"`, cAt);
        return undefined;
      }
      const v = scalarText(e.node, key, e.keyAt);
      return v === undefined ? undefined : { v, at: at(e.node as Node, e.keyAt) };
    };
    const id = field('id');
    const type = field('type');
    const plugin = field('plugin');
    const processors = get(node, 'processors');
    if (processors && isSeq(processors.node) && processors.node.items.length > 0) {
      issue('connector processors are not supported by opencdc-ts yet', processors.keyAt);
    }
    if (type && type.v !== 'source' && type.v !== 'destination') {
      issue(`connector type "${type.v}" must be "source" or "destination"`, type.at);
    }
    if (plugin && plugin.v === '') issue('connector "plugin" is empty', plugin.at);
    const settingsEntry = get(node, 'settings');
    const settings = settingsEntry
      ? flattenSettings(settingsEntry.node, 'settings', settingsEntry.keyAt)
      : {};
    if (!id || !type || !plugin) return undefined;
    return {
      id: id.v,
      fullId: `${pipelineId}:${id.v}`,
      type: type.v === 'destination' ? 'destination' : 'source',
      plugin: plugin.v,
      settings,
      processors: [],
      at: cAt,
      pluginAt: plugin.at,
    };
  }

  if (issues.length > 0) throw new PipelineFileError(issues);
  return { file, version, pipelines, warnings };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
