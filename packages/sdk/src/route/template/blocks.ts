/**
 * Go's `{{ if }}` / `{{ else if }}` / `{{ else }}` / `{{ end }}` for the templates that are
 * programs (processor conditions and settings), not names: routes keep refusing control
 * structures. (`with` and `range` rebind `.`, which paths here do not support.)
 */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { Token } from './lex.js';
import { TemplateSyntaxError } from './syntax.js';
import { toText, truth } from './values.js';

type Render = (record: OpenCDCRecord) => string;
type Evaluate = (record: OpenCDCRecord) => unknown;

/** How to compile the pipeline of an action (after any keyword), and to join parts. */
export interface BlockCompiler {
  pipeline(body: string, start: number): Evaluate;
  concat(parts: Render[]): Render;
}

const KEYWORD = /^\s*(if|else|end)\b\s*/;

/** Compiles a token stream with `if` blocks into one render function. */
export function compileBlocks(tokens: Iterable<Token>, c: BlockCompiler): Render {
  const it = tokens[Symbol.iterator]();
  const { parts, stop } = list(it, c);
  if (stop) throw new TemplateSyntaxError(`unexpected {{ ${stop.word} }}`, stop.start + 1);
  return c.concat(parts);
}

interface Stop {
  word: 'else' | 'end';
  /** What follows `else` (e.g. `if .X`), empty for `end`. */
  rest: string;
  restStart: number;
  start: number;
}

function list(it: Iterator<Token>, c: BlockCompiler): { parts: Render[]; stop?: Stop } {
  const parts: Render[] = [];
  for (let n = it.next(); !n.done; n = it.next()) {
    const token = n.value;
    if ('text' in token) {
      const t = token.text;
      parts.push(() => t);
      continue;
    }
    const m = KEYWORD.exec(token.action);
    if (!m) {
      const evaluate = c.pipeline(token.action, token.start);
      parts.push((r) => toText(evaluate(r)));
      continue;
    }
    const word = m[1] as 'if' | 'else' | 'end';
    const rest = token.action.slice(m[0].length);
    const restStart = token.start + m[0].length;
    if (word !== 'if') return { parts, stop: { word, rest, restStart, start: token.start } };
    parts.push(ifBlock(it, c, rest, restStart, token.start));
  }
  return { parts };
}

/** `if <pipeline>` up to its `end`, with any `else if` / `else` branches. */
function ifBlock(
  it: Iterator<Token>,
  c: BlockCompiler,
  cond: string,
  condStart: number,
  start: number,
): Render {
  if (cond.trim() === '') throw new TemplateSyntaxError('missing condition after "if"', start + 1);
  const test = c.pipeline(cond, condStart);
  const body = list(it, c);
  const then = c.concat(body.parts);
  if (!body.stop) throw new TemplateSyntaxError('"if" without {{ end }}', start + 1);
  if (body.stop.word === 'end') {
    if (body.stop.rest.trim() !== '')
      throw new TemplateSyntaxError('unexpected text after "end"', body.stop.restStart + 1);
    return (r) => (truth(test(r)) ? then(r) : '');
  }
  // else: `else if X` nests; plain `else` runs to `end`.
  const elseIf = /^if\b\s*/.exec(body.stop.rest);
  let otherwise: Render;
  if (elseIf) {
    otherwise = ifBlock(
      it,
      c,
      body.stop.rest.slice(elseIf[0].length),
      body.stop.restStart + elseIf[0].length,
      body.stop.start,
    );
  } else {
    if (body.stop.rest.trim() !== '')
      throw new TemplateSyntaxError('unexpected text after "else"', body.stop.restStart + 1);
    const tail = list(it, c);
    if (tail.stop?.word !== 'end')
      throw new TemplateSyntaxError('"else" without {{ end }}', body.stop.start + 1);
    otherwise = c.concat(tail.parts);
  }
  return (r) => (truth(test(r)) ? then(r) : otherwise(r));
}
