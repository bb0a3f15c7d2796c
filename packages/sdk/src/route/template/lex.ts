/**
 * Splits a template into text and action bodies: finds `{{ ... }}` (and mustache's `{{{ }}}`,
 * `{{& }}`), applies the trim markers `{{-` / `-}}` and drops comments. Lazy, so an error in an
 * action is reported before the lexer looks further (the order a single pass had).
 */
import { TemplateSyntaxError } from './syntax.js';

/** A piece of a template: literal text, or the body of an action with its offset in the template. */
export type Token = { text: string } | { action: string; start: number };

export function* lex(template: string): Generator<Token> {
  let text = '';
  let i = 0;
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
    if (text !== '') yield { text };
    text = '';
    yield { action: body, start };
  }
  if (text !== '') yield { text };
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
