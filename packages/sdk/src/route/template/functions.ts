/**
 * The functions templates may call: Go text/template's builtins (`and`, `or`, `not`, `eq`, `ne`,
 * `lt`, `le`, `gt`, `ge`, `index`, `len`, `print`, `printf`, `println`) and the sprig functions
 * Conduit users write in conditions and routes (strings, defaults, numbers, encodings). Argument
 * order is Go's: a piped value is the last argument (`{{ .X | replace "a" "b" }}`).
 */
import {
  compare,
  equal,
  indexValue,
  isRecord,
  lengthOf,
  marshalGoJSON,
  toNumber,
  toText,
  truth,
  typeName,
} from './values.js';

export interface TemplateFunction {
  /** Fewest arguments (including a piped value). */
  readonly min: number;
  /** Most arguments; `Infinity` for variadic functions. */
  readonly max: number;
  /** `and`/`or` see unevaluated arguments, so they stop at the first deciding one (as Go does). */
  readonly lazy?: boolean;
  readonly call: (args: unknown[]) => unknown;
}

const fixed = (n: number, call: (args: unknown[]) => unknown): TemplateFunction => ({
  min: n,
  max: n,
  call,
});
const text1 = (f: (s: string) => unknown) => fixed(1, ([s]) => f(toText(s)));
const text2 = (f: (a: string, s: string) => unknown) =>
  fixed(2, ([a, s]) => f(toText(a), toText(s)));

const b64 = {
  enc: (s: string) => Buffer.from(s, 'utf8').toString('base64'),
  dec: (s: string) => Buffer.from(s, 'base64').toString('utf8'),
};

export const FUNCTIONS: { readonly [fn: string]: TemplateFunction } = {
  // Go builtins.
  and: { min: 1, max: Infinity, lazy: true, call: () => undefined },
  or: { min: 1, max: Infinity, lazy: true, call: () => undefined },
  not: fixed(1, ([v]) => !truth(v)),
  eq: {
    min: 2,
    max: Infinity,
    call: ([a, ...rest]) => rest.some((b) => equal(a, b)),
  },
  ne: fixed(2, ([a, b]) => !equal(a, b)),
  lt: fixed(2, ([a, b]) => compare(a, b, 'lt') < 0),
  le: fixed(2, ([a, b]) => compare(a, b, 'le') <= 0),
  gt: fixed(2, ([a, b]) => compare(a, b, 'gt') > 0),
  ge: fixed(2, ([a, b]) => compare(a, b, 'ge') >= 0),
  index: {
    min: 1,
    max: Infinity,
    call: ([v, ...keys]) => keys.reduce((acc, k) => indexValue(acc, k), v),
  },
  len: fixed(1, ([v]) => lengthOf(v)),
  print: { min: 0, max: Infinity, call: (args) => goPrint(args) },
  println: { min: 0, max: Infinity, call: (args) => `${args.map(toText).join(' ')}\n` },
  printf: { min: 1, max: Infinity, call: ([f, ...args]) => sprintf(toText(f), args) },
  // sprig: strings.
  lower: text1((s) => s.toLowerCase()),
  upper: text1((s) => s.toUpperCase()),
  title: text1((s) => s.replace(/(^|\s)(\S)/g, (_, a: string, c: string) => a + c.toUpperCase())),
  trim: text1((s) => s.trim()),
  trimAll: text2((cut, s) => trimChars(s, cut)),
  trimPrefix: text2((p, s) => (s.startsWith(p) ? s.slice(p.length) : s)),
  trimSuffix: text2((p, s) => (p !== '' && s.endsWith(p) ? s.slice(0, -p.length) : s)),
  replace: fixed(3, ([a, b, s]) => toText(s).replaceAll(toText(a), toText(b))),
  contains: text2((sub, s) => s.includes(sub)),
  hasPrefix: text2((p, s) => s.startsWith(p)),
  hasSuffix: text2((p, s) => s.endsWith(p)),
  repeat: fixed(2, ([n, s]) => toText(s).repeat(Math.max(0, toNumber(n)))),
  substr: fixed(3, ([a, b, s]) => substr(toText(s), toNumber(a), toNumber(b))),
  trunc: fixed(2, ([n, s]) => {
    const t = toText(s);
    const c = toNumber(n);
    return c >= 0 ? t.slice(0, c) : t.slice(Math.max(0, t.length + c));
  }),
  nospace: text1((s) => s.replace(/\s+/g, '')),
  quote: {
    min: 0,
    max: Infinity,
    call: (args) => args.map((a) => JSON.stringify(toText(a))).join(' '),
  },
  squote: { min: 0, max: Infinity, call: (args) => args.map((a) => `'${toText(a)}'`).join(' ') },
  cat: {
    min: 0,
    max: Infinity,
    call: (args) =>
      args
        .filter((a) => a != null)
        .map(toText)
        .join(' '),
  },
  join: fixed(2, ([sep, list]) =>
    Array.isArray(list) ? list.map(toText).join(toText(sep)) : toText(list),
  ),
  splitList: text2((sep, s) => s.split(sep)),
  regexMatch: text2((re, s) => new RegExp(re).test(s)),
  toString: fixed(1, ([v]) => toText(v)),
  toJson: fixed(1, ([v]) => (isRecord(v) ? toText(v) : marshalGoJSON(v))),
  b64enc: text1(b64.enc),
  b64dec: text1(b64.dec),
  // sprig: defaults.
  default: fixed(2, ([d, v]) => (truth(v) ? v : d)),
  empty: fixed(1, ([v]) => !truth(v)),
  coalesce: { min: 0, max: Infinity, call: (args) => args.find(truth) },
  ternary: fixed(3, ([a, b, c]) => (truth(c) ? a : b)),
  // sprig: numbers.
  atoi: fixed(1, ([v]) => Math.trunc(toNumber(v))),
  int: fixed(1, ([v]) => Math.trunc(toNumber(v))),
  int64: fixed(1, ([v]) => Math.trunc(toNumber(v))),
  float64: fixed(1, ([v]) => toNumber(v)),
  add: { min: 0, max: Infinity, call: (args) => args.reduce<number>((s, v) => s + toNumber(v), 0) },
  sub: fixed(2, ([a, b]) => toNumber(a) - toNumber(b)),
  mul: { min: 1, max: Infinity, call: (args) => args.reduce<number>((s, v) => s * toNumber(v), 1) },
  div: fixed(2, ([a, b]) => Math.trunc(toNumber(a) / toNumber(b))),
  mod: fixed(2, ([a, b]) => toNumber(a) % toNumber(b)),
  max: { min: 1, max: Infinity, call: (args) => Math.max(...args.map(toNumber)) },
  min: { min: 1, max: Infinity, call: (args) => Math.min(...args.map(toNumber)) },
  kindOf: fixed(1, ([v]) => typeName(v)),
};

function goPrint(args: unknown[]): string {
  // fmt.Sprint adds spaces between operands when neither is a string.
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += toText(args[i]);
  }
  return out;
}

function trimChars(s: string, cut: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && cut.includes(s[a]!)) a++;
  while (b > a && cut.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function substr(s: string, start: number, end: number): string {
  if (start < 0) return s.slice(0, end);
  if (end < 0 || end > s.length) return s.slice(start);
  return s.slice(start, end);
}

/** Go's fmt verbs that templates use: %s %v %d %f %t %q %x %X %%, with width and precision. */
export function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  return format.replace(
    /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g,
    (_m, flags: string, width?: string, prec?: string, verb?: string) => {
      if (verb === '%') return '%';
      if (n >= args.length) return `%!${verb}(MISSING)`;
      const v = args[n++];
      let s: string;
      switch (verb) {
        case 'd':
          s = typeof v === 'bigint' ? v.toString() : String(Math.trunc(toNumber(v)));
          break;
        case 'f':
        case 'F':
          s = toNumber(v).toFixed(prec === undefined ? 6 : Number(prec));
          break;
        case 'e':
          s = toNumber(v).toExponential(prec === undefined ? 6 : Number(prec));
          break;
        case 'q':
          s = JSON.stringify(toText(v));
          break;
        case 'x':
        case 'X': {
          s =
            typeof v === 'number' || typeof v === 'bigint'
              ? v.toString(16)
              : Buffer.from(toText(v), 'utf8').toString('hex');
          if (verb === 'X') s = s.toUpperCase();
          break;
        }
        case 't':
          s = String(truth(v));
          break;
        default: // s, v
          s = toText(v);
          if (prec !== undefined) s = s.slice(0, Number(prec));
      }
      const w = width === undefined ? 0 : Number(width);
      if (s.length < w) {
        const pad = (flags.includes('0') && verb !== 's' ? '0' : ' ').repeat(w - s.length);
        s = flags.includes('-') ? s + pad.replaceAll('0', ' ') : pad + s;
      }
      return s;
    },
  );
}
