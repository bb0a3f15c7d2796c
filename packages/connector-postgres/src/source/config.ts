/** The source's parameters (upstream names kept where they exist) and their typed config. */
import { defineConfig, NO_SCHEMA_REGISTRY, param } from '@opencdc-ts/sdk';
import { parseTablePatterns } from './tables.js';

export const sourceConfig = defineConfig({
  url: param.string({
    required: true,
    description:
      'Connection URL, e.g. `postgres://user:pass@host:5432/db`. The user needs the REPLICATION attribute (or superuser) and must own the selected tables to manage the publication.',
  }),
  tables: param.string({
    default: '*',
    description:
      'Comma list of `table`, `schema.table`, `schema.*`, `*` (every table of `public`) or `*.*` (every user schema); `!pattern` excludes. Unquoted names fold to lower case; double-quote mixed case (`"MyTable"`, `sales."Orders"`). Collection = table name for `public`, `schema.table` otherwise (a part containing `.` or `"` double-quoted: `public."a.b"` → `"a.b"`). A partitioned table is read as one table (its partitions are not selected).',
    check: (v) => {
      try {
        parseTablePatterns(v);
        return undefined;
      } catch (e) {
        return `write a comma list of table patterns (${(e as Error).message})`;
      }
    },
  }),
  snapshotMode: param.string({
    default: 'initial',
    inclusion: ['initial', 'never'],
    description:
      '`initial`: read the existing rows once (consistent snapshot) before streaming changes; `never`: only changes.',
  }),
  cdcMode: param.string({
    default: 'auto',
    inclusion: ['auto', 'logrepl'],
    description:
      'How changes are captured; both use logical replication (`pgoutput`). `auto` is kept for upstream compatibility.',
  }),
  'logrepl.publicationName': param.string({
    default: 'conduitpub',
    description:
      'Publication listing the selected tables (created and kept in sync unless `logrepl.managePublication` is false).',
  }),
  'logrepl.managePublication': param.bool({
    default: true,
    description:
      'true: the connector creates the publication with exactly the selected tables and reconciles it when the selection changes. false: the publication is yours; it must exist and include every selected table (checked at start).',
  }),
  'logrepl.slotName': param.string({
    default: 'conduitslot',
    regex: /^[a-z0-9_]+$/,
    description: 'Logical replication slot (lower-case letters, digits and `_`).',
  }),
  'logrepl.autoCleanup': param.bool({
    default: true,
    description:
      'Drop the slot and (managed) publication when the connector is deleted from its pipeline.',
  }),
  'logrepl.heartbeatInterval': param.duration({
    default: '10s',
    description:
      'While idle, write a tiny WAL message (`pg_logical_emit_message`) this often so the slot can advance and does not pin WAL. 0 disables.',
  }),
  'logrepl.tableDiscoveryInterval': param.duration({
    default: '30s',
    description:
      'With wildcard patterns, look for new tables this often; a new table is added to the publication, backfilled, then streamed. 0 disables.',
  }),
  'logrepl.withAvroSchema': param.bool({
    default: false,
    description: `Whether to attach an Avro schema to each record. Conduit's default is true; here the default is false and true is refused: ${NO_SCHEMA_REGISTRY}. Records carry their column values as structured data.`,
    check: (v) => (v ? `set it to false (or remove it): ${NO_SCHEMA_REGISTRY}` : undefined),
  }),
  'snapshot.fetchSize': param.int({
    default: 10000,
    greaterThan: 0,
    description:
      'Rows per snapshot page (keyset pagination on the primary key). Conduit: 50000; smaller pages here keep memory per table bounded while several tables are snapshotted at once.',
  }),
  'snapshot.concurrency': param.int({
    default: 4,
    greaterThan: 0,
    description: 'Tables snapshotted in parallel.',
  }),
  bufferSize: param.int({
    default: 1024,
    greaterThan: 0,
    description:
      'Records buffered ahead of `read`; when full, the snapshot pauses and the replication socket stops being read (backpressure, bounded memory).',
  }),
  bufferBytes: param.int({
    default: 8_388_608,
    greaterThan: 0,
    description:
      'Bound of the same buffer in bytes of row data (text form), so wide rows cannot fill memory: whichever of bufferSize and bufferBytes is reached first applies backpressure.',
  }),
});

export type SourceConfig = ReturnType<typeof sourceConfig.parse>;
