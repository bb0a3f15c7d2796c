// Issue 14 (finding 2): a server restart during the snapshot must surface as a TransientError from
// read() (the runtime then retries from the last acked position), never as an unhandled 'error'
// event of a pg client that takes the whole process down.
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { TransientError } from '@opencdc-ts/sdk';
import { type PostgresService, startPostgres } from '@opencdc-ts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  after,
  cleanup,
  collection,
  openSource,
  readCount,
  sourceSettings,
  sql,
} from './source-helpers.js';

// Its own server: restarting it must not disturb the other test files.
let service: PostgresService;
const ROWS = 60_000;
const uncaught: unknown[] = [];
const onUncaught = (e: unknown): void => {
  uncaught.push(e);
};

beforeAll(async () => {
  service = await startPostgres();
  await sql(
    service.url,
    `CREATE TABLE big (id int PRIMARY KEY, pad text);
     INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, ${ROWS}) g;
     CREATE TABLE small (id int PRIMARY KEY);
     INSERT INTO small SELECT g FROM generate_series(1, 1000) g;`,
  );
  process.on('uncaughtException', onUncaught);
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await service?.stop();
});

/** Reads until read() rejects; returns the records read before and the error. */
async function readUntilError(
  source: Awaited<ReturnType<typeof openSource>>,
  onBatch: (recs: OpenCDCRecord[]) => Promise<void>,
): Promise<unknown> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const recs = await source.read(500, AbortSignal.timeout(5_000));
      await onBatch(recs);
    } catch (e) {
      return e;
    }
  }
  throw new Error('read() never failed after the restart');
}

describe('postgres source: server restart during the snapshot', () => {
  it('read() rejects with a TransientError and a re-opened source completes from the last ack', async () => {
    const settings = sourceSettings(service.url, {
      tables: 'big, small',
      'snapshot.fetchSize': '500',
      'snapshot.concurrency': '2',
      bufferSize: '100',
    });
    const seen = new Set<number>();
    let lastAcked: Uint8Array | undefined;
    let source = await openSource(settings);
    try {
      // Read (and ack) part of the snapshot, then restart the server while the snapshot
      // sessions are open (idle on backpressure or mid-query).
      const first = await readCount(source, 5_000);
      for (const r of first) if (collection(r) === 'big') seen.add(after(r).id as number);
      lastAcked = first[first.length - 1]!.position;
      await source.ack(first.map((r) => r.position));
      await service.restart!();
      const err = await readUntilError(source, async (recs) => {
        // Records buffered before the connections dropped are still valid: deliver and ack them.
        for (const r of recs) if (collection(r) === 'big') seen.add(after(r).id as number);
        if (recs.length > 0) {
          lastAcked = recs[recs.length - 1]!.position;
          await source.ack(recs.map((r) => r.position));
        }
      });
      expect(err).toBeInstanceOf(TransientError);
      expect(uncaught).toEqual([]);
    } finally {
      await source.teardown();
    }
    expect(seen.size).toBeLessThan(ROWS);

    // What the runtime does next: open again from the last acked position.
    source = await openSource(settings, lastAcked);
    try {
      const deadline = Date.now() + 90_000;
      while (seen.size < ROWS && Date.now() < deadline) {
        const recs = await source.read(5_000, AbortSignal.timeout(30_000));
        for (const r of recs) if (collection(r) === 'big') seen.add(after(r).id as number);
        await source.ack(recs.map((r) => r.position));
      }
      expect(seen.size).toBe(ROWS);
      // Still streaming after the restart.
      await sql(service.url, 'INSERT INTO small VALUES (1001)');
      let created = false;
      const until = Date.now() + 30_000;
      while (!created && Date.now() < until) {
        const recs = await source.read(5_000, AbortSignal.timeout(30_000));
        created = recs.some((r) => r.operation === 'create');
        await source.ack(recs.map((r) => r.position));
      }
      expect(created).toBe(true);
      // The same during CDC: the replication and catalog sessions drop, read() says transient.
      await service.restart!();
      const cdcErr = await readUntilError(source, async (recs) => {
        await source.ack(recs.map((r) => r.position));
      });
      expect(cdcErr).toBeInstanceOf(TransientError);
    } finally {
      await source.teardown();
      await cleanup(settings).catch(() => undefined);
    }
    expect(uncaught).toEqual([]);
  });
});
