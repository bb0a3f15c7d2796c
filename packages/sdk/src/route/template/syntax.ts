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

/** `record` is `.` alone: the whole record. */
export type Root =
  | 'record'
  | 'metadata'
  | 'key'
  | 'payload'
  | 'before'
  | 'after'
  | 'operation'
  | 'position';

/** A lookup step: an exact key, or dotted segments resolved longest-key-first at run time. */
export type Step = { exact: string } | { dotted: string[] };

export interface Path {
  root: Root;
  steps: Step[];
  column: number;
}

/** A value in an action: a record field, a constant, or a parenthesized pipeline. */
export type Operand = { path: Path } | { literal: Literal } | { pipeline: Pipeline };

/** Constants as Go's template parser reads them (strings, numbers, booleans, nil). */
export type Literal = string | number | boolean | null;

/**
 * One command of a pipeline: a function call (`fn args...`) or a lone value. In a pipeline, the
 * result of each command is passed to the next one as its last argument (Go's `|`).
 */
export type Command =
  | { fn: string; args: Operand[]; column: number }
  | { value: Operand; column: number };

export type Pipeline = Command[];
