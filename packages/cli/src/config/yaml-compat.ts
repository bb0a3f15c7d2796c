/**
 * Go's yaml.v3 (Conduit's parser) accepts a quoted scalar whose continuation lines are indented
 * less than its key, which the YAML spec (and the `yaml` package) refuse; `conduit pipelines
 * init` writes such a `description`. This re-indents those continuation lines to the opening
 * quote's column. Folding drops a continuation line's leading spaces, so the value is the one
 * yaml.v3 reads; line numbers do not move (only columns on those lines do).
 *
 * Returns undefined when there was nothing to re-indent. Callers use it only after a failed parse
 * and keep the original errors when the result does not parse either.
 */
export function reindentQuotedContinuations(text: string): string | undefined {
  const lines = text.split('\n');
  let changed = false;
  let blockIndent = -1; // > -1 while inside a block scalar (`|`, `>`) opened at that indent
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const indent = leadingSpaces(line);
    if (blockIndent >= 0) {
      if (line.trim() === '' || indent > blockIndent) continue;
      blockIndent = -1;
    }
    const open = unclosedQuote(line);
    if (open === undefined) {
      if (/(^|[:-]\s)\s*[|>][-+0-9]*\s*(#.*)?$/.test(line.trimEnd())) blockIndent = indent;
      continue;
    }
    // Continuation lines up to (and including) the one with the closing quote.
    let state: QuoteState = { quote: open.quote, escaped: false };
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j] as string;
      const nextIndent = leadingSpaces(next);
      if (next.trim() !== '' && nextIndent < open.col) {
        lines[j] = ' '.repeat(open.col) + next.slice(nextIndent);
        changed = true;
      }
      const end = scanQuoted(next, 0, state);
      i = j;
      if (end.closed) break;
      state = end.state;
    }
  }
  return changed ? lines.join('\n') : undefined;
}

interface QuoteState {
  quote: '"' | "'";
  escaped: boolean;
}

function leadingSpaces(line: string): number {
  return line.length - line.trimStart().length;
}

/** A quote that opens a value on this line and is still open at its end. */
function unclosedQuote(line: string): { quote: '"' | "'"; col: number } | undefined {
  let i = leadingSpaces(line);
  while (i < line.length) {
    const c = line[i];
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string))) return undefined;
    if ((c === '"' || c === "'") && startsValue(line, i)) {
      const end = scanQuoted(line, i + 1, { quote: c, escaped: false });
      if (!end.closed) return { quote: c, col: i };
      i = end.at;
      continue;
    }
    i++;
  }
  return undefined;
}

/** A quote starts a scalar only where a value or key starts, not inside a plain scalar. */
function startsValue(line: string, i: number): boolean {
  const before = line.slice(0, i).trimEnd();
  return before === '' || /(^|\s)-$|:$|[[{,]$/.test(before);
}

function scanQuoted(
  line: string,
  from: number,
  state: QuoteState,
): { closed: true; at: number } | { closed: false; state: QuoteState } {
  let escaped = state.escaped;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (state.quote === '"') {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') return { closed: true, at: i + 1 };
    } else if (c === "'") {
      if (line[i + 1] === "'") i++;
      else return { closed: true, at: i + 1 };
    }
  }
  return { closed: false, state: { quote: state.quote, escaped } };
}
