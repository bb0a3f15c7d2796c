import type { OpenCDCRecord } from '@opencdc-ts/commons';
import {
  AckLedger,
  type ConnectorContext,
  type Position,
  type Source,
  SourceBuffer,
  type SourceGauge,
} from '@opencdc-ts/sdk';
import {
  type ClientSettings,
  type ConsumedBatch,
  classifyConnectError,
  createClient,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaConsumer,
} from '../client/index.js';
import { clientSettings } from '../config/common.js';
import type { SourceConfig } from './config.js';
import { PartitionDecoder, Slab, type ValueFormat } from './decode.js';
import { consumerLag } from './metrics.js';
import { decodePosition, type KafkaPosition } from './position.js';
import { parseTopics, type TopicMatcher } from './topics.js';

const tpKey = (topic: string, partition: number) => `${partition}:${topic}`;

/** The last offset of one partition's records handed out together (one per consumed batch). */
interface Run {
  key: string;
  topic: string;
  partition: number;
  last: number;
}

/**
 * Reads many topics with one consumer in one group.
 *
 * Offsets: auto-commit is off; `ack()` commits, per partition, one past the highest acked
 * offset. Commits need group membership, so a commit that cannot happen now (rebalance, restart
 * of the consumer) stays pending and is retried on the next ack, join, refresh tick and at
 * teardown: acked offsets are never lost, and an unacked record is never committed.
 *
 * Fetch position: `next` holds, per partition, one past the last record handed to the buffer.
 * Every (re)join seeks assigned partitions there, and a message below it is dropped, so the
 * consumer restarts needed to change the subscription (kafkajs cannot change a running
 * consumer's topics) never duplicate or skip records. New topics are found by listing topics
 * every `topicRefreshInterval`; the consumer is then stopped, subscribed to them (from their
 * beginning) and run again.
 */
export class KafkaSource implements Source {
  private readonly matcher: TopicMatcher;
  private readonly settings: ClientSettings;
  private readonly format: ValueFormat;
  /**
   * The hand-over from the consumer (`eachBatch`) to `read()`. When a batch fills it, the
   * consumer pauses the partition; once drained to half, the partition is resumed (hysteresis).
   */
  private readonly buffer: SourceBuffer<OpenCDCRecord>;
  private client: KafkaClient | undefined;
  private admin: KafkaAdmin | undefined;
  private consumer: KafkaConsumer | undefined;
  private groupId = '';
  private running = false;
  private readonly subscribed = new Set<string>();
  /** Topics deleted while subscribed (acks for their records are dropped). */
  private readonly deleted = new Set<string>();
  private readonly next = new Map<string, bigint>();
  /**
   * Delivered, unacked records in read order, with a mark per batch (its partition's last
   * offset): acking one record acks everything read before it, so every batch whose mark is
   * released has its last offset acked.
   */
  private readonly ledger = new AckLedger<Run>();
  private readonly slab = new Slab();
  private readonly decoders = new Map<string, PartitionDecoder>();
  /** Per partition: the offset to commit (one past the highest acked). */
  private readonly pending = new Map<
    string,
    { topic: string; partition: number; offset: bigint }
  >();
  private timer: NodeJS.Timeout | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  /** Records acked since the last commit (`commitOffsetsSize`) and when that was. */
  private ackedSinceCommit = 0;
  private lastCommit = Date.now();
  /** Serializes subscription changes and commits. */
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly config: SourceConfig,
    private readonly ctx: ConnectorContext,
    private readonly makeClient: typeof createClient = createClient,
  ) {
    this.matcher = parseTopics(config.topics);
    this.settings = clientSettings(config);
    this.format = config.valueFormat as ValueFormat;
    this.buffer = new SourceBuffer({ maxRecords: config.bufferSize, resumeAt: 0.5 });
  }

  private get servers(): string {
    return this.config.servers.join(',');
  }

  /**
   * Checks what `open` would (the brokers answer, the credentials and TLS are accepted, the
   * topics), without joining the consumer group or committing anything; then `teardown`.
   */
  async check(): Promise<void> {
    this.client = this.makeClient(this.settings, this.ctx.logger);
    this.admin = this.client.admin();
    try {
      await this.admin.connect();
      const topics = (await this.admin.listTopics()).filter(this.matcher.matches);
      const missing = this.matcher.names.filter((n) => !topics.includes(n));
      if (missing.length > 0)
        this.ctx.logger.warn('topics do not exist yet; they are read once created', { missing });
    } catch (err) {
      throw classifyConnectError(err, this.servers);
    }
  }

  async open(position: Position | undefined): Promise<void> {
    const at = position ? decodePosition(position) : undefined;
    this.groupId = this.config.groupID ?? at?.groupID ?? `opencdc-${this.ctx.connectorId}`;
    this.client = this.makeClient(this.settings, this.ctx.logger);
    this.admin = this.client.admin();
    this.consumer = this.client.consumer({ groupId: this.groupId });
    try {
      await this.admin.connect();
      await this.consumer.connect();
      if (at) await this.startAfter(at);
      const topics = (await this.admin.listTopics()).filter(this.matcher.matches).sort();
      const missing = this.matcher.names.filter((n) => !topics.includes(n));
      if (missing.length > 0)
        this.ctx.logger.warn('topics do not exist yet; they are read once created', { missing });
      if (topics.length > 0) {
        if (!this.config.readFromBeginning) await this.pinLatest(topics);
        await this.consumer.subscribe(topics, this.config.readFromBeginning);
        for (const t of topics) this.subscribed.add(t);
        await this.run();
      }
    } catch (err) {
      throw classifyConnectError(err, this.servers);
    }
    this.ctx.logger.info('kafka source open', {
      groupId: this.groupId,
      topics: [...this.subscribed],
      patterns: this.matcher.patterns.map(String),
    });
    this.timer = setInterval(() => void this.tick(), this.config.topicRefreshInterval);
    this.timer.unref();
    if (this.config.commitOffsetsDelay > 0) {
      this.commitTimer = setInterval(
        () => void this.flushLocked().catch(() => undefined),
        this.config.commitOffsetsDelay,
      );
      this.commitTimer.unref();
    }
  }

  /**
   * The runtime processed everything up to `at`: continue after it on its partition even if the
   * commit of its ack never reached the broker (and commit it now), unless the group is further.
   */
  private async startAfter(at: KafkaPosition): Promise<void> {
    const key = tpKey(at.topic, at.partition);
    const after = BigInt(at.offset) + 1n;
    let committed: { offset: string } | undefined;
    try {
      committed = (await this.admin!.committedOffsets(this.groupId, [at.topic])).find(
        (c) => c.partition === at.partition,
      );
    } catch (err) {
      // E.g. the position's topic was deleted: nothing to continue after there.
      this.ctx.logger.warn('cannot read committed offsets for the position', {
        topic: at.topic,
        error: (err as Error).message,
      });
      return;
    }
    if (committed && BigInt(committed.offset) >= after) return;
    this.next.set(key, after);
    this.markAcked({ key, topic: at.topic, partition: at.partition, offset: after - 1n });
  }

  /**
   * "Only new messages" must mean new as of open, not as of each consumer restart: pin the
   * start of partitions the group never committed to their current end.
   */
  private async pinLatest(topics: readonly string[]): Promise<void> {
    const admin = this.admin!;
    const committed = await admin.committedOffsets(this.groupId, topics);
    const without = new Set(
      committed.filter((c) => BigInt(c.offset) < 0n).map((c) => tpKey(c.topic, c.partition)),
    );
    for (const t of topics) {
      for (const p of await admin.latestOffsets(t)) {
        const key = tpKey(t, p.partition);
        if (
          !this.next.has(key) &&
          (without.has(key) || !committed.some((c) => tpKey(c.topic, c.partition) === key))
        )
          this.next.set(key, BigInt(p.offset));
      }
    }
  }

  private async run(): Promise<void> {
    const consumer = this.consumer!;
    await consumer.run((b) => this.onBatch(b), {
      onJoin: (assignment) => {
        if (consumer !== this.consumer) return; // a replaced consumer
        // Continue exactly after what was handed out, whatever the group's committed offset.
        for (const [topic, partitions] of Object.entries(assignment))
          for (const partition of partitions) {
            const n = this.next.get(tpKey(topic, partition));
            if (n !== undefined) consumer.seek(topic, partition, n.toString());
          }
        void this.flushLocked();
      },
      onCrash: (error, restarting) => {
        if (consumer !== this.consumer) return;
        if (restarting && (this.config.retryGroupJoinErrors || !isGroupJoinError(error))) {
          this.ctx.logger.warn('kafka consumer crashed; restarting', { error: error.message });
          return;
        }
        this.buffer.fail(classifyConnectError(error, this.servers));
      },
    });
    this.running = true;
  }

  private decoder(topic: string, partition: number, key: string): PartitionDecoder {
    let d = this.decoders.get(key);
    if (d === undefined) {
      d = new PartitionDecoder(topic, partition, this.groupId, this.format, this.slab);
      this.decoders.set(key, d);
    }
    return d;
  }

  private async onBatch(b: ConsumedBatch): Promise<void> {
    // The loop below never awaits, so a stop or seek cannot happen during it: check once.
    if (!b.isRunning() || b.isStale()) return;
    const { topic, partition } = b;
    const key = tpKey(topic, partition);
    const next = this.next.get(key);
    // Offsets as numbers (exact below 2^53, as in positions): no BigInt per message.
    const floor = next === undefined ? -1 : Number(next);
    const decoder = this.decoder(topic, partition, key);
    const buffer = this.buffer;
    const ledger = this.ledger;
    let resolved: string | undefined;
    let last = -1;
    // A batch that fills the buffer is pushed whole (its messages are fetched and decoded
    // already; dropping the rest made kafkajs fetch and decode most of every fetch again, on
    // Kafka → Postgres). One that finds the buffer full stops at once. So the buffer holds at
    // most one partition's fetched batch more than bufferSize.
    const fullAtStart = buffer.full;
    let room: Promise<void> | undefined;
    for (const m of b.messages) {
      const offset = Number(m.offset);
      if (offset < floor) {
        resolved = m.offset; // already handed out before a consumer restart or rejoin
        continue;
      }
      const record = decoder.decode(m, offset);
      ledger.record(record.position);
      room = buffer.push(record) ?? room;
      last = offset;
      resolved = m.offset;
      // Found full: the rest of the batch is fetched again once the buffer drained to half.
      if (room !== undefined && fullAtStart) break;
    }
    if (room !== undefined) this.resumeWhenDrained(room, b.pause());
    if (last >= 0) {
      ledger.mark({ key, topic, partition, last });
      this.next.set(key, BigInt(last) + 1n);
    }
    if (resolved !== undefined) b.resolveOffset(resolved);
  }

  private resumeWhenDrained(room: Promise<void>, resume: () => void): void {
    room
      .then(() => {
        if (!this.closed) resume();
      })
      .catch((err: unknown) =>
        this.ctx.logger.warn('cannot resume a paused partition', {
          error: (err as Error).message,
        }),
      );
  }

  read(maxRecords: number, signal: AbortSignal): Promise<OpenCDCRecord[]> {
    return this.buffer.read(maxRecords, signal);
  }

  async ack(positions: readonly Position[]): Promise<void> {
    // Everything read before the last position is acked too (the Source contract): every batch
    // before it whole, and its own batch up to its offset.
    const at = this.ledger.ack(positions);
    this.ledger.release(this.ackRun);
    for (const pos of at === undefined ? positions : [at]) {
      const p = decodePosition(pos);
      this.markAcked({
        key: tpKey(p.topic, p.partition),
        topic: p.topic,
        partition: p.partition,
        offset: BigInt(p.offset),
      });
    }
    // Conduit's commit pacing: every commitOffsetsDelay (the timer), or once commitOffsetsSize
    // records were acked; a delay of 0 commits on every ack.
    this.ackedSinceCommit += positions.length;
    if (
      this.config.commitOffsetsDelay === 0 ||
      this.ackedSinceCommit >= this.config.commitOffsetsSize ||
      Date.now() - this.lastCommit >= this.config.commitOffsetsDelay
    )
      await this.flushLocked();
  }

  private readonly ackRun = (r: Run): void =>
    this.markAcked({ key: r.key, topic: r.topic, partition: r.partition, offset: BigInt(r.last) });

  private markAcked(d: { key: string; topic: string; partition: number; offset: bigint }): void {
    if (this.deleted.has(d.topic)) return; // its offsets went with it
    const cur = this.pending.get(d.key);
    if (cur === undefined || cur.offset <= d.offset)
      this.pending.set(d.key, { topic: d.topic, partition: d.partition, offset: d.offset + 1n });
  }

  private withLock<T>(f: () => Promise<T>): Promise<T> {
    const p = this.lock.then(f, f);
    this.lock = p.catch(() => undefined);
    return p;
  }

  private flushLocked(): Promise<boolean> {
    return this.withLock(() => this.flush());
  }

  /** Commits pending offsets; returns whether nothing remains pending. */
  private async flush(): Promise<boolean> {
    const consumer = this.consumer;
    if (this.pending.size === 0) return true;
    if (!consumer?.joined) return false;
    const batch = [...this.pending.values()];
    try {
      await consumer.commit(
        batch.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset.toString() })),
      );
    } catch (err) {
      this.ctx.logger.warn('offset commit deferred', { error: (err as Error).message });
      return false;
    }
    for (const p of batch) {
      const key = tpKey(p.topic, p.partition);
      if (this.pending.get(key)?.offset === p.offset) this.pending.delete(key);
    }
    this.ackedSinceCommit = 0;
    this.lastCommit = Date.now();
    return this.pending.size === 0;
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      await this.withLock(async () => {
        if (this.closed) return;
        await this.refreshTopics();
        await this.flush();
      });
    } catch (err) {
      this.ctx.logger.warn('topic refresh failed; retrying at the next interval', {
        error: (err as Error).message,
      });
    }
  }

  private async refreshTopics(): Promise<void> {
    const listed = new Set(await this.admin!.listTopics());
    const added = [...listed].filter((t) => this.matcher.matches(t) && !this.subscribed.has(t));
    const removed = [...this.subscribed].filter((t) => !listed.has(t));
    if (added.length === 0 && removed.length === 0) return;
    added.sort();
    this.ctx.logger.info('matching topics changed; resubscribing', { added, removed });
    if (this.running) {
      // Commit what can be committed while still a member, then restart with the new topics.
      await this.flush();
      await this.consumer!.stop();
      this.running = false;
    }
    if (removed.length > 0) {
      // A deleted topic makes kafkajs fail every fetch and a commit naming it fail whole; and a
      // kafkajs consumer cannot unsubscribe: forget the topic and replace the consumer.
      for (const t of removed) {
        this.subscribed.delete(t);
        this.deleted.add(t);
      }
      for (const [key, p] of this.pending) if (removed.includes(p.topic)) this.pending.delete(key);
      await this.consumer!.disconnect().catch(() => undefined);
      this.consumer = this.client!.consumer({ groupId: this.groupId });
      await this.consumer.connect();
      if (this.subscribed.size > 0)
        await this.consumer.subscribe([...this.subscribed], this.config.readFromBeginning);
    }
    if (added.length > 0) await this.consumer!.subscribe(added, true);
    for (const t of added) {
      this.subscribed.add(t);
      this.deleted.delete(t);
      // A re-created topic starts again at offset 0: forget the old positions.
      for (const key of [...this.next.keys()]) if (key.endsWith(`:${t}`)) this.next.delete(key);
    }
    if (this.subscribed.size > 0) await this.run();
  }

  /** The group's lag per subscribed partition (`metrics.ts`). */
  async metrics(): Promise<readonly SourceGauge[]> {
    if (!this.admin || this.closed) return [];
    return consumerLag(this.admin, this.groupId, [...this.subscribed].sort());
  }

  async teardown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.buffer.close();
    try {
      await this.lock;
      // Give a (re)joining consumer a moment so acked offsets get committed.
      const deadline = Date.now() + 10_000;
      while (this.running && !(await this.flush()) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      if (this.pending.size > 0)
        this.ctx.logger.warn('acked offsets could not be committed; those records are re-read', {
          partitions: [...this.pending.keys()],
        });
    } finally {
      await this.consumer?.disconnect().catch(() => undefined);
      await this.admin?.disconnect().catch(() => undefined);
    }
  }
}

/**
 * An error of joining or staying in the consumer group (no coordinator, a rebalance, an
 * unknown member or generation): with `retryGroupJoinErrors: false` it stops the source instead
 * of the consumer rejoining on its own.
 */
export function isGroupJoinError(err: Error): boolean {
  const type = (err as { type?: unknown }).type;
  return (
    err.name === 'KafkaJSGroupCoordinatorNotFound' ||
    (typeof type === 'string' &&
      /COORDINATOR|REBALANCE_IN_PROGRESS|UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION|MEMBER_ID_REQUIRED|GROUP_|INCONSISTENT_GROUP_PROTOCOL/.test(
        type,
      ))
  );
}
