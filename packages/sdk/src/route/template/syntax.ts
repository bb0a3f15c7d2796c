/** What the template lexer and parser produce and the compiler consumes: the syntax tree and its error. */

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

export type Root = 'metadata' | 'key' | 'payload' | 'before' | 'after' | 'operation' | 'position';

/** A lookup step: an exact key, or dotted segments resolved longest-key-first at run time. */
export type Step = { exact: string } | { dotted: string[] };

export interface Path {
  root: Root;
  steps: Step[];
  column: number;
}

export type Operand = { path: Path } | { literal: string };

export interface Call {
  fn: string;
  args: string[];
  column: number;
}

/** The functions usable in pipes and calls, with their number of quoted arguments. */
export const FUNCTIONS: { readonly [fn: string]: number } = {
  lower: 0,
  upper: 0,
  trim: 0,
  replace: 2,
  trimPrefix: 1,
  trimSuffix: 1,
  default: 1,
};
