import { randomBytes } from 'node:crypto';
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import {
  AbortedError,
  type ConnectorContext,
  type Destination,
  type Logger,
  type Source,
} from '@opencdc-ts/sdk';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { registerCodecs } from '../src/client/codecs.js';
import { connector } from '../src/index.js';

// The tests' own kafkajs reads what the destination writes: snappy by default, as in Conduit.
registerCodecs(kafkajs);

const show = (level: string) => (msg: string, fields?: object) => {
  if (process.env.KAFKA_TEST_LOG) console.log(level, msg, JSON.stringify(fields ?? {}));
};

/** Silent unless KAFKA_TEST_LOG is set. */
export const quietLogger: Logger = {
  debug() {},
  info: show('info'),
  warn: show('warn'),
  error: show('error'),
};

export function ctx(id = `test-${randomBytes(4).toString('hex')}`): ConnectorContext {
  return { connectorId: id, logger: quietLogger };
}

/** A unique, legal topic/group prefix per test. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function source(settings: { [k: string]: string }, c = ctx()): Source {
  const side = connector.source!;
  return side.create(side.config.parse(settings), c);
}

export function destination(settings: { [k: string]: string }, c = ctx()): Destination {
  const side = connector.destination!;
  return side.create(side.config.parse(settings), c);
}

/** Reads until `n` records arrived (or fails after `timeoutMs`). */
export async function readN(src: Source, n: number, timeoutMs = 30_000): Promise<OpenCDCRecord[]> {
  const out: OpenCDCRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`read ${out.length} of ${n} records before the timeout`);
    out.push(...(await src.read(n - out.length, AbortSignal.timeout(left))));
  }
  return out;
}

/** Reads whatever arrives within `ms` (expects nothing, usually). */
export async function readFor(src: Source, ms: number): Promise<OpenCDCRecord[]> {
  const out: OpenCDCRecord[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    try {
      out.push(...(await src.read(1000, signal)));
    } catch (err) {
      if (!(err instanceof AbortedError)) throw err; // the Source contract's abort rule
    }
  }
  return out;
}

export function kafka(brokers: string[]): Kafka {
  return new Kafka({ brokers, clientId: 'test', logLevel: logLevel.NOTHING });
}

export async function createTopics(
  brokers: string[],
  topics: string[],
  partitions = 1,
): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    // A busy broker may briefly answer "does not host this topic-partition" while the new
    // topic's leaders settle: retry (an existing topic is not an error).
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
        });
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

export async function produce(
  brokers: string[],
  topic: string,
  messages: { key?: string | null; value: string | null; headers?: { [k: string]: string } }[],
): Promise<void> {
  // Idempotent: a retried request on a busy machine must not duplicate test data.
  const p = kafka(brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  try {
    await p.send({ topic, acks: -1, messages });
  } finally {
    await p.disconnect();
  }
}

/** Consumes every message of the topics from the beginning (until `count` arrived). */
export async function consumeAll(
  brokers: string[],
  topics: string[],
  count: number,
  timeoutMs = 30_000,
): Promise<{ topic: string; partition: number; key: string | null; value: string | null }[]> {
  const c = kafka(brokers).consumer({ groupId: unique('check') });
  const got: { topic: string; partition: number; key: string | null; value: string | null }[] = [];
  await c.connect();
  try {
    await c.subscribe({ topics, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    await c.run({
      eachMessage: async ({ topic, partition, message }) => {
        got.push({
          topic,
          partition,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
        });
        if (got.length >= count) done();
      },
    });
    await Promise.race([
      finished,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`consumed ${got.length} of ${count}`)),
          timeoutMs,
        ).unref(),
      ),
    ]);
  } finally {
    await c.disconnect();
  }
  return got;
}

export const text = (d: unknown): string => Buffer.from(d as Uint8Array).toString();
