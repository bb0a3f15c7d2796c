/**
 * The destination tables a batch writes to: looked up in the catalog (cached), created from a
 * record (`autoCreate`) or given a record's missing columns (`autoEvolve`), each schema change
 * in a savepoint so that it fails the record, not the batch.
 */
import type { StructuredData, StructuredValue } from '@opencdc-ts/commons';
import type pg from 'pg';
import { errorKind, RecordProblem } from '../errors.js';
import { display, identifierProblem, type ResolvedName, tableKey } from '../sql.js';
import { loadTable, type TableCache, type TableInfo } from './catalog.js';
import { addColumns, createTable } from './ddl.js';

export interface SchemaOptions {
  autoCreate: boolean;
  autoEvolve: boolean;
  /** Key columns configured for a table (`tables.<table>.keyColumns`, else `keyColumns`). */
  keyColumns(table: ResolvedName): readonly string[] | undefined;
}

/** Table lookups and schema changes for one batch transaction. */
export class Tables {
  /** Tables created or altered in the current transaction (their cache entries die on rollback). */
  readonly touched = new Set<string>();

  constructor(
    private readonly client: pg.ClientBase,
    private readonly cache: TableCache,
    private readonly opts: SchemaOptions,
  ) {}

  /** The table if it exists (never created: e.g. a truncate of a missing table is a no-op). */
  async find(name: ResolvedName): Promise<TableInfo | undefined> {
    const info = this.cache.get(name) ?? (await loadTable(this.client, name));
    if (!info) return undefined;
    this.cache.set(name, info);
    return info;
  }

  /**
   * The table, created from `sample` (keyed on the record key's fields, else the configured
   * key columns) when missing, `autoCreate` is on and the operation may create (`canCreate`).
   */
  async get(
    name: ResolvedName,
    sample: StructuredData,
    recordKey: StructuredData | null,
    canCreate: boolean,
  ): Promise<TableInfo> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let info = await loadTable(this.client, name);
    if (!info) {
      if (!this.opts.autoCreate || !canCreate) {
        throw new RecordProblem(
          `table ${display(name)} does not exist; create it, or set "autoCreate: true" to create missing tables from the records`,
        );
      }
      checkColumns(Object.keys(sample));
      const key = recordKey ? Object.keys(recordKey) : [...(this.opts.keyColumns(name) ?? [])];
      await this.ddl(() => createTable(this.client, name, sample, key));
      this.touched.add(tableKey(name));
      info = await loadTable(this.client, name);
      if (!info) throw new RecordProblem(`table ${display(name)} could not be created`);
    }
    this.cache.set(name, info);
    return info;
  }

  /** `table` with every field of `row` as a column: missing ones added when `autoEvolve`. */
  async evolve(table: TableInfo, row: StructuredData): Promise<TableInfo> {
    const missing = Object.keys(row).filter((c) => !table.columns.has(c));
    if (missing.length === 0) return table;
    if (!this.opts.autoEvolve) {
      throw new RecordProblem(
        `table ${table.sql} has no column(s) ${missing.map((c) => JSON.stringify(c)).join(', ')}; add them, or set "autoEvolve: true" to add missing columns`,
      );
    }
    checkColumns(missing);
    await this.ddl(() =>
      addColumns(
        this.client,
        table.sql,
        new Map(missing.map((c) => [c, row[c] as StructuredValue])),
      ),
    );
    this.touched.add(tableKey(table.name));
    const info = await loadTable(this.client, table.name);
    if (!info) throw new RecordProblem(`table ${table.sql} disappeared`);
    this.cache.set(table.name, info);
    return info;
  }

  /** DDL inside a savepoint: a failure (e.g. a bad type) fails the record, not the batch. */
  private async ddl(run: () => Promise<void>): Promise<void> {
    await this.client.query('SAVEPOINT opencdc_ddl');
    try {
      await run();
    } catch (err) {
      if (errorKind(err) !== 'record') throw err;
      await this.client.query('ROLLBACK TO SAVEPOINT opencdc_ddl');
      throw new RecordProblem(`schema change failed: ${(err as Error).message}`, { cause: err });
    }
    await this.client.query('RELEASE SAVEPOINT opencdc_ddl');
  }
}

function checkColumns(columns: readonly string[]): void {
  for (const c of columns) {
    const problem = identifierProblem(c);
    if (problem) throw new RecordProblem(`column name ${JSON.stringify(c)} ${problem}`);
  }
}
