import { type ConfigOf, defineConfig, param } from '@opencdc-ts/sdk';
import { parseTableName } from '../sql.js';
import type { PostgresDestinationConfig } from './destination.js';

/** The destination's parameters, declared once (spec + parser). */
const shape = {
  url: param.string({
    required: true,
    description:
      'Connection URL of the target database, e.g. `postgres://user:pass@host:5432/db` (libpq URL syntax; `sslmode` is honoured).',
  }),
  table: param.string({
    default: '{{ index .Metadata "opencdc.collection" }}',
    description:
      'Target table per record: a static name (`orders`, `sales.orders`; no per-record work) or a Go-style template over the record, e.g. `{{ .Payload.After.region }}_orders`. A `schema.table` result lands in that schema, a bare `table` in the connection\'s current_schema() (never pg_catalog or a temp table via the search_path); a part containing a dot is double-quoted (`"a.b"`, `"x.y".t`). System schemas are refused. Default: the record\'s collection.',
  }),
  'tables.allow': param.list({
    description:
      'Allowed target tables: comma list of exact names or `*` globs, `*` matching within one name part (`*` = any unqualified table, `sales.*`, `audit_*`, `sales.orders`). A record routed elsewhere is a record error (dead-lettered). Empty: any table.',
  }),
  keyColumns: param.list({
    description:
      "Key columns used when the record key is empty or not an object, for every table (comma list). Empty: the table's primary key.",
  }),
  'tables.*.keyColumns': param.list({
    description:
      'Key columns of one table named without schema (any schema, unless `tables.<schema>.<table>.keyColumns` is set), e.g. `tables.orders.keyColumns: id,region`.',
  }),
  'tables.*.*.keyColumns': param.list({
    description:
      'Key columns of one schema-qualified table, e.g. `tables.sales.orders.keyColumns: id`.',
  }),
  autoCreate: param.bool({
    default: false,
    description:
      'Create a missing target table (and schema) from the first record routed to it: columns typed from the values (see the type mapping), the record key as primary key.',
  }),
  autoEvolve: param.bool({
    default: false,
    description:
      'Add columns the table lacks (nullable, typed from the values) instead of failing the record.',
  }),
  batchSize: param.int({
    default: 10000,
    greaterThan: 0,
    description:
      'Most rows in one set-based statement (consecutive records of one table and operation). A whole write is always one transaction.',
  }),
  'checkpoint.table': param.string({
    check: (v) => {
      const name = parseTableName(v);
      return typeof name === 'string' ? `use a valid table name: ${name}` : undefined;
    },
    description:
      'Table (`name` or `schema.name`) where the destination stores, in the same transaction as the rows, the span of positions it committed, per connector id; replayed records are then skipped after a restart. Created if missing. Empty: off.',
  }),
};

export const destinationConfig = defineConfig(shape);

/** The settings as parsed by the sdk. */
export type DestinationSettings = ConfigOf<typeof shape>;

/** The typed config the destination runs with. */
export function toDestinationConfig(c: DestinationSettings): PostgresDestinationConfig {
  const tableKeyColumns = new Map<string, readonly string[]>();
  for (const w of c['tables.*.keyColumns']) tableKeyColumns.set(w.wildcards[0]!, w.value);
  for (const w of c['tables.*.*.keyColumns']) tableKeyColumns.set(w.wildcards.join('.'), w.value);
  return {
    url: c.url,
    table: c.table,
    allow: c['tables.allow'] ?? [],
    keyColumns: c.keyColumns ?? [],
    tableKeyColumns,
    autoCreate: c.autoCreate,
    autoEvolve: c.autoEvolve,
    batchSize: c.batchSize,
    checkpointTable: c['checkpoint.table'] ?? '',
  };
}
