/** Compiles a template once into closures over the record; rendering never HTML-escapes. */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { lex } from './lex.js';
import { parseAction } from './parse.js';
import type { Call, Operand, Path, Step } from './syntax.js';

export type Render = (record: OpenCDCRecord) => string;

/** How a compiled template looks, so the router can take fast paths. */
export interface CompiledTemplate {
  render: Render;
  /** Set when the template is exactly one metadata lookup (e.g. the default route). */
  metadataKey: string | undefined;
}

const utf8 = new TextDecoder();

export function compileTemplate(template: string): CompiledTemplate {
  const parts: Render[] = [];
  let metadataKey: string | undefined;
  let actions = 0;
  for (const token of lex(template)) {
    if ('text' in token) {
      const t = token.text;
      parts.push(() => t);
      continue;
    }
    const { first, calls } = parseAction(token.action, token.start);
    actions++;
    if ('path' in first && first.path.root === 'metadata' && calls.length === 0) {
      metadataKey = metadataKeyOf(first.path);
    } else metadataKey = undefined;
    parts.push(compileAction(first, calls));
  }
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
