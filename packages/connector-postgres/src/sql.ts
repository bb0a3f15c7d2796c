/**
 * Names in SQL, for both sides of the connector: quoting identifiers and literals, qualified and
 * displayed table names, route parsing (the destination) and collection naming (the source; the
 * destination's `splitRoute` is its inverse). Every identifier in SQL text goes through `quote`.
 */
import pg from 'pg';

/** Postgres truncates identifiers longer than NAMEDATALEN-1 bytes; we reject them instead. */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * A table name split into schema and table. Schema `undefined` means "unqualified": it is
 * resolved in the connection's `current_schema()` (see `resolveName`), never through the
 * search_path.
 */
export interface TableName {
  schema: string | undefined;
  table: string;
}

/** A table name whose schema is known: what every SQL statement of the destination uses. */
export interface ResolvedName {
  schema: string;
  table: string;
}

/**
 * Validates one identifier part. Any character is allowed (names are always quoted), except
 * NUL (Postgres cannot store it) and an empty name; the length limit is in bytes.
 */
export function identifierProblem(part: string): string | undefined {
  if (part.length === 0) return 'is empty';
  if (part.includes('\0')) return 'contains a NUL character';
  const bytes = Buffer.byteLength(part, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return `is ${bytes} bytes long (Postgres allows at most ${MAX_IDENTIFIER_BYTES})`;
  }
  return undefined;
}

/**
 * Splits a route into its name parts: on dots outside double quotes. A part that starts with
 * `"` is quoted: it runs to the closing `"` (`""` inside stands for one `"`) and must be
 * followed by a dot or the end. Any other part is taken as written (case kept, a `"` in its
 * middle is just a character), which is how this connector's source names collections: raw
 * names, with only a part containing `.` or `"` double-quoted (`"a.b"`, `"x.y".t`).
 */
export function splitRoute(route: string): string[] | string {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    if (route[i] === '"') {
      let part = '';
      let j = i + 1;
      for (;;) {
        const q = route.indexOf('"', j);
        if (q < 0) return `"${route}": unterminated double quote`;
        part += route.slice(j, q);
        if (route[q + 1] === '"') {
          part += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      parts.push(part);
      if (i === route.length) return parts;
      if (route[i] !== '.') {
        return `"${route}": a quoted name part must be followed by "." or the end`;
      }
      i++;
      continue;
    }
    const dot = route.indexOf('.', i);
    if (dot < 0) {
      parts.push(route.slice(i));
      return parts;
    }
    parts.push(route.slice(i, dot));
    i = dot + 1;
  }
}

/**
 * Parses a route: `table` or `schema.table`, parts quoted as `splitRoute` says (`public."a.b"`,
 * `"x.y".t`). More than two parts are rejected (ambiguous), so is a system schema however it
 * is spelled (`PG_CATALOG.x`, `"pg_toast".x`): a destination must never write there.
 */
export function parseTableName(route: string): TableName | string {
  const parts = splitRoute(route);
  if (typeof parts === 'string') return parts;
  if (parts.length > 2) {
    return `"${route}" has ${parts.length} name parts; a table route is "table" or "schema.table" (double-quote a part that contains a dot)`;
  }
  for (const p of parts) {
    const problem = identifierProblem(p);
    if (problem) return `"${route}": name part "${p}" ${problem}`;
  }
  const [a, b] = parts as [string, string | undefined];
  const schema = b === undefined ? undefined : a;
  if (schema !== undefined && isSystemSchema(schema)) {
    return `"${route}" targets the system schema "${schema}"; writing there is not allowed`;
  }
  return { schema, table: b ?? a };
}

/**
 * `pg_catalog`, `information_schema`, `pg_toast`, `pg_temp` (the alias), `pg_temp_N`,
 * `pg_toast_temp_N`: every `pg_` name is reserved for the system (CREATE SCHEMA refuses it).
 * Compared case-insensitively: `PG_CATALOG` is not a schema Postgres has, but it is what a
 * hostile route would try, and refusing it keeps the rule simple to state.
 */
export function isSystemSchema(schema: string): boolean {
  const s = schema.toLowerCase();
  return s === 'information_schema' || s.startsWith('pg_');
}

/** Validator for the sdk router: an error message or `undefined`. */
export function postgresIdentifier(route: string): string | undefined {
  const parsed = parseTableName(route);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** An identifier quoted for SQL text (`"a""b"`). */
export const quote = (name: string): string => pg.escapeIdentifier(name);

/** A string quoted as an SQL literal (`'it''s'`). */
export const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** The quoted, schema-qualified name for SQL text (never built from unquoted record data). */
export function qualified(name: TableName): string {
  return name.schema === undefined
    ? quote(name.table)
    : `${quote(name.schema)}.${quote(name.table)}`;
}

/** A table as the source's catalog names it: schema and table, both known. */
export interface TableRef {
  schema: string;
  name: string;
}

/** `qualified` for a `TableRef`. */
export function sqlName(t: TableRef): string {
  return `${quote(t.schema)}.${quote(t.name)}`;
}

/** `display` for a `TableRef` (log and error messages of the source). */
export function quoteRef(t: TableRef): string {
  return display({ schema: t.schema, table: t.name });
}

/**
 * Collection name: the table name for `public`, `schema.table` otherwise. Names are raw (case
 * kept, no quotes) except a part containing `.` or `"`, which is double-quoted with `"` doubled:
 * otherwise `public."a.b"` and table `b` of schema `a` would both be `a.b`, two tables mixed in
 * one collection. Ordinary names (and so stored positions keyed by them) are unchanged.
 * `splitRoute` parses it back.
 */
export function collectionOf(t: TableRef): string {
  const name = collectionPart(t.name);
  return t.schema === 'public' ? name : `${collectionPart(t.schema)}.${name}`;
}

function collectionPart(s: string): string {
  return s.includes('.') || s.includes('"') ? quote(s) : s;
}

/**
 * A stable, unambiguous map key for a table: schema and table joined by NUL (which no
 * identifier can contain), so `public."a.b"` and `a.b` can never share an entry.
 */
export function tableKey(name: TableName): string {
  return name.schema === undefined ? name.table : `${name.schema}\u0000${name.table}`;
}

/** A name as users write it in messages: `schema.table`, quoting parts that need it. */
export function display(name: TableName): string {
  const part = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : quote(s));
  return name.schema === undefined ? part(name.table) : `${part(name.schema)}.${part(name.table)}`;
}

/**
 * The schema an unqualified name lands in: the connection's `current_schema()` and nothing
 * else. Resolving through the search_path would let `pg_catalog` (always searched, first
 * unless listed) and the session's temp schema (searched before everything) capture a name:
 * a route `pg_authid` would write into the system catalog.
 */
export function resolveName(name: TableName, currentSchema: string): ResolvedName {
  return { schema: name.schema ?? currentSchema, table: name.table };
}

/**
 * Glob matching for `tables.allow` on parsed names: `*` matches within one name part, an
 * unqualified entry matches only unqualified routes. Entries are parsed like routes, so
 * `sales."a.b"` and `"sales".x` mean what they mean in a route.
 */
export function allowMatcher(entries: readonly string[]): (name: TableName) => boolean {
  const parsed = entries.map((e) => {
    const parts = splitRoute(e);
    if (typeof parts === 'string' || parts.length > 2) {
      throw new Error(
        `tables.allow: ${typeof parts === 'string' ? parts : `"${e}" has more than two name parts`}`,
      );
    }
    const globs = parts.map(globPart);
    return globs.length === 1
      ? { schema: undefined, table: globs[0]! }
      : { schema: globs[0]!, table: globs[1]! };
  });
  return (name) =>
    parsed.some(
      (p) =>
        (p.schema === undefined
          ? name.schema === undefined
          : name.schema !== undefined && p.schema(name.schema)) && p.table(name.table),
    );
}

function globPart(part: string): (s: string) => boolean {
  if (!part.includes('*')) return (s) => s === part;
  const re = new RegExp(
    `^${part
      .split('*')
      .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
  return (s) => re.test(s);
}
