/**
 * The source's gauges for the runtime's `/metrics` (the sdk's optional `Source.metrics`): how much
 * WAL the slot keeps on the server's disk, and the last LSN the server knows we confirmed. A slot
 * whose retained WAL only grows is the classic way CDC fills a database's disk.
 */
import type { SourceGauge } from '@opencdc-ts/sdk';
import type pg from 'pg';
import { parseLsn } from './lsn.js';

export async function slotGauges(meta: pg.Client, slot: string): Promise<SourceGauge[]> {
  const { rows } = await meta.query<{ retained: string | null; confirmed: string | null }>(
    `SELECT (pg_current_wal_lsn() - restart_lsn)::text AS retained,
            confirmed_flush_lsn::text AS confirmed
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  const row = rows[0];
  if (!row) return [];
  const labels = { slot };
  const out: SourceGauge[] = [];
  if (row.retained !== null)
    out.push({
      name: 'postgres_slot_retained_wal_bytes',
      help: 'WAL the replication slot keeps on the server (current WAL LSN - restart_lsn), in bytes',
      value: Number(row.retained),
      labels,
    });
  if (row.confirmed !== null)
    out.push({
      name: 'postgres_slot_confirmed_flush_lsn',
      help: 'The slot confirmed_flush_lsn as a number: the last position the server knows was acknowledged',
      // LSNs stay far below 2^53 in practice (8 PiB of WAL), so a float holds them exactly.
      value: Number(parseLsn(row.confirmed)),
      labels,
    });
  return out;
}
