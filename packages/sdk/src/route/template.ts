/**
 * A small compiler for route templates: the Go `text/template` subset that Conduit users write,
 * plus mustache-style paths. Compiled once into closures; rendering never HTML-escapes.
 *
 * Supported (see the README's routing section for the full table):
 * - Go paths: `.Metadata.key`, `.Metadata["dotted.key"]`, `index .Metadata "dotted.key"`,
 *   `.Key.id`, `.Payload.After.region`, `.Payload.Before.x`, `.Operation`, `.Position`.
 * - Mustache paths (no leading dot, root case-insensitive): `{{metadata.opencdc.collection}}`,
 *   `{{payload.after.region}}`, `{{{key.id}}}`, `{{&operation}}`.
 * - Pipes and calls: `lower`, `upper`, `trim`, `replace "old" "new"`, `trimPrefix "p"`,
 *   `trimSuffix "s"`, `default "value"`; as `{{ .X | lower }}` or `{{ lower .X }}`.
 * - Whitespace trim markers `{{-` / `-}}`, comments `{{/* ... *\/}}` and `{{! ... }}`.
 */
import type { OpenCDCRecord } from '@opencdc-ts/commons';

export type Render = (record: OpenCDCRecord) => string;

/** A template syntax error; `column` is 1-based in the template text. */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
  constructor(
    readonly reason: string,
    readonly column: number,
  ) {
    super(`${reason} at column ${column}`);
  }
}

type Root = 'metadata' | 'key' | 'payload' | 'before' | 'after' | 'operation' | 'position';

/** A lookup step: an exact key, or dotted segments resolved longest-key-first at run time. */
type Step = { exact: string } | { dotted: string[] };

interface Path {
  root: Root;
  steps: Step[];
  column: number;
}

type Operand = { path: Path } | { literal: string };

interface Call {
  fn: string;
  args: string[];
  column: number;
}

/** How a compiled template looks, so the router can take fast paths. */
export interface CompiledTemplate {
  render: Render;
  /** Set when the template is exactly one metadata lookup (e.g. the default route). */
  metadataKey: string | undefined;
}

const FUNCTIONS: { readonly [fn: string]: number } = {
  lower: 0,
  upper: 0,
  trim: 0,
  replace: 2,
  trimPrefix: 1,
  trimSuffix: 1,
  default: 1,
};

const CONTROL = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);

const utf8 = new TextDecoder();

export function compileTemplate(template: string): CompiledTemplate {
  const parts: Render[] = [];
  let metadataKey: string | undefined;
  let actions = 0;
  let text = '';
  let i = 0;
  const flushText = () => {
    if (text !== '') {
      const t = text;
      parts.push(() => t);
    }
    text = '';
  };
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) {
      text += template.slice(i);
      break;
    }
    text += template.slice(i, open);
    let start = open + 2;
    let closeToken = '}}';
    if (template[start] === '{') {
      closeToken = '}}}';
      start++;
    } else if (template[start] === '&') start++;
    if (template.startsWith('- ', start) || template.startsWith('-\t', start)) {
      text = text.trimEnd();
      start += 1;
    }
    const close = findClose(template, closeToken, start);
    if (close < 0)
      throw new TemplateSyntaxError(`unclosed action (missing "${closeToken}")`, open + 1);
    let end = close;
    let trimAfter = false;
    if (end > start && template[end - 1] === '-' && /\s/.test(template[end - 2] ?? '')) {
      end -= 1;
      trimAfter = true;
    }
    const body = template.slice(start, end);
    i = close + closeToken.length;
    if (trimAfter) while (i < template.length && /\s/.test(template[i]!)) i++;
    const trimmed = body.trim();
    if (trimmed.startsWith('/*') || trimmed.startsWith('!')) {
      if (trimmed.startsWith('/*') && !trimmed.endsWith('*/'))
        throw new TemplateSyntaxError('unclosed comment', start + 1);
      continue;
    }
    flushText();
    const parser = new ActionParser(body, start);
    const { first, calls } = parser.parse();
    actions++;
    if ('path' in first && first.path.root === 'metadata' && calls.length === 0) {
      metadataKey = metadataKeyOf(first.path);
    } else metadataKey = undefined;
    parts.push(compileAction(first, calls));
  }
  flushText();
  const single = actions === 1 && parts.length === 1 ? metadataKey : undefined;
  return { render: concat(parts), metadataKey: single };
}

function concat(parts: Render[]): Render {
  if (parts.length === 0) return () => '';
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [Render, Render];
    return (r) => a(r) + b(r);
  }
  return (r) => {
    let s = '';
    for (const p of parts) s += p(r);
    return s;
  };
}

function metadataKeyOf(path: Path): string {
  const step = path.steps[0]!;
  return 'exact' in step ? step.exact : step.dotted.join('.');
}

function compileAction(first: Operand, calls: Call[]): Render {
  let render: Render =
    'literal' in first
      ? (
          (v: string) => () =>
            v
        )(first.literal)
      : compilePath(first.path);
  for (const call of calls) render = applyCall(render, call);
  return render;
}

function applyCall(inner: Render, call: Call): Render {
  const [a = '', b = ''] = call.args;
  switch (call.fn) {
    case 'lower':
      return (r) => inner(r).toLowerCase();
    case 'upper':
      return (r) => inner(r).toUpperCase();
    case 'trim':
      return (r) => inner(r).trim();
    case 'replace':
      return (r) => inner(r).replaceAll(a, b);
    case 'trimPrefix':
      return (r) => {
        const s = inner(r);
        return s.startsWith(a) ? s.slice(a.length) : s;
      };
    case 'trimSuffix':
      return (r) => {
        const s = inner(r);
        return a !== '' && s.endsWith(a) ? s.slice(0, -a.length) : s;
      };
    default: // 'default'
      return (r) => {
        const s = inner(r);
        return s === '' ? a : s;
      };
  }
}

function compilePath(path: Path): Render {
  switch (path.root) {
    case 'metadata': {
      const key = metadataKeyOf(path);
      return (r) => r.metadata.get(key) ?? '';
    }
    case 'operation':
      return (r) => r.operation;
    case 'position':
      return (r) => utf8.decode(r.position);
    case 'key':
      return structured(path.steps, (r) => r.key);
    case 'before':
      return structured(path.steps, (r) => r.payload.before);
    case 'after':
      return structured(path.steps, (r) => r.payload.after);
    default:
      return structured(path.steps, (r) => r.payload);
  }
}

/** Walks structured data; each dotted group tries the longest joined key first. */
function structured(steps: Step[], base: (r: OpenCDCRecord) => unknown): Render {
  // Precompute candidate keys per dotted position so rendering does no string joins.
  type Plan = { exact: string } | { candidates: string[][] };
  const plan: Plan[] = steps.map((s) =>
    'exact' in s
      ? s
      : {
          candidates: s.dotted.map((_, i) =>
            s.dotted.slice(i).map((_, j, rest) => rest.slice(0, rest.length - j).join('.')),
          ),
        },
  );
  if (plan.length === 1 && 'candidates' in plan[0]! && plan[0].candidates.length === 1) {
    const key = plan[0].candidates[0]![0]!;
    return (r) => stringify(field(base(r), key));
  }
  return (r) => {
    let v: unknown = base(r);
    for (const p of plan) {
      if ('exact' in p) v = field(v, p.exact);
      else v = walkDotted(v, p.candidates, 0);
      if (v === undefined) return '';
    }
    return stringify(v);
  };
}

function walkDotted(v: unknown, candidates: string[][], at: number): unknown {
  if (at >= candidates.length) return v;
  const options = candidates[at]!;
  for (let k = 0; k < options.length; k++) {
    const next = field(v, options[k]!);
    if (next !== undefined) {
      // options[k] spans (options.length - k) segments.
      const found = walkDotted(next, candidates, at + options.length - k);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function field(v: unknown, key: string): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return undefined;
  return Object.hasOwn(v, key) ? (v as { [k: string]: unknown })[key] : undefined;
}

function stringify(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return utf8.decode(v);
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Parses one action body: `first | call | call`. */
class ActionParser {
  private i = 0;
  /** Set while parsing `index`'s target, whose keys come after it. */
  private deferCheck = false;
  constructor(
    private readonly s: string,
    private readonly offset: number,
  ) {}

  private col(at = this.i): number {
    return this.offset + at + 1;
  }

  private fail(reason: string, at = this.i): never {
    throw new TemplateSyntaxError(reason, this.col(at));
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private atEnd(): boolean {
    this.ws();
    return this.i >= this.s.length;
  }

  parse(): { first: Operand; calls: Call[] } {
    if (this.atEnd()) this.fail('empty action');
    const calls: Call[] = [];
    const first = this.command(calls, true);
    while (!this.atEnd()) {
      if (this.s[this.i] !== '|') this.fail(`unexpected ${JSON.stringify(this.s[this.i])}`);
      this.i++;
      if (this.atEnd()) this.fail('missing function after "|"');
      const at = this.i;
      const word = this.word();
      if (word === '' || !(word in FUNCTIONS)) this.unknownFunction(word, at);
      calls.push({ fn: word, args: this.strings(FUNCTIONS[word]!, word), column: this.col(at) });
    }
    if (first === undefined) this.fail('missing value');
    return { first, calls };
  }

  /** The first command: a value, `index X "k"...`, or `fn args... value`. */
  private command(calls: Call[], allowCall: boolean): Operand {
    this.ws();
    const c = this.s[this.i];
    if (c === '"' || c === '`' || c === "'") return { literal: this.string() };
    if (c === '.') return { path: this.goPath() };
    if (c === '$') this.fail('variables are not supported');
    if (c === '(') this.fail('parenthesized pipelines are not supported; use "|"');
    const at = this.i;
    const word = this.word();
    if (word === '') this.fail(`unexpected ${JSON.stringify(c)}`);
    if (word === 'index') {
      if (this.atEnd()) this.fail('index needs a value and at least one key', at);
      this.deferCheck = true;
      const target = this.command(calls, false);
      this.deferCheck = false;
      if (!('path' in target)) this.fail('index needs a field such as .Metadata', at);
      const keys: string[] = [];
      while (!this.atEnd() && this.s[this.i] !== '|') keys.push(this.string());
      if (keys.length === 0) this.fail('index needs at least one key', at);
      const path = target.path;
      for (const k of keys) path.steps.push({ exact: k });
      this.checkPath(path);
      return target;
    }
    if (CONTROL.has(word))
      this.fail(`"${word}" (control structures) is not supported; use pipes such as default`, at);
    if (word in FUNCTIONS && !word.includes('.')) {
      if (!allowCall) this.fail(`function "${word}" cannot be an argument here`, at);
      const args = this.strings(FUNCTIONS[word]!, word);
      if (this.atEnd() || this.s[this.i] === '|')
        this.fail(`${word} needs a value to apply to`, at);
      const value = this.command(calls, false);
      calls.push({ fn: word, args, column: this.col(at) });
      return value;
    }
    return { path: this.mustachePath(word, at) };
  }

  private unknownFunction(word: string, at: number): never {
    this.fail(
      `unknown function ${JSON.stringify(word)} (supported: ${Object.keys(FUNCTIONS).join(', ')})`,
      at,
    );
  }

  private word(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(this.s.slice(this.i));
    if (!m) return '';
    // A trailing '-' would belong to a `-}}` marker only after whitespace, so keep it.
    this.i += m[0].length;
    return m[0];
  }

  private strings(n: number, fn: string): string[] {
    const out: string[] = [];
    for (let k = 0; k < n; k++) {
      if (this.atEnd() || this.s[this.i] === '|') this.fail(`${fn} needs ${n} quoted argument(s)`);
      out.push(this.string());
    }
    return out;
  }

  /** `["key"]` at the cursor (on the `[`): the key, with the cursor after the `]`. */
  private bracketKey(): string {
    this.i++;
    const key = this.string();
    this.ws();
    if (this.s[this.i] !== ']') this.fail('expected "]"');
    this.i++;
    return key;
  }

  private string(): string {
    this.ws();
    const q = this.s[this.i];
    const at = this.i;
    if (q === '`') {
      const end = this.s.indexOf('`', this.i + 1);
      if (end < 0) this.fail('unterminated raw string', at);
      this.i = end + 1;
      return this.s.slice(at + 1, end);
    }
    if (q !== '"' && q !== "'") this.fail('expected a quoted string');
    let out = '';
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === q) {
        this.i++;
        return out;
      }
      if (c === '\\') {
        const e = this.s[this.i + 1];
        const map: { [k: string]: string } = {
          n: '\n',
          t: '\t',
          r: '\r',
          '\\': '\\',
          '"': '"',
          "'": "'",
        };
        if (e === undefined || !(e in map)) this.fail('unknown escape sequence', this.i);
        out += map[e]!;
        this.i += 2;
        continue;
      }
      out += c;
      this.i++;
    }
    this.fail('unterminated string', at);
  }

  /** `.Root.seg.seg["key"]...` */
  private goPath(): Path {
    const at = this.i;
    const segments: { name: string; at: number }[] = [];
    const steps: Step[] = [];
    let root: Root | undefined;
    const pushDotted = (name: string) => {
      const last = steps[steps.length - 1];
      if (last && 'dotted' in last) last.dotted.push(name);
      else steps.push({ dotted: [name] });
    };
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '.') {
        this.i++;
        const m = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.i));
        if (!m) {
          if (segments.length === 0 && root === undefined)
            this.fail('"." alone is the whole record; name a field such as .Metadata', at);
          this.fail('expected a field name after "."');
        }
        const name = m[0];
        const nameAt = this.i;
        this.i += name.length;
        if (root === undefined) {
          segments.push({ name, at: nameAt });
          root = this.rootOf(
            segments.map((s) => s.name),
            nameAt,
            false,
          );
          continue;
        }
        pushDotted(name);
      } else if (c === '[') {
        if (root === undefined) this.fail('"[" must follow a field', this.i);
        steps.push({ exact: this.bracketKey() });
      } else break;
    }
    if (root === undefined && segments.length === 1) root = 'payload';
    if (root === undefined)
      this.fail(`"${segments.map((s) => `.${s.name}`).join('')}" is not a record field`, at);
    const path = { root, steps, column: this.col(at) };
    this.checkPath(path);
    return path;
  }

  /**
   * Maps leading segments to a root: `Metadata`, `Key`, `Operation`, `Position`, `Payload`,
   * `Payload.Before`, `Payload.After` (case-insensitive). Returns undefined while a `Payload`
   * prefix may still be followed by `Before`/`After`.
   */
  private rootOf(names: string[], at: number, final: boolean): Root | undefined {
    const first = names[0]!.toLowerCase();
    if (names.length === 1) {
      if (first === 'metadata') return 'metadata';
      if (first === 'key') return 'key';
      if (first === 'operation') return 'operation';
      if (first === 'position') return 'position';
      if (first === 'payload') return final ? 'payload' : undefined;
      this.fail(
        `unknown field ${JSON.stringify(names[0])} (use Metadata, Key, Payload.Before, Payload.After, Operation or Position)`,
        at,
      );
    }
    const second = names[1]!.toLowerCase();
    if (second === 'before') return 'before';
    if (second === 'after') return 'after';
    this.fail(`unknown field Payload.${names[1]} (use Payload.Before or Payload.After)`, at);
  }

  /** `metadata.opencdc.collection`, `payload.after.region`, `key.id`, `operation`. */
  private mustachePath(word: string, at: number): Path {
    const names = word.split('.');
    if (names.some((n) => n === '')) this.fail(`malformed path ${JSON.stringify(word)}`, at);
    let root = this.rootOf(names.slice(0, 1), at, names.length === 1);
    let rest = names.slice(1);
    if (root === undefined) {
      root = this.rootOf(names.slice(0, 2), at, true) ?? 'payload';
      rest = names.slice(2);
    }
    const steps: Step[] = rest.length > 0 ? [{ dotted: rest }] : [];
    // `[..]` may follow a mustache path too (`metadata["a.b"]`).
    while (this.s[this.i] === '[') steps.push({ exact: this.bracketKey() });
    const path = { root, steps, column: this.col(at) };
    this.checkPath(path);
    return path;
  }

  private checkPath(path: Path): void {
    if (this.deferCheck) return;
    // A dangling `.Payload` (no Before/After) parsed via goPath ends with root undefined; handled there.
    if (path.root === 'metadata') {
      if (path.steps.length === 0)
        this.fail(
          '.Metadata needs a key, e.g. index .Metadata "opencdc.collection"',
          path.column - this.offset - 1,
        );
      if (path.steps.length > 1)
        this.fail('metadata values are strings; use a single key', path.column - this.offset - 1);
    }
    if ((path.root === 'operation' || path.root === 'position') && path.steps.length > 0)
      this.fail(
        `.${path.root === 'operation' ? 'Operation' : 'Position'} has no fields`,
        path.column - this.offset - 1,
      );
  }
}

/**
 * Where the action starting at `start` ends: the first `closeToken` outside quoted strings, so a
 * key such as `{{ index .Metadata "a}}b" }}` works (as in Go's lexer). An unterminated string
 * falls back to the first `closeToken`, and the action parser then reports the string.
 */
function findClose(template: string, closeToken: string, start: number): number {
  for (let j = start; j < template.length; j++) {
    const c = template[j];
    if (c === '"') {
      let k = j + 1;
      while (k < template.length && template[k] !== '"') k += template[k] === '\\' ? 2 : 1;
      if (k >= template.length) return template.indexOf(closeToken, start);
      j = k;
    } else if (c === '`') {
      const k = template.indexOf('`', j + 1);
      if (k < 0) return template.indexOf(closeToken, start);
      j = k;
    } else if (template.startsWith(closeToken, j)) return j;
  }
  return -1;
}
