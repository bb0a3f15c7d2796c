import { METADATA_COLLECTION, type OpenCDCRecord } from '@opencdc-ts/commons';
import { ConfigError } from '../errors.js';
import { compileTemplate, TemplateSyntaxError } from './template.js';
import { RouteError, type Router, type RouterOptions } from './types.js';

/** Bound on remembered name checks so a stream of unique names cannot grow memory forever. */
const CACHE_LIMIT = 10_000;

/**
 * Compiles a route template once (at configure time) into a `Router`.
 * - No template (or empty): the record's `opencdc.collection`, read directly from metadata.
 * - No `{{`: a static route, validated now; `route()` returns it without touching the record.
 * - Otherwise a template (see `compileTemplate`); syntax errors throw `ConfigError` with the column.
 * Rendered names are checked with `validateName` and `allow`; results are cached per name.
 */
export function compileRouter(opts: RouterOptions): Router {
  const template = opts.template ?? '';
  const shown =
    template === '' ? `{{ index .Metadata "${METADATA_COLLECTION}" }} (default)` : template;
  const check = nameChecker(opts);

  if (template.trim() === '')
    return dynamic(opts, shown, (r) => r.metadata.get(METADATA_COLLECTION) ?? '', check);

  if (!template.includes('{{')) {
    const problem = check(template);
    if (problem !== undefined)
      throw new ConfigError({
        parameter: opts.parameter,
        value: template,
        rule: problem,
        fix: 'use a legal, allowed name, or a template such as {{ index .Metadata "opencdc.collection" }}',
      });
    return { staticRoute: template, route: () => template };
  }

  let compiled: ReturnType<typeof compileTemplate>;
  try {
    compiled = compileTemplate(template);
  } catch (e) {
    if (!(e instanceof TemplateSyntaxError)) throw e;
    throw new ConfigError(
      {
        parameter: opts.parameter,
        value: template,
        rule: `template syntax: ${e.message}`,
        fix: 'write a template such as {{ index .Metadata "opencdc.collection" }} or {{ .Payload.After.region | lower }}',
      },
      { cause: e },
    );
  }
  // One metadata lookup (the default written out, or any single key): skip the closure layer.
  const key = compiled.metadataKey;
  const render = key !== undefined ? metadataLookup(key) : compiled.render;
  return dynamic(opts, shown, render, check);
}

/** One shared shape for every single-key route, so the default and its spelled-out forms cost the same. */
function metadataLookup(key: string): (r: OpenCDCRecord) => string {
  return (r) => r.metadata.get(key) ?? '';
}

function dynamic(
  opts: RouterOptions,
  shown: string,
  render: (r: OpenCDCRecord) => string,
  check: (name: string) => string | undefined,
): Router {
  return {
    staticRoute: undefined,
    route(record) {
      const name = render(record);
      if (name === '')
        throw new RouteError(
          `${describeRecord(record)}: ${opts.parameter} template ${JSON.stringify(shown)} rendered an empty name`,
        );
      const problem = check(name);
      if (problem !== undefined)
        throw new RouteError(
          `${describeRecord(record)}: ${opts.parameter} template ${JSON.stringify(shown)} rendered ${JSON.stringify(name)}: ${problem}`,
        );
      return name;
    },
  };
}

/** validateName + allow, memoized per name (the hot path is then one Map lookup). */
function nameChecker(opts: RouterOptions): (name: string) => string | undefined {
  const { validateName, allow } = opts;
  if (!validateName && (!allow || allow.length === 0)) return () => undefined;
  const exact = new Set(allow?.filter((a): a is string => typeof a === 'string'));
  const patterns = allow?.filter((a): a is RegExp => a instanceof RegExp) ?? [];
  const cache = new Map<string, string | null>();
  const slow = (name: string): string | undefined => {
    const invalid = validateName?.(name);
    if (invalid !== undefined) return invalid;
    if (allow && allow.length > 0 && !exact.has(name) && !patterns.some((p) => testWhole(p, name)))
      return `not in the allow-list (${allow.map(String).join(', ')})`;
    return undefined;
  };
  return (name) => {
    const hit = cache.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const result = slow(name);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(name, result ?? null);
    return result;
  };
}

/** Patterns match the whole name (as an allow-list should), whether or not they are anchored. */
function testWhole(p: RegExp, name: string): boolean {
  const m = new RegExp(p.source, p.flags.replace('g', '').replace('y', '')).exec(name);
  return m !== null && m.index === 0 && m[0].length === name.length;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function describeRecord(r: OpenCDCRecord): string {
  return `record at position ${printable(r.position)}${r.key == null ? '' : ` with key ${printable(r.key)}`}`;
}

function printable(v: unknown): string {
  let s: string;
  if (v instanceof Uint8Array) {
    try {
      s = utf8.decode(v);
    } catch {
      s = `base64:${Buffer.from(v).toString('base64')}`;
    }
  } else {
    s = JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
