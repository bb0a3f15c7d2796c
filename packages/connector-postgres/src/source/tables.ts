/**
 * The `tables` parameter: a comma list of `table`, `schema.table`, `schema.*`, `*` (every table
 * of `public`), `*.*` (every table of every user schema), each optionally negated with `!`.
 * Identifiers follow Postgres rules: unquoted names fold to lower case, `"Quoted"` names keep
 * their case (and may contain commas, dots and `""` for a quote).
 */
import { quoteRef, type TableRef } from '../sql.js';

export interface TablePattern {
  exclude: boolean;
  /** `null` = a wildcard segment. */
  schema: string | null;
  table: string | null;
  /** The pattern as written, for error messages. */
  text: string;
  /** True when the pattern names one table (no wildcard): an unknown table is an error. */
  exact: boolean;
}

/** Splits on `sep` outside double quotes. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function identifier(seg: string): string | null {
  const s = seg.trim();
  if (s === '*') return null;
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) throw new Error(`unterminated quoted identifier ${s}`);
    return s.slice(1, -1).replaceAll('""', '"');
  }
  if (s === '' || s.includes('"')) throw new Error(`invalid identifier ${JSON.stringify(s)}`);
  return s.toLowerCase();
}

/** Parses the `tables` parameter; throws `Error` with a message naming the bad entry. */
export function parseTablePatterns(text: string): TablePattern[] {
  const out: TablePattern[] = [];
  for (const raw of splitOutsideQuotes(text, ',')) {
    let item = raw.trim();
    if (item === '') continue;
    const exclude = item.startsWith('!');
    if (exclude) item = item.slice(1).trim();
    const segs = splitOutsideQuotes(item, '.');
    if (segs.length > 2) throw new Error(`"${raw.trim()}" has more than two dotted parts`);
    const schema = segs.length === 2 ? identifier(segs[0]!) : 'public';
    const table = identifier(segs[segs.length - 1]!);
    if (segs.length === 2 && schema === null && table !== null)
      throw new Error(`"${raw.trim()}": a wildcard schema needs a wildcard table (*.*)`);
    out.push({
      exclude,
      schema,
      table,
      text: raw.trim(),
      exact: schema !== null && table !== null,
    });
  }
  if (!out.some((p) => !p.exclude)) throw new Error('no table selected (only exclusions or empty)');
  return out;
}

function matches(p: TablePattern, t: TableRef): boolean {
  return (p.schema === null || p.schema === t.schema) && (p.table === null || p.table === t.name);
}

/** Applies the patterns to the tables that exist; returns the selection in a stable order. */
export function selectTables(
  patterns: readonly TablePattern[],
  existing: readonly TableRef[],
): TableRef[] {
  const selected = existing.filter(
    (t) =>
      patterns.some((p) => !p.exclude && matches(p, t)) &&
      !patterns.some((p) => p.exclude && matches(p, t)),
  );
  return selected.sort((a, b) =>
    a.schema === b.schema ? cmp(a.name, b.name) : cmp(a.schema, b.schema),
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Exact (non-wildcard, non-excluded) patterns naming no existing table, with a hint if one differs only by case. */
export function unknownTables(
  patterns: readonly TablePattern[],
  existing: readonly TableRef[],
): { pattern: TablePattern; hint?: string }[] {
  const out: { pattern: TablePattern; hint?: string }[] = [];
  for (const p of patterns) {
    if (p.exclude || !p.exact || existing.some((t) => matches(p, t))) continue;
    const near = existing.find(
      (t) =>
        t.schema.toLowerCase() === p.schema?.toLowerCase() &&
        t.name.toLowerCase() === p.table?.toLowerCase(),
    );
    out.push(
      near
        ? {
            pattern: p,
            hint: `did you mean ${quoteRef(near)}? Mixed-case names must be double-quoted`,
          }
        : { pattern: p },
    );
  }
  return out;
}

/** Schemas named by `schema.*` patterns that do not exist. */
export function unknownSchemas(
  patterns: readonly TablePattern[],
  schemas: readonly string[],
): TablePattern[] {
  return patterns.filter(
    (p) => !p.exclude && p.schema !== null && p.table === null && !schemas.includes(p.schema),
  );
}
