import type { Faker, Randomizer } from '@faker-js/faker';
// The English locale's entry point (English and base data, ~7 MB of memory) rather than the
// package's index, which loads every locale (~40 MB, a sixth of a pipeline's memory budget).
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import type { StructuredValue } from '@opencdc-ts/commons';
import { ConfigError } from '@opencdc-ts/sdk';
import { Rng } from './prng.js';
import { nearest } from './suggest.js';

/** Per-record inputs a field generator may use besides randomness. */
export interface FieldContext {
  /**
   * `time` fields lie in the day before this instant (ms): the run's start, or the synthetic
   * epoch when seeded. Fixed per run so a key's created values can be regenerated exactly.
   */
  timeBaseMs: number;
}

export type FieldGenerator = (rng: Rng, ctx: FieldContext) => StructuredValue;

export interface FieldSpec {
  name: string;
  /** A built-in type (`int`, `string`, `time`, `bool`, `duration`) or a faker method path. */
  type: string;
}

export interface CompiledField extends FieldSpec {
  generate: FieldGenerator;
  /** Faker-typed fields are ~10-100x slower than built-ins; benchmarks state both. */
  faker: boolean;
}

export const BUILTIN_TYPES = ['int', 'string', 'time', 'bool', 'duration'] as const;

const ALNUM_CODES = Array.from(
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  (c) => c.charCodeAt(0),
);
/** Reused code buffers, one per string length 8..23 (generation is synchronous). */
const CODES = Array.from({ length: 16 }, (_, i) => new Array<number>(8 + i).fill(0));
const DAY_MS = 86_400_000;
const HOUR_NS = 3_600_000_000_000;

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let cachedDay = Number.NaN;
let cachedPrefix = '';

/** `Date#toISOString` without a Date per call (the date part is cached per day). */
function isoTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day).toISOString().slice(0, 11);
  }
  let rest = ms - day;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  return `${cachedPrefix}${TWO[h]}:${TWO[m]}:${TWO[sec]}.${THREE[rest - sec * 1000]}Z`;
}

const builtins: { [type: string]: FieldGenerator } = {
  // 0 .. 2^31-1, like upstream's rand.Int31.
  int: (rng) => rng.u32() >>> 1,
  // 8..23 alphanumerics, built in one allocation (concatenation made garbage per character).
  string: (rng) => {
    let x = rng.u32();
    const codes = CODES[x & 15]!;
    for (let i = 0; i < codes.length; i++) {
      if ((i & 3) === 0) x = rng.u32();
      codes[i] = ALNUM_CODES[(x & 0xff) % 62]!;
      x >>>= 8;
    }
    return String.fromCharCode.apply(null, codes);
  },
  // RFC 3339 instant within the day before the run's time base.
  time: (rng, ctx) => isoTime(ctx.timeBaseMs - rng.below(DAY_MS)),
  bool: (rng) => (rng.u32() & 1) === 1,
  // Nanoseconds (Go's time.Duration JSON form), under one hour.
  duration: (rng) => Math.floor(rng.next() * HOUR_NS),
};

/** Faker draws from whichever record stream is current (set just before each call). */
class SwitchableRandomizer implements Randomizer {
  current: Rng | undefined;
  // Arrow properties: faker calls these detached from the object.
  next = (): number => this.current!.nextDouble();
  seed = (): void => {
    // Seeding happens on our streams; faker's own seeding is never used.
  };
}

/** The reference date faker currently counts relative dates from. */
let fakerRefDate = Number.NaN;
let fakerState: { faker: Faker; randomizer: SwitchableRandomizer; methods: string[] } | undefined;

// Modules whose methods need arguments (helpers) or are not generators.
const SKIPPED_MODULES = new Set(['helpers', 'fakerCore', 'definitions', 'rawDefinitions']);

function fakerInstance(): NonNullable<typeof fakerState> {
  if (fakerState) return fakerState;
  const randomizer = new SwitchableRandomizer();
  // A Faker of our own on the same (English + base) data, drawing from our randomizer; the
  // locale entry point exports only its instance, whose constructor is the Faker class.
  const FakerClass = englishFaker.constructor as typeof Faker;
  const faker = new FakerClass({ locale: englishFaker.rawDefinitions, randomizer });
  const methods: string[] = [];
  const root = faker as unknown as { [module: string]: unknown };
  for (const mod of Object.keys(root)) {
    const m = root[mod];
    if (SKIPPED_MODULES.has(mod) || m == null || typeof m !== 'object') continue;
    const names = new Set(Object.keys(m));
    for (
      let p = Object.getPrototypeOf(m);
      p && p !== Object.prototype;
      p = Object.getPrototypeOf(p)
    ) {
      for (const k of Object.getOwnPropertyNames(p)) names.add(k);
    }
    for (const k of names) {
      if (k !== 'constructor' && typeof (m as { [k: string]: unknown })[k] === 'function') {
        methods.push(`${mod}.${k}`);
      }
    }
  }
  methods.sort();
  fakerState = { faker, randomizer, methods };
  return fakerState;
}

/** Every faker method accepted as a field type (for docs and suggestions). */
export function fakerMethods(): readonly string[] {
  return fakerInstance().methods;
}

/** Faker values as structured values: dates as RFC 3339 text, `undefined` as null. */
function toStructured(v: unknown): StructuredValue {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toStructured);
  if (typeof v === 'object') {
    const out: { [k: string]: StructuredValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = toStructured(x);
    return out;
  }
  if (typeof v === 'function' || typeof v === 'symbol') return String(v);
  return v as StructuredValue;
}

function compileFaker(parameter: string, type: string): FieldGenerator {
  const { faker, randomizer, methods } = fakerInstance();
  if (!methods.includes(type)) {
    const hint = nearest(type, [...BUILTIN_TYPES, ...methods], 3);
    throw new ConfigError({
      parameter,
      value: type,
      rule: 'a built-in type (int, string, time, bool, duration) or a @faker-js/faker method',
      fix: `did you mean ${hint.map((h) => `"${h}"`).join(', ')}? (faker methods are written module.method, e.g. person.fullName)`,
    });
  }
  const dot = type.indexOf('.');
  const mod = (
    faker as unknown as { [m: string]: { [f: string]: (...args: unknown[]) => unknown } }
  )[type.slice(0, dot)]!;
  const fn = mod[type.slice(dot + 1)]!.bind(mod);
  // A trial call at configure time catches methods that need arguments or are deprecated
  // (faker would print a warning on every record).
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.join(' '));
  };
  randomizer.current = new Rng(1);
  try {
    toStructured(fn());
  } catch (e) {
    throw new ConfigError(
      {
        parameter,
        value: type,
        rule: 'a faker method callable without arguments',
        fix: `pick a method that needs no arguments (${(e as Error).message.split('\n')[0]})`,
      },
      { cause: e },
    );
  } finally {
    console.warn = warn;
    randomizer.current = undefined;
  }
  if (warnings.length > 0) {
    throw new ConfigError({
      parameter,
      value: type,
      rule: 'a faker method that is not deprecated',
      fix: String(warnings[0]).replace(/^\[@faker-js\/faker\]:\s*/, ''),
    });
  }
  return (rng, ctx) => {
    // Relative dates (date.past, date.recent, ...) count from the run's time base, not from
    // "now", so seeded output stays reproducible.
    if (ctx.timeBaseMs !== fakerRefDate) {
      fakerRefDate = ctx.timeBaseMs;
      faker.setDefaultRefDate(fakerRefDate);
    }
    randomizer.current = rng;
    return toStructured(fn());
  };
}

/** Compiles one field's type; throws a ConfigError naming the parameter on a bad type. */
export function compileField(parameter: string, spec: FieldSpec): CompiledField {
  const builtin = builtins[spec.type];
  if (builtin) return { ...spec, generate: builtin, faker: false };
  if (spec.type === '' || !spec.type.includes('.')) {
    const hint = nearest(spec.type, [...BUILTIN_TYPES, ...fakerMethods()], 3);
    throw new ConfigError({
      parameter,
      value: spec.type,
      rule: 'a built-in type (int, string, time, bool, duration) or a @faker-js/faker method',
      fix: `did you mean ${hint.map((h) => `"${h}"`).join(', ')}?`,
    });
  }
  return { ...spec, generate: compileFaker(parameter, spec.type), faker: true };
}
