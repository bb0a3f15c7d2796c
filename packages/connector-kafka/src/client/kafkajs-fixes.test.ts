import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKafkaJsClient } from './kafkajs.js';
import { type groupMessagesPerPartition, patchedKafkajs } from './kafkajs-fixes.js';

const require = createRequire(import.meta.url);

type Group = typeof groupMessagesPerPartition;
interface EncoderInstance {
  writeInt8(v: number): EncoderInstance;
  writeInt32(v: number): EncoderInstance;
  writeInt64(v: string): EncoderInstance;
  writeString(v: string): EncoderInstance;
  writeBytes(v: Buffer): EncoderInstance;
  writeVarInt(v: number): EncoderInstance;
  buffer: Buffer;
}
type EncoderClass = new () => EncoderInstance;

// The package as published, loaded the ordinary way.
const originalGroup = (): Group => require('kafkajs/src/producer/groupMessagesPerPartition.js');
const OriginalEncoder = (): EncoderClass => require('kafkajs/src/protocol/encoder.js');

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('kafkajs fixes', () => {
  it('the private copy groups messages per partition exactly as kafkajs does', () => {
    const group = patchedKafkajs().internal('src/producer/groupMessagesPerPartition.js') as Group;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 300 }),
        fc.integer({ min: 0, max: 8 }),
        (partitions, partitionCount) => {
          const messages = partitions.map((p, i) => ({ p, i }));
          const args = {
            topic: 't',
            partitionMetadata: Array.from({ length: partitionCount }, (_, partitionId) => ({
              partitionId,
            })),
            messages,
            partitioner: ({ message }: { message: unknown }) => (message as { p: number }).p,
          };
          expect(group(args)).toEqual(originalGroup()(args));
        },
      ),
    );
  });

  it('the grouping is linear in the messages of one partition', () => {
    const group = patchedKafkajs().internal('src/producer/groupMessagesPerPartition.js') as Group;
    const messages = Array.from({ length: 200_000 }, (_, i) => i);
    const started = performance.now();
    const out = group({
      topic: 't',
      partitionMetadata: [{}],
      messages,
      partitioner: () => 0,
    });
    // The original copies the list per message: ~2·10¹⁰ element copies here (minutes).
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(out[0]).toEqual(messages);
  });

  it("the private copy's encoder writes the same bytes while its buffer grows", () => {
    const Patched = patchedKafkajs().internal('src/protocol/encoder.js') as EncoderClass;
    const Original = OriginalEncoder();
    expect(Patched).not.toBe(Original);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: -128, max: 127 }).map((v) => ['writeInt8', v] as const),
            fc
              .integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
              .map((v) => ['writeInt32', v] as const),
            fc
              .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
              .map((v) => ['writeInt64', v.toString()] as const),
            fc
              .integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
              .map((v) => ['writeVarInt', v] as const),
            fc.string({ maxLength: 300 }).map((v) => ['writeString', v] as const),
            fc.uint8Array({ maxLength: 3000 }).map((v) => ['writeBytes', Buffer.from(v)] as const),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const a = new Patched();
          const b = new Original();
          for (const [op, v] of ops) {
            (a[op] as (x: unknown) => unknown)(v);
            (b[op] as (x: unknown) => unknown)(v);
          }
          expect(a.buffer.equals(b.buffer)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("the private copy's CRC32C is kafkajs' own", () => {
    const patched = patchedKafkajs().internal('src/protocol/recordBatch/crc32C/index.js') as (
      b: Buffer,
    ) => number;
    const original = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as typeof patched;
    expect(patched).not.toBe(original);
    expect(patched(Buffer.from('123456789'))).toBe(0xe3069283);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        const b = Buffer.from(bytes);
        expect(patched(b)).toBe(original(b));
      }),
    );
  });

  it("the private copy's records are kafkajs' bytes", () => {
    type Rec = (args: object) => { buffer: Buffer };
    const patched = patchedKafkajs().internal('src/protocol/recordBatch/record/v0/index.js') as Rec;
    const original = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as Rec;
    expect(patched).not.toBe(original);
    // Buffers and null take the fast path (a plain object, not kafkajs' Encoder).
    const fast = patched({ key: null, value: Buffer.from('v'), headers: { h: Buffer.from('x') } });
    expect(Object.getPrototypeOf(fast)).toBe(Object.prototype);
    const bytes = fc.oneof(
      fc.constant(null),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    );
    const headerValue = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 10 }), // not bytes: kafkajs' own function writes it
      fc.array(
        fc.uint8Array({ maxLength: 5 }).map((b) => Buffer.from(b)),
        { maxLength: 2 },
      ),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
            timestampDelta: fc.oneof(
              fc.integer({ min: -1000, max: 1000 }),
              fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
            ),
            key: bytes,
            value: bytes,
            headers: fc.dictionary(fc.string({ maxLength: 12 }), headerValue, { maxKeys: 4 }),
          },
          { requiredKeys: ['key', 'value'] },
        ),
        (args) => {
          expect(patched(args).buffer.equals(original(args).buffer)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("the private copy's produce requests are kafkajs' bytes", async () => {
    type Produce = (args: object) => { encode(): Promise<{ buffer: Buffer }> };
    const path = 'src/protocol/requests/produce/v3/request.js';
    const patched = patchedKafkajs().internal(path) as Produce;
    const original = require(`kafkajs/${path}`) as Produce;
    expect(patched).not.toBe(original);
    const bytes = fc.oneof(
      fc.constant(null),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    );
    const message = fc.record(
      {
        key: bytes,
        value: bytes,
        headers: fc.dictionary(
          fc.string({ maxLength: 8 }),
          fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)),
          { maxKeys: 3 },
        ),
        timestamp: fc.integer({ min: 1.6e12, max: 1.8e12 }).map(String),
      },
      { requiredKeys: ['key', 'value'] },
    );
    const now = Date.now;
    Date.now = () => 1_700_000_000_000; // the request's default timestamp, the same for both
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(message, { maxLength: 40 }), async (messages) => {
          const args = {
            acks: -1,
            timeout: 30_000,
            topicData: [{ topic: 't', partitions: [{ partition: 3, firstSequence: 7, messages }] }],
          };
          const a = await patched(args).encode();
          const b = await original(args).encode();
          expect(a.buffer.equals(b.buffer)).toBe(true);
        }),
        { numRuns: 150 },
      );
    } finally {
      Date.now = now;
    }
  });

  it('leave kafkajs as others load it untouched, also after a client was created', () => {
    createKafkaJsClient({ brokers: ['localhost:1'], clientId: 'fixes-test' }, silent);
    const { kafkajs, internal } = patchedKafkajs();
    const published = require('kafkajs') as typeof import('kafkajs');
    expect(published.Kafka).not.toBe(kafkajs.Kafka);
    expect(originalGroup()).not.toBe(internal('src/producer/groupMessagesPerPartition.js'));
    // The published grouping still copies per message, the published encoder still zero-fills.
    expect(String(originalGroup())).toContain('[...current, message]');
    expect(String(OriginalEncoder().prototype.ensureAvailable)).toContain('Buffer.alloc(');
    // Codecs are registered in our copy only: the published snappy slot is still kafkajs' stub.
    const codecs = published.CompressionCodecs as {
      [type: number]: () => unknown;
    };
    expect(() => codecs[published.CompressionTypes.Snappy]!()).toThrow();
    const ours = kafkajs.CompressionCodecs as { [type: number]: () => unknown };
    expect(ours[kafkajs.CompressionTypes.Snappy]!()).toHaveProperty('decompress');
  });

  it('the private copy never arms a negative timer in the request queue (Node 24 warns about it)', () => {
    const RequestQueue = patchedKafkajs().internal('src/network/requestQueue/index.js') as {
      prototype: { scheduleCheckPendingRequests(this: unknown): void };
    };
    const delays: number[] = [];
    const original = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      delays.push(ms);
      return original(fn, 0);
    }) as typeof setTimeout;
    try {
      for (const pending of [[], [{}]]) {
        const queue = {
          throttledUntil: Date.now() - 5_000,
          throttleCheckTimeoutId: null,
          pending,
          checkPendingRequests() {},
        };
        RequestQueue.prototype.scheduleCheckPendingRequests.call(queue);
      }
    } finally {
      globalThis.setTimeout = original;
    }
    expect(delays).toEqual([1, 10]);
  });

  it("the private copy's consumer stops its all-paused wait as soon as a partition is resumed", async () => {
    const ConsumerGroup = patchedKafkajs().internal('src/consumer/consumerGroup.js') as {
      prototype: {
        fetch(this: unknown, nodeId: number): Promise<unknown[]>;
        resume(this: unknown, topicPartitions: unknown[]): void;
      };
    };
    // What `fetch` reads before it finds no partition to fetch (all paused) and sleeps.
    const group = {
      maxWaitTime: 30_000,
      logger: silent,
      cluster: { refreshMetadataIfNecessary: async () => undefined },
      checkForStaleAssignment() {},
      subscriptionState: { assigned: () => [], resume() {} },
      filterPartitionsByNode: () => [],
      seekOffsets: async () => undefined,
      offsetManager: { committedOffsets: () => ({}) },
      getActiveTopicPartitions: () => ({}),
    };
    const started = performance.now();
    const fetched = ConsumerGroup.prototype.fetch.call(group, 0);
    await new Promise((r) => setTimeout(r, 50));
    ConsumerGroup.prototype.resume.call(group, [{ topic: 't', partitions: [0] }]);
    expect(await fetched).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
