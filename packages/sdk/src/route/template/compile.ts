/** Compiles a template once into closures over the record; rendering never HTML-escapes. */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { compileBlocks } from './blocks.js';
import { FUNCTIONS } from './functions.js';
import { lex } from './lex.js';
import { parseAction } from './parse.js';
import type { Command, Operand, Path, Pipeline, Step } from './syntax.js';
import { toText, truth } from './values.js';

export type Render = (record: OpenCDCRecord) => string;
/** One action's value for a record (before printing). */
export type Evaluate = (record: OpenCDCRecord) => unknown;

/** How a compiled template looks, so the router can take fast paths. */
export interface CompiledTemplate {
  render: Render;
  /** Set when the template is exactly one metadata lookup (e.g. the default route). */
  metadataKey: string | undefined;
}

/** A function failed while rendering (e.g. `lt` over a string and a number); names the call. */
export class TemplateExecError extends Error {
  override readonly name = 'TemplateExecError';
}

const utf8 = new TextDecoder();

export interface TemplateOptions {
  /**
   * Allow `{{ if }}` / `{{ else if }}` / `{{ else }}` / `{{ end }}` (processor conditions and
   * settings). Off for routes: a route is a name, not a program.
   */
  controlStructures?: boolean;
}

export function compileTemplate(template: string, options: TemplateOptions = {}): CompiledTemplate {
  if (options.controlStructures) {
    const render = compileBlocks(lex(template), {
      pipeline: (body, start) => compilePipeline(parseAction(body, start)),
      concat,
    });
    return { render, metadataKey: undefined };
  }
  const parts: Render[] = [];
  let metadataKey: string | undefined;
  let actions = 0;
  for (const token of lex(template)) {
    if ('text' in token) {
      const t = token.text;
      parts.push(() => t);
      continue;
    }
    const pipeline = parseAction(token.action, token.start);
    actions++;
    const only = pipeline.length === 1 ? pipeline[0]! : undefined;
    metadataKey =
      only && 'value' in only && 'path' in only.value && only.value.path.root === 'metadata'
        ? metadataKeyOf(only.value.path)
        : undefined;
    const evaluate = compilePipeline(pipeline);
    parts.push((r) => toText(evaluate(r)));
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

function compilePipeline(pipeline: Pipeline): Evaluate {
  let evaluate: Evaluate | undefined;
  for (const command of pipeline) evaluate = compileCommand(command, evaluate);
  return evaluate!;
}

function compileCommand(command: Command, piped: Evaluate | undefined): Evaluate {
  if ('value' in command) return compileOperand(command.value);
  const { fn } = command;
  const args = command.args.map(compileOperand);
  if (piped) args.push(piped);
  if (fn === 'and' || fn === 'or') {
    const stopAt = fn === 'or';
    return (r) => {
      let v: unknown;
      for (const a of args) {
        v = a(r);
        if (truth(v) === stopAt) return v;
      }
      return v;
    };
  }
  const call = FUNCTIONS[fn]!.call;
  const fail = (e: unknown): never => {
    throw new TemplateExecError(
      `${fn} at column ${command.column}: ${e instanceof Error ? e.message : String(e)}`,
    );
  };
  if (args.length === 1) {
    const [a] = args as [Evaluate];
    return (r) => {
      try {
        return call([a(r)]);
      } catch (e) {
        if (e instanceof TemplateExecError) throw e;
        return fail(e);
      }
    };
  }
  return (r) => {
    try {
      return call(args.map((a) => a(r)));
    } catch (e) {
      if (e instanceof TemplateExecError) throw e;
      return fail(e);
    }
  };
}

function compileOperand(operand: Operand): Evaluate {
  if ('literal' in operand) {
    const v = operand.literal;
    return () => v;
  }
  if ('pipeline' in operand) return compilePipeline(operand.pipeline);
  return compilePath(operand.path);
}

function compilePath(path: Path): Evaluate {
  switch (path.root) {
    case 'metadata': {
      if (path.steps.length === 0) return (r) => r.metadata;
      const key = metadataKeyOf(path);
      // Metadata is Go's map[string]string: a missing key is the empty string.
      return (r) => r.metadata.get(key) ?? '';
    }
    case 'record':
      return (r) => r;
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
function structured(steps: Step[], base: (r: OpenCDCRecord) => unknown): Evaluate {
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
    return (r) => field(base(r), key);
  }
  return (r) => {
    let v: unknown = base(r);
    for (const p of plan) {
      if ('exact' in p) v = field(v, p.exact);
      else v = walkDotted(v, p.candidates, 0);
      if (v === undefined) return undefined;
    }
    return v;
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
