import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { compileFunction } from 'node:vm';
import { crc32c } from '@node-rs/crc32';
import { type EncodedRecord, fastRecord, type RecordArgs } from './kafkajs-record.js';

/**
 * Our own copy of kafkajs 2.2.4 (the last release; the project is no longer maintained) with two
 * fixes to its internals. The copy is private: its modules are loaded from kafkajs' files into a
 * module table of our own, so another kafkajs user in the same process (an application, a test
 * helper) gets the untouched package from `require`/`import`, and nothing depends on import
 * order or on a bundler keeping a side-effect import. `createKafkaJsClient` takes `Kafka` from
 * here (`patchedKafkajs()`, loaded on first use).
 *
 * - `producer/groupMessagesPerPartition` copies the partition's array for every message
 *   (`[...current, message]`): quadratic in the messages per partition of one send; a batch of
 *   4 096 records to one partition spent ~8 % of a Postgres → Kafka pipeline's CPU there.
 *   Replaced by the same grouping, linear.
 * - `protocol/encoder`'s `ensureAvailable` grows buffers with the zero-filling `Buffer.alloc`;
 *   the bytes past `offset` are never read, so `Buffer.allocUnsafe` (pooled for small sizes)
 *   gives the same output with less work per record.
 *
 * - `network/requestQueue`'s `scheduleCheckPendingRequests` arms `setTimeout` with
 *   `throttledUntil - now`, negative whenever no throttle is in force and nothing is pending;
 *   Node clamps that to 1 ms, and Node 24 also prints a `TimeoutNegativeWarning` for it. The fix
 *   passes the same clamped delay explicitly (kafkajs issue #1751, never released).
 *
 * - `consumer/consumerGroup`'s `fetch` sleeps `maxWaitTimeInMs` when every partition of a broker
 *   is paused, and `resume` does not cut that sleep short: a source that pauses its partitions
 *   while its buffer is full (and resumes them once it drained) then waits up to 500 ms per
 *   pause with nothing to hand out, 65 % of a Kafka → Postgres pipeline's time. In the copy,
 *   that sleep ends early when a partition is resumed (then the next fetch starts at once).
 *
 * - `protocol/recordBatch/crc32C` computes each record batch's checksum in JavaScript, a table
 *   lookup per byte (~7 % of a pipeline's CPU); the copy uses @node-rs/crc32's `crc32c`
 *   (Node-API, SIMD, prebuilt per platform as registry packages), the same unsigned value.
 *
 * - `protocol/recordBatch/record/v0` writes each record through growing `Encoder`s; the copy
 *   sizes a record first and writes it once (`kafkajs-record.ts`), the same bytes. The produce
 *   request (`protocol/requests/produce/v3/request.js`) called it with a copy of every message
 *   (`{ ...message, offsetDelta, timestampDelta }`, ~5 % of a pipeline's CPU); in the copy its
 *   source text calls it with the message and the two deltas apart (`PRODUCE_RECORD_CALL`).
 *
 * All are behaviour-preserving; `kafkajs-fixes.test.ts` checks the outputs against the
 * originals and that the package itself is left as it was.
 */
const require = createRequire(import.meta.url);
const ROOT = dirname(require.resolve('kafkajs/package.json'));
const GROUP = join(ROOT, 'src', 'producer', 'groupMessagesPerPartition.js');
const ENCODER = join(ROOT, 'src', 'protocol', 'encoder.js');
const REQUEST_QUEUE = join(ROOT, 'src', 'network', 'requestQueue', 'index.js');
const RECORD = join(ROOT, 'src', 'protocol', 'recordBatch', 'record', 'v0', 'index.js');
const PRODUCE_V3 = join(ROOT, 'src', 'protocol', 'requests', 'produce', 'v3', 'request.js');
/** The call in PRODUCE_V3's `partitionsEncoder` (kafkajs 2.2.4), and what the copy calls. */
const PRODUCE_RECORD_CALL = [
  `Record({
      ...message,
      offsetDelta: i,
      timestampDelta: (message.timestamp || dateNow) - firstTimestamp,
    })`,
  'Record(message, i, (message.timestamp || dateNow) - firstTimestamp)',
] as const;
const CRC32C = join(ROOT, 'src', 'protocol', 'recordBatch', 'crc32C', 'index.js');
const CONSUMER_GROUP = join(ROOT, 'src', 'consumer', 'consumerGroup.js');
const SLEEP = join(ROOT, 'src', 'utils', 'sleep.js');
/** kafkajs' `CHECK_PENDING_REQUESTS_INTERVAL` (requestQueue/index.js). */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

type Partitioner = (args: {
  topic: string;
  partitionMetadata: unknown[];
  message: unknown;
}) => number;

/** kafkajs' grouping, linear: each partition's list grows in place. */
export function groupMessagesPerPartition({
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
  prototype: { ensureAvailable: (this: { offset: number; buf: Buffer }, length: number) => void };
}

function fixEncoder(Encoder: EncoderClass): void {
  Encoder.prototype.ensureAvailable = function ensureAvailable(length) {
    if (this.offset + length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
      this.buf.copy(grown, 0, 0, this.offset);
      this.buf = grown;
    }
  };
}

interface RequestQueueState {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

function fixRequestQueue(RequestQueue: {
  prototype: { scheduleCheckPendingRequests: (this: RequestQueueState) => void };
}): void {
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests() {
    if (this.throttleCheckTimeoutId) return;
    let scheduleAt = this.throttledUntil - Date.now();
    if (this.pending.length > 0 && scheduleAt <= 0) scheduleAt = CHECK_PENDING_REQUESTS_INTERVAL;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      Math.max(1, scheduleAt),
    );
  };
}

/**
 * kafkajs' `utils/sleep` for `consumerGroup.js` (its only use there is the all-paused wait), with
 * a way to end every pending sleep early.
 */
export function wakeableSleep(): { sleep(ms: number): Promise<void>; wake(): void } {
  const sleepers = new Set<() => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          sleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        sleepers.add(done);
      }),
    wake: () => {
      for (const done of [...sleepers]) done();
    },
  };
}

interface ConsumerGroupClass {
  prototype: { resume: (this: unknown, topicPartitions: unknown[]) => void };
}

/** `resume` also ends the all-paused sleep (of every consumer of the copy: a spare fetch round). */
function fixConsumerGroup(ConsumerGroup: ConsumerGroupClass, wake: () => void): void {
  const resume = ConsumerGroup.prototype.resume;
  ConsumerGroup.prototype.resume = function resumeAndWake(topicPartitions) {
    resume.call(this, topicPartitions);
    wake();
  };
}

type KafkaJs = typeof import('kafkajs');

export interface PatchedKafkajs {
  /** The patched copy's public API (what `import 'kafkajs'` gives, from our module table). */
  readonly kafkajs: KafkaJs;
  /** A module of the copy by its path in the package, e.g. `src/protocol/encoder.js` (tests). */
  internal(path: string): unknown;
}

interface LoadedModule {
  exports: unknown;
  id: string;
  filename: string;
  loaded: boolean;
}

const WRAPPER_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

/**
 * Loads kafkajs' CommonJS files into a private module table: a file of the package is compiled
 * and run once per table (its `require` resolves inside the same table, including the requests
 * kafkajs loads lazily per protocol version); anything outside it (Node's built-ins) comes from
 * the ordinary `require`.
 */
function loadPrivateCopy(): PatchedKafkajs {
  const table = new Map<string, LoadedModule>();
  const pausedWait = wakeableSleep();
  const load = (file: string): unknown => {
    const hit = table.get(file);
    if (hit) return hit.exports;
    const module: LoadedModule = { exports: {}, id: file, filename: file, loaded: false };
    table.set(file, module);
    if (file === GROUP) {
      module.exports = groupMessagesPerPartition;
    } else if (file === CRC32C) {
      module.exports = (buffer: Buffer): number => crc32c(buffer);
    } else if (file.endsWith('.json')) {
      module.exports = JSON.parse(readFileSync(file, 'utf8'));
    } else {
      let source = readFileSync(file, 'utf8');
      if (file === PRODUCE_V3) {
        const [call, fixed] = PRODUCE_RECORD_CALL;
        // Another kafkajs would not match: fail loudly rather than run unfixed.
        if (source.split(call).length !== 2)
          throw new Error(`kafkajs fixes: ${PRODUCE_V3} is not the one the fix was written for`);
        source = source.replace(call, fixed);
      }
      const run = compileFunction(source, WRAPPER_PARAMS, { filename: file });
      run.call(module.exports, module.exports, requireFrom(file), module, file, dirname(file));
      if (file === ENCODER) fixEncoder(module.exports as EncoderClass);
      if (file === RECORD)
        module.exports = fastRecord(module.exports as (args: RecordArgs) => EncodedRecord);
      if (file === REQUEST_QUEUE)
        fixRequestQueue(module.exports as Parameters<typeof fixRequestQueue>[0]);
      if (file === CONSUMER_GROUP)
        fixConsumerGroup(module.exports as ConsumerGroupClass, pausedWait.wake);
    }
    module.loaded = true;
    return module.exports;
  };
  const requireFrom = (from: string) => {
    const outer = createRequire(from);
    const inner = (id: string): unknown => {
      const file = outer.resolve(id);
      if (from === CONSUMER_GROUP && file === SLEEP) return pausedWait.sleep;
      return file.startsWith(ROOT + sep) ? load(file) : outer(id);
    };
    return Object.assign(inner, { resolve: outer.resolve, cache: Object.create(null) });
  };
  const kafkajs = load(require.resolve('kafkajs')) as KafkaJs;
  return { kafkajs, internal: (path) => load(join(ROOT, path)) };
}

let copy: PatchedKafkajs | undefined;

/** The private, patched kafkajs (loaded once, on first use). */
export function patchedKafkajs(): PatchedKafkajs {
  copy ??= loadPrivateCopy();
  return copy;
}
