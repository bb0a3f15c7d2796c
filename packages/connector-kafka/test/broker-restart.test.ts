import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRecord } from '@opencdc-ts/commons';
import {
  AbortedError,
  type Destination,
  type Position,
  type Source,
  TransientError,
} from '@opencdc-ts/sdk';
import { type KafkaService, startKafka, waitFor } from '@opencdc-ts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopics, destination, source, text, unique } from './helpers.js';

/** The broker's java process, found by its log directory (it is ours: started by startKafka). */
function brokerProcess(service: KafkaService): { pid: number; args: string[] } {
  const marker = `-Dkafka.logs.dir=${dirname(service.logFile)}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    if (args.includes(marker) && args.includes('kafka.Kafka')) return { pid: Number(entry), args };
  }
  throw new Error('broker process not found');
}

// A dedicated broker, hard-killed (SIGKILL) and restarted on the same data and port while a
// destination writes and a source reads. Every failure the connectors report meanwhile must be
// a TransientError (the runtime retries those from the last acked position), and nothing may
// escape as an unhandled rejection or exception (an 'error' event without a listener).
describe('broker restart mid-stream (dedicated Kafka 4.x)', () => {
  let service: KafkaService;
  let restarted: ChildProcess | undefined;
  const escaped: unknown[] = [];
  const onEscaped = (err: unknown) => escaped.push(err);
  beforeAll(async () => {
    service = await startKafka();
    process.on('unhandledRejection', onEscaped);
    process.on('uncaughtException', onEscaped);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onEscaped);
    process.off('uncaughtException', onEscaped);
    if (restarted?.pid) {
      restarted.kill('SIGKILL');
      await new Promise((r) => restarted!.once('exit', r));
    }
    await service?.stop();
  });

  it('loses no record when the broker restarts', { timeout: 240_000 }, async () => {
    const servers = service.brokers.join(',');
    const topic = unique('restart');
    await createTopics(service.brokers, [topic]);
    const total = 600;
    const batch = 20;
    let dest: Destination = destination({ servers, topic });
    await dest.open();
    const settings = {
      servers,
      topics: topic,
      readFromBeginning: 'true',
      groupID: `${topic}-g`,
      valueFormat: 'opencdc',
    };
    let src: Source = source(settings);
    await src.open(undefined);

    const seen = new Map<number, number>();
    let lastAcked: Position | undefined;
    let readerRestarts = 0;
    let writerRetries = 0;
    /** What each failed call threw, unless it is a TransientError. */
    const notTransient: string[] = [];
    const check = (where: string, err: unknown) => {
      if (!(err instanceof TransientError))
        notTransient.push(`${where}: ${(err as Error)?.name}: ${(err as Error)?.message}`);
    };
    const reader = (async () => {
      while (seen.size < total) {
        try {
          const rs = await src.read(100, AbortSignal.timeout(5_000));
          for (const r of rs) {
            const id = Number(text(r.payload.after));
            seen.set(id, (seen.get(id) ?? 0) + 1);
          }
          if (rs.length > 0) {
            await src.ack(rs.map((r) => r.position));
            lastAcked = rs[rs.length - 1]!.position;
          }
        } catch (err) {
          if (err instanceof AbortedError) continue; // nothing arrived within the timeout
          // What the runtime does: tear down, reopen at the last acked position.
          check('source read/ack', err);
          readerRestarts++;
          await src.teardown().catch(() => undefined);
          await new Promise((r) => setTimeout(r, 1_000));
          src = source(settings);
          await src.open(lastAcked).catch((e: unknown) => check('source open', e));
        }
      }
    })();

    for (let i = 0; i < total; i += batch) {
      await new Promise((r) => setTimeout(r, 50)); // a stream, not a burst
      if (i === total / 2) {
        const { pid, args } = brokerProcess(service);
        process.kill(pid, 'SIGKILL');
        await waitFor(() => !readdirSync('/proc').includes(String(pid)), { timeout: 15_000 });
        await new Promise((r) => setTimeout(r, 2_000));
        const out = openSync(service.logFile, 'a');
        restarted = spawn(args[0]!, args.slice(1), { stdio: ['ignore', out, out] });
        closeSync(out);
      }
      const records = Array.from({ length: batch }, (_, j) =>
        createRecord({
          position: new Uint8Array(0),
          metadata: {},
          key: { id: i + j },
          after: new TextEncoder().encode(String(i + j)),
        }),
      );
      for (;;) {
        try {
          await dest.write(records);
          break;
        } catch (err) {
          // The runtime retries a failed batch (at-least-once); reopen like it would.
          check('destination write', err);
          writerRetries++;
          if (writerRetries > 60) throw new Error('the destination never recovered');
          await dest.teardown().catch(() => undefined);
          await new Promise((r) => setTimeout(r, 1_000));
          dest = destination({ servers, topic });
          await dest.open().catch((e: unknown) => check('destination open', e));
        }
      }
    }
    await Promise.race([
      reader,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`read ${seen.size} of ${total}`)), 120_000).unref(),
      ),
    ]);
    await dest.teardown();
    await src.teardown();
    expect(seen.size).toBe(total);
    expect(notTransient).toEqual([]);
    expect(escaped).toEqual([]);
    console.log(
      `broker restart: ${total} records, ${[...seen.values()].filter((n) => n > 1).length} read twice, ${writerRetries} write retries, ${readerRestarts} source restarts`,
    );
  });
});
