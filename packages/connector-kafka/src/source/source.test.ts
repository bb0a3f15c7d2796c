import { AbortedError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import type {
  ConsumedBatch,
  ConsumerEvents,
  KafkaAdmin,
  KafkaClient,
  KafkaConsumer,
} from '../client/types.js';
import { sourceConfig } from './config.js';
import { KafkaSource } from './source.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A scripted client: the test plays the broker by calling `deliver` and `join`. */
function fakeClient() {
  const commits: { topic: string; partition: number; offset: string }[][] = [];
  const seeks: string[] = [];
  const log: string[] = [];
  let eachBatch: ((b: ConsumedBatch) => Promise<void>) | undefined;
  let events: ConsumerEvents = {};
  const consumer: KafkaConsumer & { member: boolean } = {
    member: false,
    get joined() {
      return this.member;
    },
    connect: async () => {},
    disconnect: async () => {},
    subscribe: async () => {},
    run: async (f, e) => {
      eachBatch = f;
      events = e;
    },
    stop: async () => {},
    seek: (topic, partition, offset) => {
      seeks.push(`${topic}/${partition}@${offset}`);
    },
    commit: async (offsets) => {
      if (!consumer.member) throw new Error('not a member');
      commits.push([...offsets]);
    },
  };
  const admin: KafkaAdmin = {
    connect: async () => {},
    disconnect: async () => {},
    listTopics: async () => ['t'],
    createTopics: async () => {},
    committedOffsets: async () => [
      { topic: 't', partition: 0, offset: '-1' },
      { topic: 't', partition: 1, offset: '-1' },
    ],
    latestOffsets: async () => [
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
    ],
  };
  const client: KafkaClient = {
    admin: () => admin,
    consumer: () => consumer,
    producer: () => {
      throw new Error('unused');
    },
  };
  const join = (partitions = [0, 1]) => {
    consumer.member = true;
    events.onJoin?.({ t: partitions });
  };
  const deliver = async (partition: number, offsets: number[]) => {
    await eachBatch!({
      topic: 't',
      partition,
      messages: offsets.map((o) => ({
        offset: String(o),
        timestamp: '1000',
        key: null,
        value: Buffer.from(`${partition}:${o}`),
        headers: {},
      })),
      resolveOffset: (o) => log.push(`resolve ${partition}@${o}`),
      pause: () => {
        log.push(`pause ${partition}`);
        return () => log.push(`resume ${partition}`);
      },
      isRunning: () => true,
      isStale: () => false,
    });
  };
  return { client, consumer, commits, seeks, log, join, deliver };
}

const open = async (f: ReturnType<typeof fakeClient>, extra: { [k: string]: string } = {}) => {
  const config = sourceConfig.parse({ servers: 'h:1', topics: 't', groupID: 'g', ...extra });
  const s = new KafkaSource(config, { connectorId: 'c', logger }, () => f.client);
  await s.open(undefined);
  return s;
};
const values = (rs: { payload: { after: unknown } }[]) =>
  rs.map((r) => Buffer.from(r.payload.after as Uint8Array).toString());
const read = (s: KafkaSource, n: number) => s.read(n, AbortSignal.timeout(1000));

describe('KafkaSource (scripted client)', () => {
  it('acking a position acks everything read before it, per partition', async () => {
    const f = fakeClient();
    const s = await open(f, { commitOffsetsDelay: '0' }); // commit on every ack
    f.join();
    await f.deliver(0, [0, 1]);
    await f.deliver(1, [0, 1, 2]);
    await f.deliver(0, [2]);
    const rs = await read(s, 10);
    expect(values(rs)).toEqual(['0:0', '0:1', '1:0', '1:1', '1:2', '0:2']);
    await s.ack([rs[3]!.position]); // 0:0, 0:1, 1:0, 1:1
    expect(f.commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '2' },
        { topic: 't', partition: 1, offset: '2' },
      ],
    ]);
    await s.ack([rs[5]!.position]);
    expect([...f.commits[1]!].sort((a, b) => a.partition - b.partition)).toEqual([
      { topic: 't', partition: 0, offset: '3' },
      { topic: 't', partition: 1, offset: '3' },
    ]);
    await s.teardown();
  });

  it('paces commits: after commitOffsetsSize acked records, or commitOffsetsDelay', async () => {
    const f = fakeClient();
    const s = await open(f, { commitOffsetsSize: '3', commitOffsetsDelay: '1h' });
    f.join();
    await f.deliver(0, [0, 1, 2, 3]);
    const rs = await read(s, 10);
    await s.ack([rs[0]!.position]);
    await s.ack([rs[1]!.position]);
    expect(f.commits).toEqual([]);
    await s.ack([rs[2]!.position]); // the third acked record: commit
    expect(f.commits).toEqual([[{ topic: 't', partition: 0, offset: '3' }]]);
    await s.ack([rs[3]!.position]);
    expect(f.commits).toHaveLength(1);
    await s.teardown(); // what is pending is committed at teardown
    expect(f.commits[1]).toEqual([{ topic: 't', partition: 0, offset: '4' }]);
  });

  it('defers a commit while not a group member and commits at the next join', async () => {
    const f = fakeClient();
    const s = await open(f);
    f.join();
    await f.deliver(0, [0, 1]);
    const rs = await read(s, 10);
    f.consumer.member = false; // rebalancing
    await s.ack([rs[1]!.position]);
    expect(f.commits).toEqual([]);
    f.join();
    await new Promise((r) => setTimeout(r, 10));
    expect(f.commits).toEqual([[{ topic: 't', partition: 0, offset: '2' }]]);
    await s.teardown();
  });

  it('after a rejoin, seeks past what was handed out and drops redelivered messages', async () => {
    const f = fakeClient();
    const s = await open(f);
    f.join();
    await f.deliver(0, [0, 1, 2]);
    f.join(); // rebalance: the group's committed offset is older than what was read
    expect(f.seeks).toContain('t/0@3');
    await f.deliver(0, [1, 2, 3]);
    expect(values(await read(s, 10))).toEqual(['0:0', '0:1', '0:2', '0:3']);
    await s.teardown();
  });

  it('pauses a partition when the buffer is full and resumes it once drained', async () => {
    const f = fakeClient();
    const s = await open(f, { bufferSize: '2' });
    f.join();
    // A batch that fills the buffer is kept whole (it was fetched and decoded already).
    await f.deliver(0, [0, 1, 2, 3, 4]);
    expect(f.log).toEqual(['pause 0', 'resolve 0@4']);
    // One that finds it full keeps one record; the rest is fetched again after the resume.
    await f.deliver(1, [0, 1, 2]);
    expect(f.log).toEqual(['pause 0', 'resolve 0@4', 'pause 1', 'resolve 1@0']);
    expect(values(await read(s, 10))).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4', '1:0']);
    expect(f.log).toContain('resume 0');
    expect(f.log).toContain('resume 1');
    await f.deliver(1, [1, 2]);
    expect(values(await read(s, 10))).toEqual(['1:1', '1:2']);
    await s.teardown();
  });

  it('an empty source waits for the signal, then rejects with AbortedError', async () => {
    const f = fakeClient();
    const s = await open(f);
    const t = Date.now();
    await expect(s.read(1, AbortSignal.timeout(200))).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - t).toBeGreaterThanOrEqual(150);
    await s.teardown();
  });
});
