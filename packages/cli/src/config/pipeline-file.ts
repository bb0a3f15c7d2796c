import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type YAMLMap,
} from 'yaml';
import { DocReader, type Env } from './doc-reader.js';
import { type FileIssue, type FilePosition, PipelineFileError } from './errors.js';
import { readProcessors } from './processor-config.js';
import { chooseVersion, versionAtLeast } from './versions.js';
import { reindentQuotedContinuations } from './yaml-compat.js';

export type { Env } from './doc-reader.js';
export { LATEST_VERSION, SUPPORTED_VERSIONS } from './versions.js';

/** What `opencdc run` reads without an argument, like `conduit run`. */
export const DEFAULT_PIPELINES_PATH = './pipelines';

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
  /** Records processed in parallel (order kept); 1 when not set (or 0, as in Conduit). */
  workers: number;
  at: FilePosition;
  /** Where the plugin name is written (errors about the plugin point here). */
  pluginAt: FilePosition;
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
  /**
   * The file read; for a folder, its first pipeline file (plugin paths are relative to the
   * folder either way).
   */
  file: string;
  /** Every file read (one, or a folder's `.yml`/`.yaml` files in name order). */
  files: string[];
  /** The version the first document was read as (documents may differ). */
  version: string;
  pipelines: PipelineConfig[];
  /** Non-fatal remarks (unknown keys, unset variables, version fallbacks), each with its position. */
  warnings: string[];
}

/** Conduit's default: log the failed record and stop at the first nack. */
export const DEFAULT_DEAD_LETTER = { plugin: 'builtin:log', windowSize: 1, windowNackThreshold: 0 };

const FILE_KEYS = new Set(['version', 'pipelines']);
const PIPELINE_KEYS_V1 = new Set([
  'status',
  'name',
  'description',
  'connectors',
  'processors',
  'dead-letter-queue',
]);
const PIPELINE_KEYS = new Set(['id', ...PIPELINE_KEYS_V1]);
const CONNECTOR_KEYS_V1 = new Set(['type', 'plugin', 'name', 'settings', 'processors']);
const CONNECTOR_KEYS = new Set(['id', ...CONNECTOR_KEYS_V1]);
const DLQ_KEYS = new Set(['plugin', 'settings', 'window-size', 'window-nack-threshold']);

/**
 * Reads a pipeline file, or every `.yml`/`.yaml` file directly in a folder (in name order, like
 * Conduit's pipelines folder). Pipeline ids must be unique across everything read.
 */
export async function loadPipelineFile(
  path: string,
  env: Env = process.env,
): Promise<PipelineFile> {
  const failAt = (message: string): never => {
    throw new PipelineFileError([{ message, at: { file: path, line: 1, col: 1 } }]);
  };
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    failAt(
      path === DEFAULT_PIPELINES_PATH && missing
        ? `no pipeline file given and there is no ${DEFAULT_PIPELINES_PATH} folder: give a pipeline file (opencdc run pipeline.yaml) or put pipeline files in ${DEFAULT_PIPELINES_PATH}/`
        : `cannot read ${path}: ${(err as Error).message}`,
    );
  }
  let files = [path];
  if (isDir) {
    files = (await readdir(path, { withFileTypes: true }))
      .filter((e) => e.isFile() && ['.yml', '.yaml'].includes(extname(e.name).toLowerCase()))
      .map((e) => join(path, e.name))
      .sort();
    if (files.length === 0) {
      failAt(
        `no pipeline files in folder ${path}: it needs .yml or .yaml files (only those directly in it are read)`,
      );
    }
  }
  const issues: FileIssue[] = [];
  const warnings: string[] = [];
  const parsed: PipelineFile[] = [];
  for (const file of files) {
    try {
      parsed.push(parsePipelineFile(await readFile(file, 'utf8'), file, env));
    } catch (err) {
      if (!(err instanceof PipelineFileError)) {
        issues.push({
          message: `cannot read file: ${(err as Error).message}`,
          at: { file, line: 1, col: 1 },
        });
      } else {
        issues.push(...err.issues);
        warnings.push(...err.warnings);
      }
    }
  }
  if (issues.length > 0) throw new PipelineFileError(issues, warnings);
  const merged: PipelineFile = {
    file: files[0] as string,
    files,
    version: parsed[0]?.version ?? '',
    pipelines: parsed.flatMap((p) => p.pipelines),
    warnings: [...warnings, ...parsed.flatMap((p) => p.warnings)],
  };
  const seen = new Map<string, FilePosition>();
  for (const p of merged.pipelines) {
    const first = seen.get(p.id);
    if (first) {
      issues.push({
        message: `duplicate pipeline id "${p.id}" (also at ${first.file}:${first.line}:${first.col}): pipeline ids must be unique across all files; rename one`,
        at: p.at,
      });
    } else seen.set(p.id, p.at);
  }
  if (merged.pipelines.length === 0) {
    issues.push({
      message: `no pipelines in ${path}: add a "pipelines" list with at least one pipeline`,
      at: { file: merged.file, line: 1, col: 1 },
    });
  }
  if (issues.length > 0) throw new PipelineFileError(issues, merged.warnings);
  return merged;
}

/**
 * Parses a Conduit pipeline file (YAML, one or more documents, version 1.x or 2.x) as Conduit
 * reads it, reporting every problem with its file position.
 */
export function parsePipelineFile(
  text: string,
  file: string,
  env: Env = process.env,
): PipelineFile {
  const issues: FileIssue[] = [];
  const warnings: string[] = [];
  const attempt = (t: string) => {
    const lines = new LineCounter();
    const docs = parseAllDocuments(t, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
    });
    const list = Array.isArray(docs) ? docs : [];
    return { lines, list, ok: list.every((d) => d.errors.length === 0) };
  };
  let parsed = attempt(text);
  if (!parsed.ok) {
    // yaml.v3 reads under-indented quoted continuation lines; retry with them indented.
    const fixed = reindentQuotedContinuations(text);
    const retry = fixed === undefined ? undefined : attempt(fixed);
    if (retry?.ok) parsed = retry;
  }
  const { lines: lineCounter, list } = parsed;
  const r = new DocReader(file, lineCounter, env, issues, warnings);
  for (const doc of list) {
    for (const e of doc.errors) r.issue(yamlErrorMessage(e.code, e.message), r.pos(e.pos[0]));
  }
  if (issues.length > 0) throw new PipelineFileError(issues);

  const pipelines: PipelineConfig[] = [];
  let firstVersion = '';
  for (const doc of list) {
    const read = readDocument(r, doc);
    if (!read) continue;
    firstVersion ||= read.version;
    pipelines.push(...read.pipelines);
  }
  const seen = new Set<string>();
  for (const p of pipelines) {
    if (seen.has(p.id)) {
      r.issue(`duplicate pipeline id "${p.id}": pipeline ids must be unique; rename one`, p.at);
    }
    seen.add(p.id);
  }
  if (issues.length > 0) throw new PipelineFileError(issues, warnings);
  return { file, files: [file], version: firstVersion, pipelines, warnings };
}

/** The `yaml` package's message, plus what usually fixes it in a pipeline file. */
function yamlErrorMessage(code: string, message: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
  const hints: { [code: string]: string } = {
    BAD_SCALAR_START:
      'a plain value cannot start with this character: put the value in single quotes',
    UNEXPECTED_TOKEN:
      'text after a quoted value: quote the whole value with single quotes, or escape inner double quotes as \\"',
    MISSING_CHAR: 'close the quote (or escape the quote inside the value)',
    DUPLICATE_KEY: 'each key may appear once in a mapping; remove or rename one',
    BAD_INDENT: 'align the entries of this mapping or list at the same column',
  };
  const hint = hints[code] ?? 'fix the YAML syntax here';
  return `invalid YAML: ${first}; ${hint}`;
}

function readDocument(
  r: DocReader,
  doc: Document.Parsed,
): { version: string; pipelines: PipelineConfig[] } | undefined {
  const root = doc.contents;
  // An empty document (a stray `---`) holds no pipelines, as in Conduit.
  if (root === null || (isScalar(root) && root.value === null)) return undefined;
  if (!isMap(root)) {
    r.issue(
      'expected a mapping with "version" and "pipelines" at the top of the document',
      r.at(root),
    );
    return undefined;
  }
  const vEntry = r.get(root, 'version');
  const written = vEntry ? (r.raw(vEntry.node) ?? '') : '';
  const vAt = vEntry ? r.at(vEntry.node, vEntry.keyAt) : r.at(root);
  const choice = chooseVersion(written);
  if (choice.version === undefined) {
    r.issue(choice.error, vAt);
    return undefined;
  }
  if (choice.warning) r.warn(choice.warning, vAt);
  const version = choice.version;
  r.checkKeys(root, FILE_KEYS, 'the file');

  const pipelines: PipelineConfig[] = [];
  const pEntry = r.get(root, 'pipelines');
  if (!pEntry || (isScalar(pEntry.node) && pEntry.node.value === null)) {
    r.warn('no pipelines in this document (add a "pipelines" list)', pEntry?.keyAt ?? r.at(root));
    return { version, pipelines };
  }
  if (versionAtLeast(version, '2.0')) {
    if (!isSeq(pEntry.node)) {
      r.issue(
        `"pipelines" must be a list in a version ${version} file (each entry "- id: …")`,
        r.at(pEntry.node, pEntry.keyAt),
      );
      return undefined;
    }
    for (const item of pEntry.node.items) {
      const p = readPipeline(r, item, undefined, version);
      if (p) pipelines.push(p);
    }
  } else {
    if (!isMap(pEntry.node)) {
      r.issue(
        `"pipelines" must be a mapping of pipeline id to pipeline in a version ${version} file (or use version "2.2" and a list)`,
        r.at(pEntry.node, pEntry.keyAt),
      );
      return undefined;
    }
    for (const pair of pEntry.node.items) {
      const id = r.text(pair.key, 'pipeline id', r.at(pair.key));
      const p = readPipeline(r, pair.value, { id, at: r.at(pair.key) }, version);
      if (p) pipelines.push(p);
    }
  }
  return { version, pipelines };
}

function readPipeline(
  r: DocReader,
  item: unknown,
  v1Id: { id: string | undefined; at: FilePosition } | undefined,
  version: string,
): PipelineConfig | undefined {
  const pAt = v1Id?.at ?? r.at(item);
  if (!isMap(item)) {
    r.issue('a pipeline must be a mapping (id, status, connectors, …)', pAt);
    return undefined;
  }
  const v1 = v1Id !== undefined;
  r.checkKeys(item, v1 ? PIPELINE_KEYS_V1 : PIPELINE_KEYS, 'pipeline');
  const idEntry = v1 ? undefined : r.get(item, 'id');
  const id = v1 ? v1Id.id : idEntry ? r.text(idEntry.node, 'pipeline id', idEntry.keyAt) : '';
  if (!id) {
    r.issue('pipeline: missing "id"; add a unique "id: …"', pAt);
    return undefined;
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
    r.issue(
      `pipeline id "${id}": use letters, digits, "_", "." or "-" only (it names the state file)`,
      pAt,
    );
  }
  const text = (key: string, dflt: string) => {
    const e = r.get(item, key);
    return e ? r.text(e.node, `pipeline ${id}: ${key}`, e.keyAt) || dflt : dflt;
  };
  const status = text('status', 'running');
  if (status !== 'running' && status !== 'stopped') {
    r.issue(`pipeline ${id}: status "${status}" must be "running" or "stopped"`, pAt);
  }

  const connectors: ConnectorConfig[] = [];
  let broken = false;
  const cEntry = r.get(item, 'connectors');
  const cNode = cEntry?.node;
  const entries: { node: unknown; id?: string; at: FilePosition }[] = [];
  if (v1 && isMap(cNode)) {
    for (const pair of cNode.items) {
      const at = r.at(pair.key);
      entries.push({ node: pair.value, id: r.text(pair.key, 'connector id', at), at });
    }
  } else if (!v1 && cNode && isSeq(cNode)) {
    for (const node of cNode.items) entries.push({ node, at: r.at(node) });
  } else if (cEntry && isScalar(cNode) && cNode.value === null) {
    r.issue(
      `pipeline ${id}: "connectors" is empty; add at least one source and one destination`,
      cEntry.keyAt,
    );
  } else {
    r.issue(
      `pipeline ${id}: "connectors" must be a ${v1 ? 'mapping of connector id to connector' : 'list'} with at least one source and one destination`,
      cEntry?.keyAt ?? pAt,
    );
  }
  const seen = new Set<string>();
  for (const e of entries) {
    const conn = readConnector(r, e, id, version, v1);
    if (!conn) {
      broken = true;
      continue;
    }
    if (seen.has(conn.id)) {
      r.issue(
        `pipeline ${id}: duplicate connector id "${conn.id}": connector ids must be unique in a pipeline; rename one`,
        conn.at,
      );
    }
    seen.add(conn.id);
    connectors.push(conn);
  }
  const sources = connectors.filter((c) => c.type === 'source');
  const destinations = connectors.filter((c) => c.type === 'destination');
  // Counting is meaningless when a connector entry itself was unreadable (already reported).
  if (cEntry && entries.length > 0 && !broken) {
    if (sources.length === 0) {
      r.issue(
        `pipeline ${id}: no source connector; add a connector with "type: source"`,
        cEntry.keyAt,
      );
    }
    if (destinations.length === 0) {
      r.issue(
        `pipeline ${id}: no destination connector; add a connector with "type: destination"`,
        cEntry.keyAt,
      );
    }
  } else if (cEntry && entries.length === 0 && !broken && (v1 ? isMap(cNode) : isSeq(cNode))) {
    r.issue(`pipeline ${id}: "connectors" is empty; add a source and a destination`, cEntry.keyAt);
  }

  const processors = readProcessors(r, r.get(item, 'processors'), version, `pipeline ${id}`);
  const ids = new Map<string, FilePosition>();
  for (const p of [...connectors.flatMap((c) => c.processors), ...processors]) {
    const first = ids.get(p.id);
    if (first) {
      r.issue(
        `pipeline ${id}: duplicate processor id "${p.id}" (also at line ${first.line}): processor ids must be unique in a pipeline; rename one`,
        p.at,
      );
    } else ids.set(p.id, p.at);
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
    processors,
    deadLetter: readDeadLetter(r, item, id, version, pAt),
    at: pAt,
  };
}

function readConnector(
  r: DocReader,
  e: { node: unknown; id?: string; at: FilePosition },
  pipelineId: string,
  version: string,
  v1: boolean,
): ConnectorConfig | undefined {
  const { node, at: cAt } = e;
  if (!isMap(node)) {
    r.issue(
      `pipeline ${pipelineId}: a connector must be a mapping (id, type, plugin, settings)`,
      cAt,
    );
    return undefined;
  }
  r.checkKeys(node, v1 ? CONNECTOR_KEYS_V1 : CONNECTOR_KEYS, 'connector');
  const field = (key: string, fix: string) => {
    const f = r.get(node, key);
    const v = f ? r.text(f.node, `connector ${key}`, f.keyAt) : undefined;
    if (!f || v === '') {
      r.issue(`pipeline ${pipelineId}: connector ${label()}is missing "${key}"; ${fix}`, cAt);
      return undefined;
    }
    return v === undefined ? undefined : { v, at: r.at(f.node, f.keyAt) };
  };
  const idField = v1 ? undefined : r.get(node, 'id');
  const idText = v1 ? e.id : idField ? r.text(idField.node, 'connector id', idField.keyAt) : '';
  const label = () => (idText ? `"${idText}" ` : '');
  if (!idText)
    r.issue(`pipeline ${pipelineId}: connector is missing "id"; add a unique "id: …"`, cAt);
  const type = field('type', 'add "type: source" or "type: destination"');
  const plugin = field('plugin', 'add e.g. "plugin: builtin:postgres"');
  if (type && type.v !== 'source' && type.v !== 'destination') {
    r.issue(
      `pipeline ${pipelineId}: connector ${label()}type "${type.v}" must be "source" or "destination"`,
      type.at,
    );
  }
  const settingsEntry = r.get(node, 'settings');
  const settings = settingsEntry
    ? r.settings(settingsEntry.node, 'settings', settingsEntry.keyAt)
    : {};
  const processors = readProcessors(
    r,
    r.get(node, 'processors'),
    version,
    `pipeline ${pipelineId}: connector ${label()}`.trimEnd(),
  );
  if (!idText || !type || !plugin) return undefined;
  return {
    id: idText,
    fullId: `${pipelineId}:${idText}`,
    type: type.v === 'destination' ? 'destination' : 'source',
    plugin: plugin.v,
    settings,
    processors,
    at: cAt,
    pluginAt: plugin.at,
  };
}

function readDeadLetter(
  r: DocReader,
  item: YAMLMap,
  id: string,
  version: string,
  pAt: FilePosition,
): DeadLetterConfig {
  const dEntry = r.get(item, 'dead-letter-queue');
  const deadLetter: DeadLetterConfig = {
    ...DEFAULT_DEAD_LETTER,
    settings: {},
    at: dEntry?.keyAt ?? pAt,
  };
  if (!dEntry || (isScalar(dEntry.node) && dEntry.node.value === null)) return deadLetter;
  if (!versionAtLeast(version, '1.1')) {
    r.warn(
      `pipeline ${id}: "dead-letter-queue" was introduced in version 1.1; set version: "2.2"`,
      dEntry.keyAt,
    );
  }
  if (!isMap(dEntry.node)) {
    r.issue(
      `pipeline ${id}: "dead-letter-queue" must be a mapping (plugin, settings, window-size, window-nack-threshold)`,
      dEntry.keyAt,
    );
    return deadLetter;
  }
  r.checkKeys(dEntry.node, DLQ_KEYS, 'dead-letter-queue');
  const plugin = r.get(dEntry.node, 'plugin');
  if (plugin) {
    deadLetter.plugin =
      r.text(plugin.node, 'dead-letter-queue.plugin', plugin.keyAt) || DEFAULT_DEAD_LETTER.plugin;
  }
  const settings = r.get(dEntry.node, 'settings');
  if (settings) {
    deadLetter.settings = r.settings(settings.node, 'dead-letter-queue.settings', settings.keyAt);
  }
  for (const [key, field] of [
    ['window-size', 'windowSize'],
    ['window-nack-threshold', 'windowNackThreshold'],
  ] as const) {
    const e = r.get(dEntry.node, key);
    if (!e) continue;
    const v = r.integer(e.node, `dead-letter-queue.${key}`, e.keyAt, 0);
    if (v !== undefined) deadLetter[field] = v;
  }
  return deadLetter;
}
