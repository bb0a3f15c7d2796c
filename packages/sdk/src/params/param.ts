import { formatDuration, parseDuration } from './duration.js';
import type { Parameter, ParameterType, Validation } from './types.js';

/** `required`: the config always holds a value (declared required, or has a default). */
export type Presence = 'required' | 'optional';

/** `list` is published as a `string` parameter holding a comma-separated list. */
export type ParamKind = ParameterType | 'list';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; rule: string; fix: string };

/** One declared parameter: its published spec and a parser for one (trimmed, non-empty) value. */
export interface ParamDef<T, P extends Presence = Presence> {
  readonly kind: ParamKind;
  readonly spec: Parameter;
  readonly required: boolean;
  /** The parsed default, `undefined` when none. */
  readonly defaultValue: T | undefined;
  parse(text: string): ParseResult<T>;
  /** Type-level marker only (never set): whether the parsed config always holds a value. */
  readonly presence?: P;
}

/** Options every parameter takes. */
export interface BaseOptions<T> {
  /** One or two sentences for users: what it does, units, examples. Shown in READMEs and UIs. */
  description?: string;
  /** A value must be given (an empty value counts as missing). */
  required?: boolean;
  /** Extra check after the built-in rules; return a message (used as the fix) when invalid. */
  check?: (value: T) => string | undefined;
}

export interface StringOptions extends BaseOptions<string> {
  default?: string;
  /** The value must be one of these (the config type becomes their union). */
  inclusion?: readonly string[];
  exclusion?: readonly string[];
  regex?: RegExp | string;
}

export interface NumberOptions extends BaseOptions<number> {
  default?: number;
  greaterThan?: number;
  lessThan?: number;
  inclusion?: readonly number[];
  exclusion?: readonly number[];
}

export interface BoolOptions extends BaseOptions<boolean> {
  default?: boolean;
}

export interface DurationOptions extends BaseOptions<number> {
  /** A Go duration string (`5s`, `1m30s`) or milliseconds. */
  default?: string | number;
}

export interface FileOptions extends BaseOptions<string> {
  default?: string;
  regex?: RegExp | string;
}

export interface ListOptions extends BaseOptions<string[]> {
  /** Items, or the comma-separated text. */
  default?: readonly string[] | string;
  /** Each item must be one of these (the item type becomes their union). */
  inclusion?: readonly string[];
  /** Each item must match. */
  regex?: RegExp | string;
}

/** Whether options make the parsed value always present. */
export type PresenceOf<O> = O extends { required: true }
  ? 'required'
  : O extends { default: infer D }
    ? [D] extends [undefined]
      ? 'optional'
      : 'required'
    : 'optional';

type Included<O, Fallback> = O extends { inclusion: readonly (infer U)[] } ? U : Fallback;

type Check<T> = (text: string) => ParseResult<T>;

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = (rule: string, fix: string): ParseResult<never> => ({ ok: false, rule, fix });

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function toRegExp(r: RegExp | string): RegExp {
  return typeof r === 'string' ? new RegExp(r) : r;
}

interface Rules {
  inclusion?: readonly (string | number)[] | undefined;
  exclusion?: readonly (string | number)[] | undefined;
  regex?: RegExp | string | undefined;
  greaterThan?: number | undefined;
  lessThan?: number | undefined;
}

/** The published validations, in Conduit's shape. */
function validations(required: boolean | undefined, rules: Rules): Validation[] {
  const v: Validation[] = [];
  if (required) v.push({ type: 'required', value: '' });
  if (rules.greaterThan !== undefined)
    v.push({ type: 'greater-than', value: String(rules.greaterThan) });
  if (rules.lessThan !== undefined) v.push({ type: 'less-than', value: String(rules.lessThan) });
  if (rules.inclusion) v.push({ type: 'inclusion', value: rules.inclusion.join(',') });
  if (rules.exclusion) v.push({ type: 'exclusion', value: rules.exclusion.join(',') });
  if (rules.regex !== undefined) v.push({ type: 'regex', value: toRegExp(rules.regex).source });
  return v;
}

/** Applies the shared rules to an already type-converted value. */
function checkRules<T extends string | number>(
  value: T,
  rules: Rules,
  check: ((v: T) => string | undefined) | undefined,
): ParseResult<T> {
  if (rules.inclusion && !rules.inclusion.includes(value))
    return fail(
      `inclusion [${rules.inclusion.join(', ')}]`,
      `use one of: ${rules.inclusion.join(', ')}`,
    );
  if (rules.exclusion?.includes(value))
    return fail(
      `exclusion [${rules.exclusion.join(', ')}]`,
      `use a value other than: ${rules.exclusion.join(', ')}`,
    );
  if (rules.regex !== undefined) {
    const re = toRegExp(rules.regex);
    if (!re.test(String(value)))
      return fail(`regex ${re.source}`, `use a value matching the pattern ${re.source}`);
  }
  if (rules.greaterThan !== undefined && !((value as number) > rules.greaterThan))
    return fail(
      `greater-than ${rules.greaterThan}`,
      `use a number greater than ${rules.greaterThan}`,
    );
  if (rules.lessThan !== undefined && !((value as number) < rules.lessThan))
    return fail(`less-than ${rules.lessThan}`, `use a number less than ${rules.lessThan}`);
  return runCheck(value, check);
}

function runCheck<T>(value: T, check: ((v: T) => string | undefined) | undefined): ParseResult<T> {
  const message = check?.(value);
  return message === undefined ? ok(value) : fail('check', message);
}

function make<T, P extends Presence>(
  kind: ParamKind,
  opts: BaseOptions<never> & { default?: unknown },
  defaultText: string,
  rules: Rules,
  parse: Check<T>,
): ParamDef<T, P> {
  const spec: Parameter = {
    type: kind === 'list' ? 'string' : kind,
    description: opts.description ?? '',
    default: defaultText,
    validations: validations(
      opts.required,
      kind === 'list' ? { ...rules, inclusion: undefined, regex: undefined } : rules,
    ),
  };
  let defaultValue: T | undefined;
  if (defaultText !== '') {
    const parsed = parse(defaultText);
    // A default that breaks its own rules is the connector author's bug: fail at load time.
    if (!parsed.ok)
      throw new Error(`default ${JSON.stringify(defaultText)} violates ${parsed.rule}`);
    defaultValue = parsed.value;
  }
  return { kind, spec, required: opts.required === true, defaultValue, parse };
}

function stringParam<const O extends StringOptions = object>(
  opts?: O & StringOptions,
): ParamDef<Included<O, string>, PresenceOf<O>> {
  const o: StringOptions = opts ?? {};
  return make('string', o, o.default ?? '', o, (text) => checkRules(text, o, o.check)) as ParamDef<
    Included<O, string>,
    PresenceOf<O>
  >;
}

function numberParam(kind: 'int' | 'float', o: NumberOptions): ParamDef<number> {
  return make(kind, o, o.default === undefined ? '' : String(o.default), o, (text) => {
    if (kind === 'int') {
      const n = Number(text);
      if (!INT.test(text) || !Number.isSafeInteger(n))
        return fail('type int', 'use a whole number such as 42');
      return checkRules(n, o, o.check);
    }
    if (!FLOAT.test(text)) return fail('type float', 'use a number such as 0.5');
    return checkRules(Number(text), o, o.check);
  });
}

function intParam<const O extends NumberOptions = object>(
  opts?: O & NumberOptions,
): ParamDef<Included<O, number>, PresenceOf<O>> {
  return numberParam('int', opts ?? {}) as ParamDef<Included<O, number>, PresenceOf<O>>;
}

function floatParam<const O extends NumberOptions = object>(
  opts?: O & NumberOptions,
): ParamDef<Included<O, number>, PresenceOf<O>> {
  return numberParam('float', opts ?? {}) as ParamDef<Included<O, number>, PresenceOf<O>>;
}

function boolParam<const O extends BoolOptions = object>(
  opts?: O & BoolOptions,
): ParamDef<boolean, PresenceOf<O>> {
  const o: BoolOptions = opts ?? {};
  return make('bool', o, o.default === undefined ? '' : String(o.default), {}, (text) => {
    if (GO_TRUE.has(text)) return runCheck(true, o.check);
    if (GO_FALSE.has(text)) return runCheck(false, o.check);
    return fail('type bool', 'use true or false');
  });
}

function durationParam<const O extends DurationOptions = object>(
  opts?: O & DurationOptions,
): ParamDef<number, PresenceOf<O>> {
  const o: DurationOptions = opts ?? {};
  const def = typeof o.default === 'number' ? formatDuration(o.default) : (o.default ?? '');
  return make('duration', o, def, {}, (text) => {
    const ms = parseDuration(text);
    if (ms === undefined)
      return fail('type duration', 'use a duration such as 500ms, 10s, 1m30s or 2h');
    return runCheck(ms, o.check);
  });
}

function fileParam<const O extends FileOptions = object>(
  opts?: O & FileOptions,
): ParamDef<string, PresenceOf<O>> {
  const o: FileOptions = opts ?? {};
  return make('file', o, o.default ?? '', o, (text) => checkRules(text, o, o.check));
}

function listParam<const O extends ListOptions = object>(
  opts?: O & ListOptions,
): ParamDef<Included<O, string>[], PresenceOf<O>> {
  const o: ListOptions = opts ?? {};
  const def = typeof o.default === 'string' ? o.default : (o.default ?? []).join(',');
  const itemRules: Rules = { inclusion: o.inclusion, regex: o.regex };
  const described: ListOptions = {
    ...o,
    description: [
      o.description ?? '',
      o.inclusion ? `Comma-separated list; each item one of: ${o.inclusion.join(', ')}.` : '',
      o.regex !== undefined
        ? `Comma-separated list; each item matches ${toRegExp(o.regex).source}.`
        : '',
    ]
      .filter((s) => s !== '')
      .join(' '),
  };
  return make('list', described, def, itemRules, (text) => {
    const items = text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const item of items) {
      const r = checkRules(item, itemRules, undefined);
      if (!r.ok) return fail(`item ${JSON.stringify(item)}: ${r.rule}`, r.fix);
    }
    return runCheck(items, o.check);
  }) as ParamDef<Included<O, string>[], PresenceOf<O>>;
}

/**
 * Parameter builders. Each returns a declaration carrying its published spec, its parser and
 * (at the type level) the parsed type: required or defaulted → `T`, otherwise `T | undefined`.
 */
export const param = {
  string: stringParam,
  int: intParam,
  float: floatParam,
  bool: boolParam,
  /** A Go duration string (`500ms`, `1m30s`); parsed to milliseconds. */
  duration: durationParam,
  /** A path to a file. Not opened at parse time (the file may only exist where it runs). */
  file: fileParam,
  /** A comma-separated list, published as a `string`; items trimmed, empty items dropped. */
  list: listParam,
};
