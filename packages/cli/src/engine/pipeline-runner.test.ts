import { EncodeError, METADATA_READ_AT, type OpenCDCRecord } from '@opencdc-ts/commons';
import { ConfigError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { acked, idx, MemoryStore, runUntil, setup } from './pipeline-runner.test-helper.js';
import { ConnectorConfigError, PipelineStopError } from './retry.js';

describe('PipelineRunner', () => {
  it('acks positions in order, only after the write that holds them resolved, and saves the last', async () => {
    const s = setup({ total: 95 });
    await runUntil(s.runner, () => s.written.length >= 95);
    expect(s.written.map((r) => idx(r.position))).toEqual([...Array(95).keys()]);
    const acked = s.events.filter((e) => e.kind === 'ack').flatMap((e) => e.ids);
    expect(acked).toEqual([...Array(95).keys()]);
    // Every ack comes after the write of the same records.
    const writtenSoFar = new Set<number>();
    for (const e of s.events) {
      if (e.kind === 'write') for (const i of e.ids) writtenSoFar.add(i);
      if (e.kind === 'ack') for (const i of e.ids) expect(writtenSoFar.has(i)).toBe(true);
    }
    // The saved position is never behind the upstream ack: each ack follows the save of its last position.
    let savedUpTo = -1;
    for (const e of s.events) {
      if (e.kind === 'save') savedUpTo = e.ids[0]!;
      if (e.kind === 'ack') expect(e.ids[e.ids.length - 1]).toBe(savedUpTo);
    }
    // Bounded: at most the batch being written plus one read ahead.
    expect(s.inFlight.max).toBeLessThanOrEqual(20);
    const state = s.store.saved.get('p')!;
    expect(idx(Buffer.from(state.position!, 'base64'))).toBe(94);
    expect(s.runner.stats.perCollection.get('c0')).toBe(32);
    expect(s.runner.stats.total).toBe(95);
  });

  it('writes the next batch while the previous one is saved and acked; acks stay in order, after their writes and saves', async () => {
    const s = setup({ total: 60, store: new MemoryStore(30), dest: { delayMs: 5 } });
    await runUntil(s.runner, () => acked(s.events).length >= 60);
    expect(acked(s.events)).toEqual([...Array(60).keys()]);
    const at = (kind: string, id: number) =>
      s.events.findIndex((e) => e.kind === kind && e.ids.includes(id));
    // Batch 2 (records 10-19) is written before batch 1's save is done.
    expect(at('write', 19)).toBeLessThan(at('save', 9));
    const written = new Set<number>();
    let savedUpTo = -1;
    for (const e of s.events) {
      if (e.kind === 'write') for (const i of e.ids) written.add(i);
      if (e.kind === 'save') savedUpTo = e.ids[0]!;
      if (e.kind === 'ack') {
        for (const i of e.ids) expect(written.has(i)).toBe(true);
        expect(e.ids[e.ids.length - 1]).toBe(savedUpTo);
      }
    }
    // The batch being acked, the one being written and one read ahead.
    expect(s.inFlight.max).toBeLessThanOrEqual(30);
  });

  it('a failed ack fails the attempt: it restarts from the saved position, nothing lost', async () => {
    const s = setup({ total: 50, sources: [{ total: 50, transientAckOnce: 2 }] });
    await runUntil(s.runner, () => acked(s.events).length >= 50 - 10);
    const opens = s.events.filter((e) => e.kind === 'open');
    expect(opens.length).toBeGreaterThanOrEqual(2);
    // The second ack (records 10-19) failed after its save: the restart reads from 20, and
    // every record was written (records after it may come twice: at least once).
    expect(opens[1]!.from).toBe(20);
    expect(new Set(s.written.map((r) => idx(r.position)))).toEqual(new Set([...Array(50).keys()]));
    expect(acked(s.events)).toEqual([
      ...Array(10).keys(),
      ...Array.from({ length: 30 }, (_, i) => 20 + i),
    ]);
  });

  it('lets a destination prepare the batch read ahead while a write is in flight, writes staying in order', async () => {
    const prepared = { batches: new WeakSet<readonly OpenCDCRecord[]>(), count: 0, hits: 0 };
    const s = setup({
      total: 95,
      dest: { prepared, delayMs: 5, recordErrorAt: new Set([42]) },
      window: { size: 10, threshold: 5 },
    });
    await runUntil(s.runner, () => s.written.length + s.dead.length >= 95);
    expect(s.written.map((r) => idx(r.position))).toEqual(
      [...Array(95).keys()].filter((i) => i !== 42),
    );
    expect(s.dead.map((r) => idx(r.position))).toEqual([42]);
    // Batches after the first are prepared during the previous write, and written as prepared
    // (the rest of the batch with the refused record is a new array: written without).
    expect(prepared.count).toBeGreaterThanOrEqual(8);
    expect(prepared.hits).toBeGreaterThanOrEqual(8);
    // Prepared records already carry what the destination encodes: both connectors' keys.
    expect(s.written[50]!.metadata.get('conduit.destination.plugin.name')).toBe('builtin:p:dst');
    expect(s.written[50]!.metadata.get(METADATA_READ_AT)).toMatch(/^\d{19}$/);
  });

  it('stamps source connector id and plugin keys (keeping a connector id already set)', async () => {
    const s = setup({ total: 3 });
    await runUntil(s.runner, () => s.written.length >= 3);
    const md = Object.fromEntries(s.written[0]!.metadata);
    expect(md).toMatchObject({
      'conduit.source.connector.id': 'p:src',
      'conduit.source.plugin.name': 'builtin:p:src',
      'conduit.source.plugin.version': 'v9',
      'conduit.destination.plugin.name': 'builtin:p:dst',
      'conduit.destination.plugin.version': 'v9',
    });
  });

  it('stamps opencdc.readAt right after read: one clock reading per batch', async () => {
    const s = setup({ total: 3 });
    const before = Date.now();
    await runUntil(s.runner, () => s.written.length >= 3);
    const readAt = s.written.map((r) => r.metadata.get(METADATA_READ_AT));
    expect(readAt[0]).toMatch(/^\d{19}$/);
    expect(Number(BigInt(readAt[0]!) / 1_000_000n)).toBeGreaterThanOrEqual(before);
    expect(new Set(readAt).size).toBe(1); // the source hands out all three in one read
  });

  it('resumes from the saved position and runs onCreated only the first time', async () => {
    const store = new MemoryStore();
    const created: string[] = [];
    const first = setup({ total: 25, store, created });
    await runUntil(first.runner, () => first.written.length >= 25);
    const second = setup({ total: 40, store, created });
    await runUntil(second.runner, () => second.written.length >= 15);
    expect(second.events.find((e) => e.kind === 'open')?.from).toBe(25);
    expect(second.written.map((r) => idx(r.position))).toEqual(
      [...Array(15).keys()].map((i) => i + 25),
    );
    expect(created).toEqual(['src']);
  });

  it('default dead-letter settings: stops at the first failed record, acks the records before it', async () => {
    const s = setup({ total: 30, dest: { recordErrorAt: new Set([13]) } });
    const run = s.runner.run(new AbortController().signal);
    await expect(run).rejects.toBeInstanceOf(PipelineStopError);
    const acked = s.events.filter((e) => e.kind === 'ack').flatMap((e) => e.ids);
    expect(acked).toEqual([...Array(13).keys()]);
    expect(s.dead).toHaveLength(0);
    expect(s.runner.stats.status).toBe('failed');
  });

  it('window size 0: dead-letters every failed record in Conduit format and goes on', async () => {
    const s = setup({
      total: 30,
      window: { size: 0, threshold: 0 },
      dest: { recordErrorAt: new Set([3, 4, 17]) },
    });
    await runUntil(s.runner, () => s.events.some((e) => e.kind === 'ack' && e.ids.includes(29)));
    expect(s.written.map((r) => idx(r.position))).toEqual(
      [...Array(30).keys()].filter((i) => ![3, 4, 17].includes(i)),
    );
    expect(s.dead.map((r) => idx(r.position))).toEqual([3, 4, 17]);
    const d = s.dead[0]!;
    expect(d.operation).toBe('create');
    expect(d.metadata.get('conduit.dlq.nack.error')).toBe('row 3 violates a constraint');
    expect(d.metadata.get('conduit.dlq.nack.node.id')).toBe('p:dst');
    expect(d.metadata.get('opencdc.createdAt')).toMatch(/^\d{19}$/);
    const after = d.payload.after as {
      operation: string;
      payload: { after: { i: number } };
      metadata: { [k: string]: string };
    };
    expect(after.operation).toBe('create');
    expect(after.payload.after).toEqual({ i: 3 });
    expect(after.metadata['opencdc.collection']).toBe('c0');
    const acked = s.events.filter((e) => e.kind === 'ack').flatMap((e) => e.ids);
    expect(acked).toEqual([...Array(30).keys()]);
    expect(s.runner.stats.deadLettered).toBe(3);
  });

  it('window 3/1: tolerates one failure in three, stops at the second close one', async () => {
    const s = setup({
      total: 30,
      window: { size: 3, threshold: 1 },
      dest: { recordErrorAt: new Set([2, 10, 11]) },
    });
    await expect(s.runner.run(new AbortController().signal)).rejects.toThrow(
      /window-size 3, window-nack-threshold 1/,
    );
    expect(s.dead.map((r) => idx(r.position))).toEqual([2, 10]);
  });

  it('a data error without an index (stack overflow, EncodeError) dead-letters its record alone, with the reason', async () => {
    const overflow = () => {
      // A real one: what a recursive encoder does with a value nested 20,000 levels deep.
      const f = (n: number): number => (n === 0 ? 0 : 1 + f(n - 1));
      try {
        f(1e7);
      } catch (e) {
        return e as Error;
      }
      throw new Error('no overflow');
    };
    const s = setup({
      total: 30,
      window: { size: 0, threshold: 0 },
      dest: {
        dataErrorAt: new Map([
          [7, overflow],
          [23, () => new EncodeError('payload.after.a.a', 'nested more than 1000 levels')],
        ]),
      },
    });
    await runUntil(s.runner, () => s.events.some((e) => e.kind === 'ack' && e.ids.includes(29)));
    expect(new Set(s.written.map((r) => idx(r.position)))).toEqual(
      new Set([...Array(30).keys()].filter((i) => i !== 7 && i !== 23)),
    );
    expect(s.dead.map((r) => idx(r.position))).toEqual([7, 23]);
    expect(s.dead[0]!.metadata.get('conduit.dlq.nack.error')).toMatch(
      /^p:dst could not convert the record \(RangeError: Maximum call stack size exceeded\): a value is probably nested too deep/,
    );
    expect(s.dead[1]!.metadata.get('conduit.dlq.nack.error')).toMatch(
      /EncodeError: payload\.after\.a\.a: nested more than 1000 levels/,
    );
    expect(s.runner.stats.retries).toBe(0);
    expect(s.runner.stats.deadLettered).toBe(2);
    const acked = s.events.filter((e) => e.kind === 'ack').flatMap((e) => e.ids);
    expect(acked).toEqual([...Array(30).keys()]);
  });

  it('default dead-letter settings: a data error stops the pipeline at once (no retries), acking the records before it', async () => {
    const s = setup({
      total: 30,
      dest: { dataErrorAt: new Map([[13, () => new RangeError('Invalid string length')]]) },
    });
    await expect(s.runner.run(new AbortController().signal)).rejects.toThrow(
      /could not be written by p:dst: p:dst could not convert the record \(RangeError: Invalid string length\)/,
    );
    expect(s.runner.stats.retries).toBe(0);
    const acked = s.events.filter((e) => e.kind === 'ack').flatMap((e) => e.ids);
    expect(acked).toEqual([...Array(13).keys()]);
  });

  it('a ConfigError from open is a configuration error of that connector: never retried', async () => {
    const s = setup({
      total: 30,
      sourceOpenError: new ConfigError({
        parameter: 'tables',
        value: 'no_such_table',
        rule: 'an existing table',
        fix: 'create the table or correct the name',
      }),
    });
    const err = await s.runner.run(new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect((err as ConnectorConfigError).connector).toBe('p:src');
    expect((err as ConnectorConfigError).message).toBe(
      'connector "p:src" (builtin:p:src): parameter "tables" = "no_such_table": violates an existing table. Fix: create the table or correct the name',
    );
    expect(s.events.filter((e) => e.kind === 'open')).toHaveLength(1);
    expect(s.runner.stats.retries).toBe(0);
    expect(s.runner.stats.status).toBe('failed');
  });

  it('a ConfigError from a write is tagged with the destination and not retried', async () => {
    const refused = () =>
      new ConfigError({
        parameter: 'table',
        value: 'x',
        rule: 'a table with a key',
        fix: 'add one',
      });
    const s = setup({ total: 30, dest: { dataErrorAt: new Map([[4, refused]]) } });
    const err = await s.runner.run(new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectorConfigError);
    expect((err as ConnectorConfigError).connector).toBe('p:dst');
    expect(s.runner.stats.retries).toBe(0);
  });

  it('transient write errors: restarts from the last acked position, loses nothing, dead-letters nothing', async () => {
    const s = setup({ total: 50, dest: { transientOnceAt: new Set([12, 37]) } });
    await runUntil(s.runner, () => s.events.some((e) => e.kind === 'ack' && e.ids.includes(49)));
    const got = new Set(s.written.map((r) => idx(r.position)));
    expect([...Array(50).keys()].every((i) => got.has(i))).toBe(true);
    expect(s.dead).toHaveLength(0);
    expect(s.runner.stats.retries).toBe(2);
    const opens = s.events.filter((e) => e.kind === 'open').map((e) => e.from);
    expect(opens).toEqual([0, 10, 30]);
    // Reads are counted when a batch's turn comes: 0-19, then 10-39, then 30-49. The batch read
    // ahead while an attempt failed is dropped uncounted (it is read, and counted, again).
    expect(s.runner.stats.totalRead).toBe(70);
  });

  it('stop: finishes the write in flight, acks it, saves, tears down', async () => {
    const s = setup({ total: 1_000_000, dest: { delayMs: 30 } });
    const ctl = new AbortController();
    const run = s.runner.run(ctl.signal);
    while (s.written.length < 20) await new Promise((r) => setTimeout(r, 5));
    ctl.abort();
    await run;
    const acked = s.events.filter((e) => e.kind === 'ack').flatMap((e) => e.ids);
    const written = s.written.map((r) => idx(r.position));
    expect(acked).toEqual(written); // everything written got acked, nothing more
    expect(idx(Buffer.from(s.store.saved.get('p')!.position!, 'base64'))).toBe(
      written[written.length - 1],
    );
    expect(s.events[s.events.length - 1]!.kind).toBe('teardown');
    expect(s.runner.stats.status).toBe('stopped');
  });
});
