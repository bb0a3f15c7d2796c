/**
 * Name validators for `RouterOptions.validateName`: each returns an error message, or
 * `undefined` when the name is legal.
 */

const TOPIC = /^[a-zA-Z0-9._-]+$/;

/** A Kafka topic name: `^[a-zA-Z0-9._-]+$`, at most 249 characters, not `.` or `..`. */
export function kafkaTopicName(name: string): string | undefined {
  if (name === '.' || name === '..') return `topic name ${JSON.stringify(name)} is reserved`;
  if (name.length > 249) return `topic name is ${name.length} characters long (at most 249)`;
  if (!TOPIC.test(name))
    return `topic name ${JSON.stringify(name)} may only contain letters, digits, ".", "_" and "-"`;
  return undefined;
}

const encoder = new TextEncoder();

/**
 * Splits a Postgres route into schema and table: `table` or `schema.table` (at most one dot;
 * a dot is ALWAYS the schema separator, never part of a name). Returns `undefined` for more dots.
 */
export function splitPostgresName(
  name: string,
): { schema: string | undefined; table: string } | undefined {
  const parts = name.split('.');
  if (parts.length === 1) return { schema: undefined, table: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, table: parts[1]! };
  return undefined;
}

/**
 * A Postgres table name, optionally schema-qualified (`schema.table`). Each part must be
 * non-empty, at most 63 bytes (UTF-8, Postgres' NAMEDATALEN − 1; longer names are silently
 * truncated by Postgres, so we refuse them) and free of NUL. Names are used exactly as given and
 * always quoted (`escapeIdentifier`): case is kept (`Users` ≠ `users`) and any other character is
 * allowed.
 */
export function postgresIdentifier(name: string): string | undefined {
  const parts = splitPostgresName(name);
  if (!parts) return `${JSON.stringify(name)} has more than one "."; use "table" or "schema.table"`;
  for (const [what, part] of [
    ['schema', parts.schema],
    ['table', parts.table],
  ] as const) {
    if (part === undefined) continue;
    if (part === '') return `${JSON.stringify(name)}: the ${what} name is empty`;
    if (part.includes('\u0000')) return `${JSON.stringify(name)}: the ${what} name contains NUL`;
    const bytes = encoder.encode(part).length;
    if (bytes > 63)
      return `${JSON.stringify(name)}: the ${what} name is ${bytes} bytes long (at most 63)`;
  }
  return undefined;
}
