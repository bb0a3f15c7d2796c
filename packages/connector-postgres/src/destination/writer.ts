import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { RecordError } from '@opencdc-ts/sdk';
import type pg from 'pg';
import { describe, errorKind, isStatementError } from '../errors.js';
import type { TableCache } from './catalog.js';
import type { Checkpoint } from './checkpoint.js';
import {
  type ConnectionSchema,
  Planner,
  type PlannerOptions,
  RecordProblem,
  type Unit,
} from './planner.js';
import { STAGING_THRESHOLD, type Staging } from './staging.js';
import { type Row, type Statement, toQuery } from './statements.js';

/** A record failed: records before `index` may be committed, the record and the rest not. */
interface Failure {
  index: number;
  message: string;
  cause: unknown;
}

/** Thrown inside the fast attempt when a statement failed: retry in the careful mode. */
class RetryCarefully extends Error {}

/**
 * Writes one batch as ONE transaction.
 *
 * Fast mode: every unit is one set-based statement, no savepoints. If a statement fails, the
 * transaction is rolled back and the batch is replayed in careful mode: each unit runs under a
 * savepoint; a failing unit is re-run record by record (each under its own savepoint) to find
 * the first bad record. Everything before it is committed, then `RecordError(index)` is thrown.
 */
/** What a write needs: one connection and the caches that live as long as it. */
export interface Session {
  client: pg.ClientBase;
  cache: TableCache;
  staging: Staging;
  options: PlannerOptions;
  checkpoint: Checkpoint | undefined;
  /** Where unqualified names resolve on this connection. */
  schema: ConnectionSchema;
}

export async function writeBatch(
  session: Session,
  records: readonly OpenCDCRecord[],
  indexes: readonly number[],
): Promise<void> {
  try {
    await attempt(session, records, indexes, false);
  } catch (err) {
    if (!(err instanceof RetryCarefully)) throw err;
    await attempt(session, records, indexes, true);
  }
}

async function attempt(
  session: Session,
  records: readonly OpenCDCRecord[],
  indexes: readonly number[],
  careful: boolean,
): Promise<void> {
  const { client, cache, options, checkpoint, schema } = session;
  await client.query('BEGIN');
  let failure: Failure | undefined;
  try {
    // Deferred constraints would otherwise only fail at COMMIT, for no record in particular.
    if (careful) await client.query('SET CONSTRAINTS ALL IMMEDIATE');
    const planner = new Planner(client, cache, options, schema);
    for (const i of indexes) {
      try {
        await planner.add(records[i]!, i);
      } catch (err) {
        if (!(err instanceof RecordProblem)) throw err;
        failure = { index: i, message: err.message, cause: err };
        break;
      }
    }
    const units = planner.build(!careful);
    for (let u = 0; u < units.length; u++) {
      const unit = units[u]!;
      if (!careful) {
        try {
          for (const s of unit.statements) await run(session, s, s.rows, false);
        } catch (err) {
          if (!isStatementError(err)) throw err;
          throw new RetryCarefully(describe(err), { cause: err });
        }
        continue;
      }
      const failed = await runCarefully(session, unit, u);
      if (failed) {
        failure = failed;
        break;
      }
    }
    const done = failure ? indexes.filter((i) => i < failure!.index) : indexes;
    const next = await checkpoint?.save(client, records, done);
    try {
      await client.query('COMMIT');
    } catch (err) {
      // A deferred constraint failed at COMMIT: for no record in particular; the careful
      // replay checks constraints immediately and finds the record.
      if (!careful && errorKind(err) === 'record') {
        throw new RetryCarefully(describe(err), { cause: err });
      }
      throw err;
    }
    checkpoint?.committed(next);
  } catch (err) {
    cache.clear();
    session.staging.clear();
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
  if (failure) {
    throw new RecordError(`record ${failure.index}: ${failure.message}`, failure.index, {
      cause: failure.cause,
    });
  }
}

async function run(
  session: Session,
  s: Statement,
  rows: readonly Row[],
  careful: boolean,
): Promise<void> {
  if (rows.length === 0) return;
  if ((s.kind === 'upsert' || s.kind === 'insert') && rows.length >= STAGING_THRESHOLD) {
    await session.staging.run(session.client, s, rows, careful);
    return;
  }
  await session.client.query(toQuery(s, rows));
}

async function runCarefully(session: Session, unit: Unit, u: number): Promise<Failure | undefined> {
  const { client } = session;
  await client.query(`SAVEPOINT opencdc_unit_${u}`);
  try {
    for (const s of unit.statements) await run(session, s, s.rows, true);
    await client.query(`RELEASE SAVEPOINT opencdc_unit_${u}`);
    return undefined;
  } catch (err) {
    if (!isStatementError(err)) throw err;
    await client.query(`ROLLBACK TO SAVEPOINT opencdc_unit_${u}`);
  }
  // One record at a time, in source order (rows replaced by a later same-key row included).
  const byIndex = new Map<number, { s: Statement; row: Row }[]>();
  for (const s of unit.statements) {
    const rows = s === unit.statements[0] ? [...s.rows, ...unit.replaced] : s.rows;
    for (const row of rows) {
      const list = byIndex.get(row.index) ?? [];
      list.push({ s, row });
      byIndex.set(row.index, list);
    }
  }
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
    await client.query('SAVEPOINT opencdc_record');
    try {
      for (const { s, row } of byIndex.get(index)!) await run(session, s, [row], true);
      await client.query('RELEASE SAVEPOINT opencdc_record');
    } catch (err) {
      if (!isStatementError(err)) throw err;
      await client.query('ROLLBACK TO SAVEPOINT opencdc_record');
      const table = unit.statements[0]!.table.sql;
      return { index, message: `writing to ${table} failed: ${describe(err)}`, cause: err };
    }
  }
  // Each record alone succeeded (the set-based statement failed for a reason of its own).
  return undefined;
}
