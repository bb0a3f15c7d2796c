import { isMap, isScalar, isSeq } from 'yaml';
import type { DocReader } from './doc-reader.js';
import type { FilePosition } from './errors.js';
import type { ProcessorConfig } from './pipeline-file.js';
import { versionAtLeast } from './versions.js';

const V1_KEYS = new Set(['type', 'settings', 'workers']);
const V2_KEYS = new Set(['id', 'type', 'plugin', 'condition', 'settings', 'workers']);

/**
 * A `processors:` entry of a pipeline or a connector. Version 2.x: a list of `{id, plugin,
 * settings, condition, workers}` (`type` is the pre-2.2 name of `plugin`); version 1.x: a mapping
 * from id to `{type, settings, workers}`. `workers: 0` (or unset) is 1, as in Conduit.
 */
export function readProcessors(
  r: DocReader,
  entry: { node: unknown; keyAt: FilePosition } | undefined,
  version: string,
  owner: string,
): ProcessorConfig[] {
  if (!entry || (isScalar(entry.node) && entry.node.value === null)) return [];
  const v1 = !versionAtLeast(version, '2.0');
  const items: { id: string | undefined; node: unknown; at: FilePosition }[] = [];
  if (v1) {
    if (!isMap(entry.node)) {
      r.issue(
        `${owner}: "processors" must be a mapping of processor id to processor in a version ${version} file (or use version "2.2" and a list)`,
        r.at(entry.node, entry.keyAt),
      );
      return [];
    }
    r.warn(
      `${owner}: processors in a version 1.x file run in an unspecified order in Conduit; opencdc-ts runs them in file order (use version "2.2", where "processors" is a list)`,
      entry.keyAt,
    );
    for (const pair of entry.node.items) {
      const at = r.at(pair.key, entry.keyAt);
      items.push({ id: r.text(pair.key, `${owner}: processor id`, at), node: pair.value, at });
    }
  } else {
    if (!isSeq(entry.node)) {
      r.issue(
        `${owner}: "processors" must be a list (each entry "- id: …, plugin: …")`,
        r.at(entry.node, entry.keyAt),
      );
      return [];
    }
    for (const node of entry.node.items) items.push({ id: undefined, node, at: r.at(node) });
  }

  const out: ProcessorConfig[] = [];
  for (const item of items) {
    if (!isMap(item.node)) {
      r.issue(`${owner}: a processor must be a mapping with "id" and "plugin"`, item.at);
      continue;
    }
    const map = item.node;
    r.checkKeys(map, v1 ? V1_KEYS : V2_KEYS, 'processor');
    const field = (key: string) => {
      const e = r.get(map, key);
      return e ? { text: r.text(e.node, `processor ${key}`, e.keyAt), at: e.keyAt } : undefined;
    };
    const id = v1 ? item.id : field('id')?.text;
    if (!id) {
      r.issue(`${owner}: processor is missing "id"; add a unique "id: …"`, item.at);
      continue;
    }
    const what = `${owner}: processor "${id}"`;
    const plugin = v1 ? undefined : field('plugin');
    const type = field('type');
    if (!v1 && plugin && !versionAtLeast(version, '2.2')) {
      r.warn(`${what}: "plugin" was introduced in version 2.2; set version: "2.2"`, plugin.at);
    }
    if (!v1 && type && versionAtLeast(version, '2.2')) {
      r.warn(`${what}: "type" is deprecated since version 2.2; rename it to "plugin"`, type.at);
    }
    const name = plugin?.text || type?.text;
    if (!name) {
      r.issue(
        `${what}: missing "${v1 ? 'type' : 'plugin'}" (the processor's plugin name, e.g. "field.set")`,
        item.at,
      );
      continue;
    }
    const condition = v1 ? undefined : field('condition');
    if (condition && !versionAtLeast(version, '2.1')) {
      r.warn(
        `${what}: "condition" was introduced in version 2.1; set version: "2.2"`,
        condition.at,
      );
    }
    const workersEntry = r.get(map, 'workers');
    const workers = workersEntry
      ? r.integer(workersEntry.node, `${what}: workers`, workersEntry.keyAt, 0)
      : 0;
    const settingsEntry = r.get(map, 'settings');
    const settings = settingsEntry
      ? r.settings(settingsEntry.node, `${what}: settings`, settingsEntry.keyAt)
      : {};
    out.push({
      id,
      plugin: name,
      settings,
      ...(condition?.text ? { condition: condition.text } : {}),
      workers: workers === undefined || workers === 0 ? 1 : workers,
      at: item.at,
      pluginAt: (plugin?.text ? plugin.at : type?.at) ?? item.at,
    });
  }
  return out;
}
