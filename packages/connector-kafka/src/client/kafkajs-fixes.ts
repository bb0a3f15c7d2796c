import { createRequire } from 'node:module';

/**
 * Two fixes to kafkajs 2.2.4 internals (the last release; the project is no longer maintained),
 * applied once, before kafkajs itself loads (this module is imported first by `kafkajs.ts`):
 *
 * - `producer/groupMessagesPerPartition` copies the partition's array for every message
 *   (`[...current, message]`): quadratic in the messages per partition of one send; a batch of
 *   4 096 records to one partition spent ~8 % of a Postgres → Kafka pipeline's CPU there.
 *   Replaced by the same grouping, linear.
 * - `protocol/encoder`'s `ensureAvailable` grows buffers with the zero-filling `Buffer.alloc`;
 *   the bytes past `offset` are never read, so `Buffer.allocUnsafe` (pooled for small sizes)
 *   gives the same output with less work per record.
 *
 * Both are behaviour-preserving; `kafkajs-fixes.test.ts` checks they are in place.
 */
const require = createRequire(import.meta.url);

type Partitioner = (args: {
  topic: string;
  partitionMetadata: unknown[];
  message: unknown;
}) => number;

function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: Partitioner;
}): Record<number, unknown[]> {
  const result: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const list = result[partition];
    if (list) list.push(message);
    else result[partition] = [message];
  }
  return result;
}

interface EncoderClass {
  nextPowerOfTwo(value: number): number;
  prototype: { ensureAvailable: unknown };
}

const GROUP = 'kafkajs/src/producer/groupMessagesPerPartition.js';
const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;

function ensureAvailable(this: { offset: number; buf: Buffer }, length: number): void {
  if (this.offset + length > this.buf.length) {
    const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  }
}

/** Whether the fixes are active (for tests). */
export function kafkajsFixesApplied(): boolean {
  const cached = require.cache[require.resolve(GROUP)];
  return (
    cached?.exports === groupMessagesPerPartition &&
    Encoder.prototype.ensureAvailable === ensureAvailable
  );
}

function apply(): void {
  // A prototype method: in effect whenever it is patched.
  Encoder.prototype.ensureAvailable = ensureAvailable;
  // Too late once the producer's modules are loaded: they hold the original function.
  if (require.cache[require.resolve('kafkajs/src/producer/sendMessages.js')]) return;
  require(GROUP);
  const cached = require.cache[require.resolve(GROUP)];
  if (cached) cached.exports = groupMessagesPerPartition;
}

apply();
