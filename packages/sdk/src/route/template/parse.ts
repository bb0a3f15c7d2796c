/** Parses one action body (a Go template pipeline, `cmd | cmd | cmd`) into its syntax tree. */
import { FUNCTIONS } from './functions.js';
import {
  type Command,
  type Operand,
  type Path,
  type Pipeline,
  type Root,
  type Step,
  TemplateSyntaxError,
} from './syntax.js';

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

const NUMBER = /^[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?)/;

/** Parses the body of the action that starts at `offset` in the template. */
export function parseAction(body: string, offset: number): Pipeline {
  return new ActionParser(body, offset).parse();
}

/** Parses one action body. */
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

  /** At the end of a command: the action's end, a `|`, or a closing `)` inside parentheses. */
  private atCommandEnd(depth: number): boolean {
    if (this.atEnd()) return true;
    const c = this.s[this.i];
    return c === '|' || (depth > 0 && c === ')');
  }

  parse(): Pipeline {
    if (this.atEnd()) this.fail('empty action');
    const pipeline = this.pipeline(0);
    if (!this.atEnd()) this.fail(`unexpected ${JSON.stringify(this.s[this.i])}`);
    return pipeline;
  }

  private pipeline(depth: number): Pipeline {
    const commands: Command[] = [this.command(depth, false)];
    while (!this.atEnd() && this.s[this.i] === '|') {
      this.i++;
      if (this.atEnd()) this.fail('missing function after "|"');
      const at = this.i;
      const word = this.word();
      if (word === '' || !(word in FUNCTIONS)) this.unknownFunction(word, at);
      commands.push(this.call(word, at, depth, true));
    }
    return commands;
  }

  /** A command: `fn args...` or a lone value. */
  private command(depth: number, piped: boolean): Command {
    this.ws();
    const at = this.i;
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    const name = m?.[0];
    if (name !== undefined && name in FUNCTIONS && !/[.\w-]/.test(this.s[at + name.length] ?? '')) {
      this.i += name.length;
      return this.call(name, at, depth, piped);
    }
    if (name !== undefined && CONTROL.has(name))
      this.fail(
        `"${name}" (control structures) is not supported; use functions such as default`,
        at,
      );
    const value = this.operand(depth);
    if (!this.atCommandEnd(depth))
      this.fail(
        `unexpected ${JSON.stringify(this.s.slice(this.i).split(/[\s|)]/)[0])} (only functions take arguments)`,
      );
    return { value, column: this.col(at) };
  }

  private call(fn: string, at: number, depth: number, piped: boolean): Command {
    const args: Operand[] = [];
    while (!this.atCommandEnd(depth)) {
      this.deferCheck = fn === 'index' && args.length === 0;
      args.push(this.operand(depth));
      this.deferCheck = false;
    }
    const spec = FUNCTIONS[fn]!;
    const count = args.length + (piped ? 1 : 0);
    if (count < spec.min) {
      if (fn === 'index') this.fail('index needs a value and at least one key', at);
      const want = spec.min - (piped ? 1 : 0);
      this.fail(`${fn} needs ${want} argument(s)${piped ? ' before the piped value' : ''}`);
    }
    if (count > spec.max)
      this.fail(`${fn} takes at most ${spec.max} argument(s), got ${count}`, at);
    if (fn === 'index' && !piped) return this.index(args, at);
    return { fn, args, column: this.col(at) };
  }

  /** `index .Field "k" "k2"` with constant keys is a path (so `.Metadata` keys stay exact). */
  private index(args: Operand[], at: number): Command {
    const [target, ...keys] = args;
    if (keys.length === 0) this.fail('index needs at least one key', at);
    if (
      target &&
      'path' in target &&
      keys.every((k) => 'literal' in k && typeof k.literal === 'string')
    ) {
      const path = target.path;
      for (const k of keys) path.steps.push({ exact: (k as { literal: string }).literal });
      this.checkPath(path);
      return { value: target, column: this.col(at) };
    }
    if (target && 'path' in target && target.path.root !== 'metadata') this.checkPath(target.path);
    return { fn: 'index', args, column: this.col(at) };
  }

  private operand(depth: number): Operand {
    this.ws();
    const c = this.s[this.i];
    if (c === '"' || c === '`' || c === "'") return { literal: this.string() };
    if (c === '.') return { path: this.goPath() };
    if (c === '$') this.fail('variables are not supported');
    if (c === '(') {
      const at = this.i;
      this.i++;
      if (this.atEnd()) this.fail('unclosed "("', at);
      const pipeline = this.pipeline(depth + 1);
      if (this.atEnd() || this.s[this.i] !== ')') this.fail('unclosed "("', at);
      this.i++;
      return { pipeline };
    }
    const num = NUMBER.exec(this.s.slice(this.i));
    if (num && /\d/.test(c === '-' || c === '+' ? (this.s[this.i + 1] ?? '') : (c ?? ''))) {
      this.i += num[0].length;
      return { literal: Number(num[0].replaceAll('_', '')) };
    }
    const at = this.i;
    const word = this.word();
    if (word === '') this.fail(`unexpected ${JSON.stringify(c)}`);
    if (word === 'true' || word === 'false') return { literal: word === 'true' };
    if (word === 'nil') return { literal: null };
    if (CONTROL.has(word))
      this.fail(
        `"${word}" (control structures) is not supported; use functions such as default`,
        at,
      );
    if (word in FUNCTIONS)
      this.fail(`function "${word}" cannot be an argument here; wrap the call in parentheses`, at);
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
          // `.` alone is the whole record (e.g. `{{ toJson . }}`).
          if (segments.length === 0 && root === undefined)
            return { root: 'record', steps: [], column: this.col(at) };
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
