import { ConfigError, ConfigErrors } from '../errors.js';
import type { ParamDef, Presence } from './param.js';
import { nearest } from './suggest.js';
import type { ConfigSchema, Parameters } from './types.js';

/** One matched instance of a wildcard parameter (`collections.*.weight` → `users`). */
export interface WildcardValue<T> {
  /** The segments the `*`s matched, in order, e.g. `['users']`. */
  wildcards: string[];
  /** The concrete parameter name, e.g. `collections.users.weight`. */
  name: string;
  value: T;
}

// biome-ignore lint/suspicious/noExplicitAny: variance: a ParamDef of any value type is a shape member.
export type ConfigShape = { readonly [name: string]: ParamDef<any, Presence> };

type ValueOf<D> = D extends ParamDef<infer T, Presence> ? T : never;

/** The typed config a shape parses to. Wildcard names give arrays of matched instances. */
export type ConfigOf<S extends ConfigShape> = {
  -readonly [K in keyof S]: K extends `${string}*${string}`
    ? WildcardValue<ValueOf<S[K]>>[]
    : S[K] extends ParamDef<infer T, 'required'>
      ? T
      : ValueOf<S[K]> | undefined;
};

/** Raw settings as found in pipeline YAML; non-strings (numbers, booleans) are stringified. */
export type RawConfig = { readonly [key: string]: string };

interface Wildcard {
  name: string;
  def: ParamDef<unknown>;
  segments: string[];
  /** Index of each `*` segment. */
  stars: number[];
}

const NAME = /^[A-Za-z0-9_-]+(?:\.(?:[A-Za-z0-9_-]+|\*))*$|^\*(?:\.(?:[A-Za-z0-9_-]+|\*))*$/;

/**
 * Declares a connector side's config once: the result publishes the parameter spec and parses
 * raw settings into the typed config. Throws (at load time) on an invalid declaration.
 */
export function defineConfig<const S extends ConfigShape>(
  shape: S,
): ConfigSchema<ConfigOf<S>> & { readonly shape: S } {
  const parameters: Parameters = {};
  const plain = new Map<string, ParamDef<unknown>>();
  const wildcards: Wildcard[] = [];
  for (const [name, def] of Object.entries(shape)) {
    if (!NAME.test(name))
      throw new Error(
        `parameter name ${JSON.stringify(name)}: use dot-separated segments of letters, digits, _ or -, or * as a whole segment`,
      );
    parameters[name] = def.spec;
    const segments = name.split('.');
    if (segments.includes('*')) {
      const stars = segments.flatMap((s, i) => (s === '*' ? [i] : []));
      wildcards.push({ name, def, segments, stars });
    } else {
      plain.set(name, def);
    }
  }
  const names = Object.keys(shape);

  function matchWildcard(
    w: Wildcard,
    keySegments: string[],
    prefixOnly: boolean,
  ): string[] | undefined {
    const upTo = prefixOnly ? w.stars[w.stars.length - 1]! + 1 : w.segments.length;
    if (prefixOnly ? keySegments.length < upTo : keySegments.length !== upTo) return undefined;
    const bound: string[] = [];
    for (let i = 0; i < upTo; i++) {
      const s = w.segments[i]!;
      const k = keySegments[i]!;
      if (s === '*') {
        if (k === '') return undefined;
        bound.push(k);
      } else if (s !== k) return undefined;
    }
    return bound;
  }

  function parse(raw: RawConfig): ConfigOf<S> {
    const errors: ConfigError[] = [];
    const values = new Map<string, string>();
    const out: { [name: string]: unknown } = {};
    for (const [key, rawValue] of Object.entries(raw)) {
      const value = String(rawValue ?? '').trim();
      const keySegments = key.split('.');
      const known = plain.has(key) || wildcards.some((w) => matchWildcard(w, keySegments, false));
      if (!known) {
        const candidates = names.map((n) => substitute(n, keySegments));
        const hint = nearest(key, candidates);
        errors.push(
          new ConfigError({
            parameter: key,
            value,
            rule: 'unknown parameter',
            fix: hint
              ? `did you mean "${hint}"? Otherwise remove it`
              : `remove it; known parameters: ${names.join(', ')}`,
          }),
        );
        continue;
      }
      // Empty counts as not set, as in Conduit (defaults then apply).
      if (value !== '') values.set(key, value);
    }

    const convert = (name: string, def: ParamDef<unknown>, text: string | undefined): unknown => {
      if (text === undefined) {
        if (def.defaultValue !== undefined) return def.defaultValue;
        if (def.required)
          errors.push(
            new ConfigError({
              parameter: name,
              value: undefined,
              rule: 'required',
              fix: `set "${name}"${def.spec.description ? ` (${def.spec.description})` : ''}`,
            }),
          );
        return undefined;
      }
      const r = def.parse(text);
      if (r.ok) return r.value;
      errors.push(new ConfigError({ parameter: name, value: text, rule: r.rule, fix: r.fix }));
      return undefined;
    };

    for (const [name, def] of plain) out[name] = convert(name, def, values.get(name));

    // Instances of a wildcard parameter: every binding of its `*`s seen in ANY given key that
    // shares its prefix up to the last `*`, so a default applies per matched instance.
    const allKeys = [...Object.keys(raw)].map((k) => k.split('.'));
    for (const w of wildcards) {
      const seen = new Set<string>();
      const instances: { wildcards: string[]; name: string; value: unknown }[] = [];
      for (const keySegments of allKeys) {
        const bound = matchWildcard(w, keySegments, true);
        if (!bound) continue;
        const id = bound.join('\u0000');
        if (seen.has(id)) continue;
        seen.add(id);
        let i = 0;
        const name = w.segments.map((s) => (s === '*' ? bound[i++]! : s)).join('.');
        const value = convert(name, w.def, values.get(name));
        if (value !== undefined) instances.push({ wildcards: bound, name, value });
      }
      out[w.name] = instances;
    }

    if (errors.length > 0) throw new ConfigErrors(errors);
    return out as ConfigOf<S>;
  }

  return { parameters, parse, shape };
}

/** A wildcard name with the given key's segments put in place of its `*`s (for hints). */
function substitute(name: string, keySegments: string[]): string {
  const segments = name.split('.');
  return segments.map((s, i) => (s === '*' ? (keySegments[i] ?? s) : s)).join('.');
}
