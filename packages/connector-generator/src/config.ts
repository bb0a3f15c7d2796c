import { OPERATIONS, type Operation } from '@opencdc-ts/commons';
import { ConfigError, ConfigErrors, type ConfigOf, defineConfig, param } from '@opencdc-ts/sdk';
import { compileField, type FieldSpec } from './fields.js';
import type { CollectionConfig, FormatType, GeneratorConfig } from './model.js';

const FORMATS = ['raw', 'structured', 'file'] as const;
const TYPES_HELP =
  'A field type: int, string, time, bool, duration, or a @faker-js/faker method such as person.fullName, internet.email, string.uuid, commerce.price.';

/** The parameters, declared once: they give the specification and the parser. */
export const sourceConfig = defineConfig({
  recordCount: param.int({
    default: 0,
    description: 'Records to generate over all collections, then stop producing; 0 = unbounded.',
  }),
  rate: param.float({
    default: 0,
    description:
      'Records per second shared by the collections without their own rate (split by weight); 0 = as fast as possible.',
  }),
  readTime: param.duration({
    default: '0s',
    description:
      "The time it takes to 'read' a record: one record per readTime, i.e. rate = 1/readTime. Deprecated upstream: use rate (setting both is an error).",
  }),
  'burst.sleepTime': param.duration({
    default: '0s',
    description:
      'Pause between bursts (e.g. 5s); 0 = no bursts. During a burst the rates still apply.',
  }),
  'burst.generateTime': param.duration({
    default: '1s',
    description: 'Length of each burst of generation when burst.sleepTime is set.',
  }),
  seed: param.int({
    description:
      'Seed for reproducible output: the same seed and config give the same records, and a restart resumes exactly after the last acked record. Unset = random per start (then a restart continues the key space but not the exact values).',
  }),
  'format.type': param.string({
    inclusion: FORMATS,
    description:
      'Payload format of the default collection (and the default for named collections): structured (an object), raw (JSON bytes) or file (the bytes of format.options.path). Default: structured.',
  }),
  'format.options': param.string({
    description: `Fields of the default collection as one comma list of name:type pairs (e.g. "id:int,name:string"), the older upstream form of format.options.<field>; both may be combined. ${TYPES_HELP}`,
  }),
  'format.options.*': param.string({
    description: `Field of the default collection (no opencdc.collection) and its type. ${TYPES_HELP}`,
  }),
  'format.options.path': param.file({
    description: 'With format.type=file: path of the file whose bytes are the payload.',
  }),
  operations: param.list({
    inclusion: OPERATIONS,
    default: 'create',
    description:
      'Operations to generate, picked uniformly per record (also the default for named collections).',
  }),
  'collections.*.format.type': param.string({
    inclusion: FORMATS,
    description: 'Payload format of this collection; default: format.type, else structured.',
  }),
  'collections.*.format.options': param.string({
    description:
      'Fields of this collection as one comma list of name:type pairs (e.g. "id:int,name:string").',
  }),
  'collections.*.format.options.*': param.string({
    description: `Field of this collection and its type. ${TYPES_HELP}`,
  }),
  'collections.*.format.options.path': param.file({
    description: 'With format.type=file: path of the file whose bytes are the payload.',
  }),
  'collections.*.operations': param.list({
    inclusion: OPERATIONS,
    description: 'Operations of this collection; default: operations.',
  }),
  'collections.*.weight': param.float({
    greaterThan: 0,
    description:
      'Share of the records of the collections without their own rate (weights 3 and 1 give 75% and 25%). Default: 1.',
  }),
  'collections.*.rate': param.float({
    greaterThan: 0,
    description:
      'Own records per second of this collection, independent of rate and weights (not set = share rate by weight).',
  }),
});

export type RawSourceConfig = ConfigOf<(typeof sourceConfig)['shape']>;

/**
 * The older upstream form of a field list: `name:type` pairs separated by commas. A pair
 * without `:` is reported where `fieldsOf` reports bad types (its type is then empty).
 */
function pairs(parameter: string, text: string | undefined): { name: string; type: string }[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const at = p.indexOf(':');
      if (at <= 0)
        throw new ConfigError({
          parameter,
          value: text,
          rule: 'a comma list of name:type pairs',
          fix: 'write fields as name:type, e.g. "id:int,name:string"',
        });
      return { name: p.slice(0, at).trim(), type: p.slice(at + 1).trim() };
    });
}

function byFirstWildcard<T>(items: { wildcards: string[]; value: T }[]): Map<string, T> {
  return new Map(items.map((i) => [i.wildcards[0]!, i.value]));
}

/**
 * Turns the parsed parameters into collections, checking what single parameters cannot:
 * field types (against faker's API), that there is something to generate, and that rates,
 * weights and bursts combine sensibly. Reports every problem at once.
 */
export function toGeneratorConfig(raw: RawSourceConfig): GeneratorConfig {
  const errors: ConfigError[] = [];
  const err = (parameter: string, value: string | undefined, rule: string, fix: string) =>
    errors.push(new ConfigError({ parameter, value, rule, fix }));

  if (raw.recordCount < 0)
    err(
      'recordCount',
      String(raw.recordCount),
      'greater-than or equal 0',
      'use 0 (unbounded) or a positive count',
    );
  if (raw.rate < 0)
    err(
      'rate',
      String(raw.rate),
      'greater-than or equal 0',
      'use 0 (as fast as possible) or a positive number of records per second',
    );
  const readTime = raw.readTime;
  if (readTime < 0)
    err('readTime', `${readTime}ms`, 'not negative', 'use 0 or a duration such as 100ms');
  if (readTime > 0 && raw.rate > 0)
    err(
      'readTime',
      `${readTime}ms`,
      'not together with rate',
      'remove readTime (deprecated upstream) and keep rate',
    );
  // One record per readTime, as upstream converts it (rate.Every(readTime)).
  const rate = readTime > 0 && raw.rate === 0 ? 1000 / readTime : raw.rate;
  const burst = { sleepTime: raw['burst.sleepTime'], generateTime: raw['burst.generateTime'] };
  if (burst.sleepTime < 0)
    err(
      'burst.sleepTime',
      `${burst.sleepTime}ms`,
      'not negative',
      'use 0 (no bursts) or a duration such as 5s',
    );
  if (burst.sleepTime > 0 && burst.generateTime <= 0)
    err(
      'burst.generateTime',
      `${burst.generateTime}ms`,
      'greater-than 0 when burst.sleepTime is set',
      'use a duration such as 1s',
    );
  if (raw.seed !== undefined && (raw.seed < 0 || !Number.isSafeInteger(raw.seed)))
    err(
      'seed',
      String(raw.seed),
      'an integer from 0 to 2^53-1',
      'use a non-negative whole number such as 42',
    );

  const defaultFormat: FormatType = raw['format.type'] ?? 'structured';
  const defaultOps = raw.operations as Operation[];

  const fieldsOf = (
    prefix: string,
    entries: { name: string; type: string }[],
    format: FormatType,
  ) => {
    const fields: FieldSpec[] = [];
    for (const { name, type } of entries) {
      // With the file format, `path` names the file; otherwise it is a field like any other.
      if (format === 'file' && name === 'path') continue;
      try {
        compileField(`${prefix}format.options.${name}`, { name, type });
        fields.push({ name, type });
      } catch (e) {
        if (e instanceof ConfigError) errors.push(e);
        else throw e;
      }
    }
    return fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  };

  const collections: CollectionConfig[] = [];
  /** The top-level collection (records without opencdc.collection). */
  const defaultCollection = (): CollectionConfig => ({
    name: undefined,
    prefix: '',
    format: defaultFormat,
    fields: fieldsOf('', topFields, defaultFormat),
    path: defaultFormat === 'file' ? topPath : undefined,
    operations: defaultOps,
    weight: 1,
    rate: undefined,
  });
  const names = new Set<string>();
  for (const key of [
    'collections.*.format.type',
    'collections.*.format.options',
    'collections.*.format.options.*',
    'collections.*.format.options.path',
    'collections.*.operations',
    'collections.*.weight',
    'collections.*.rate',
  ] as const) {
    for (const i of raw[key]) names.add(i.wildcards[0]!);
  }

  const topFields = [
    ...pairs('format.options', raw['format.options']),
    ...raw['format.options.*'].map((i) => ({ name: i.wildcards[0]!, type: i.value })),
  ];
  const topPath = raw['format.options.path'];
  const hasDefault = defaultFormat === 'file' ? topPath !== undefined : topFields.length > 0;

  if (names.size === 0) {
    if (defaultFormat === 'file' && topPath === undefined) {
      err(
        'format.options.path',
        undefined,
        'required with format.type=file',
        'set format.options.path to the file whose bytes are the payload',
      );
    } else if (!hasDefault) {
      err(
        'format.options.*',
        undefined,
        'at least one collection with fields',
        'set fields such as format.options.id=int, or collections.<name>.format.options.<field>=<type>',
      );
    } else {
      collections.push(defaultCollection());
    }
  } else {
    // Top-level fields (or a file) make the default collection (records without
    // opencdc.collection) beside the named ones, as upstream; a top-level format.type alone
    // only sets the format of the named collections.
    if (topFields.length > 0 || topPath !== undefined) {
      if (defaultFormat === 'file' && topPath === undefined)
        err(
          'format.options.path',
          undefined,
          'required with format.type=file',
          'set format.options.path to the file whose bytes are the payload',
        );
      collections.push(defaultCollection());
    }
    const formats = byFirstWildcard(raw['collections.*.format.type']);
    const paths = byFirstWildcard(raw['collections.*.format.options.path']);
    const ops = byFirstWildcard(raw['collections.*.operations']);
    const weights = byFirstWildcard(raw['collections.*.weight']);
    const rates = byFirstWildcard(raw['collections.*.rate']);
    for (const name of [...names].sort()) {
      const prefix = `collections.${name}.`;
      const format: FormatType = formats.get(name) ?? defaultFormat;
      const listed = byFirstWildcard(raw['collections.*.format.options']).get(name);
      const entries = [
        ...pairs(`${prefix}format.options`, listed),
        ...raw['collections.*.format.options.*']
          .filter((i) => i.wildcards[0] === name)
          .map((i) => ({ name: i.wildcards[1]!, type: i.value })),
      ];
      const fields = fieldsOf(prefix, entries, format);
      const path = paths.get(name);
      if (format === 'file' && path === undefined)
        err(
          `${prefix}format.options.path`,
          undefined,
          'required with format.type=file',
          `set ${prefix}format.options.path to the file whose bytes are the payload`,
        );
      if (format !== 'file' && entries.length === 0)
        err(
          `${prefix}format.options.*`,
          undefined,
          'a collection needs at least one field',
          `set ${prefix}format.options.<field>=<type>, e.g. ${prefix}format.options.id=int`,
        );
      const rate = rates.get(name);
      if (rate !== undefined && weights.has(name))
        err(
          `${prefix}weight`,
          String(weights.get(name)),
          'weight only without collections.<name>.rate',
          `remove ${prefix}weight (a collection with its own rate does not share the top-level rate)`,
        );
      collections.push({
        name,
        prefix,
        format,
        fields,
        path: format === 'file' ? path : undefined,
        operations: (ops.get(name) as Operation[] | undefined) ?? defaultOps,
        weight: weights.get(name) ?? 1,
        rate,
      });
    }
    const shared = collections.filter((c) => c.rate === undefined);
    const rated = collections.filter((c) => c.rate !== undefined);
    if (rated.length > 0 && shared.length > 0 && rate === 0)
      err(
        'rate',
        '0',
        'greater-than 0 when some collections have their own rate',
        `set rate (shared by ${shared.map((c) => c.name).join(', ')}) or give each of them collections.<name>.rate; unlimited and limited collections cannot be interleaved reproducibly`,
      );
    if (rated.length > 0 && shared.length === 0 && rate > 0)
      err(
        'rate',
        String(raw.rate),
        'unused when every collection has its own rate',
        'remove rate, or remove collections.<name>.rate from the collections that should share it',
      );
  }
  for (const c of collections) {
    if (c.operations.length === 0)
      err(
        `${c.prefix}operations`,
        '',
        'at least one operation',
        `use a comma list of ${OPERATIONS.join(', ')}`,
      );
  }

  if (errors.length > 0) throw new ConfigErrors(errors);
  return {
    recordCount: raw.recordCount,
    rate,
    burst,
    seed: raw.seed,
    collections,
  };
}

/** Parses raw settings (as in pipeline YAML) into the generator's config. */
export function parseConfig(settings: { readonly [key: string]: string }): GeneratorConfig {
  return toGeneratorConfig(sourceConfig.parse(settings));
}
