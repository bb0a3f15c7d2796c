import type { Logger } from '@opencdc-ts/sdk';
import type { Admin, Consumer, Kafka, KafkaConfig, LogEntry, Message, Producer } from 'kafkajs';
import { registerCodecs } from './codecs.js';
import { patchedKafkajs } from './kafkajs-fixes.js';
import type {
  ClientSettings,
  ConsumedBatch,
  ConsumerEvents,
  ConsumerSettings,
  KafkaAdmin,
  KafkaClient,
  KafkaConsumer,
  KafkaProducer,
  OutgoingMessage,
  ProducerSettings,
  TopicSpec,
} from './types.js';

/** The kafkajs implementation of the client interface. */
export function createKafkaJsClient(settings: ClientSettings, logger: Logger): KafkaClient {
  // Our private copy of kafkajs with its fixes (see kafkajs-fixes.ts); other users of kafkajs in
  // the process keep the package as published.
  const { kafkajs } = patchedKafkajs();
  const { Kafka, logLevel } = kafkajs;
  registerCodecs(kafkajs);
  const config: KafkaConfig = {
    brokers: [...settings.brokers],
    clientId: settings.clientId,
    connectionTimeout: settings.connectionTimeoutMs ?? 5_000,
    requestTimeout: settings.requestTimeoutMs ?? 30_000,
    // Route kafkajs' own logging to the connector logger instead of the console.
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => forwardLog(logger, entry),
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
  };
  if (settings.tls) {
    config.ssl = {
      ca: settings.tls.ca,
      cert: settings.tls.cert,
      key: settings.tls.key,
      rejectUnauthorized: !settings.tls.insecureSkipVerify,
    };
  }
  if (settings.sasl) {
    const { username, password } = settings.sasl;
    config.sasl =
      settings.sasl.mechanism === 'PLAIN'
        ? { mechanism: 'plain', username, password }
        : settings.sasl.mechanism === 'SCRAM-SHA-256'
          ? { mechanism: 'scram-sha-256', username, password }
          : { mechanism: 'scram-sha-512', username, password };
  }
  const kafka = new Kafka(config);
  return {
    admin: () => new KafkaJsAdmin(kafka.admin()),
    producer: (p) => new KafkaJsProducer(kafka, p),
    consumer: (c) => new KafkaJsConsumer(kafka, c),
  };
}

/**
 * kafkajs logs what it retries on its own (coordinator loading, an unknown topic-partition at the
 * first produce, every failed reconnect with its stack) as warnings and errors. A failure that
 * matters reaches us as an exception from the call, which the runtime reports and retries, so its
 * log lines are debug detail: at the default level a broker outage is one retry line per attempt
 * from the runtime, not dozens of stack traces. Connection trouble is also reported to the
 * runtime as "retrying" through `onRetrying`.
 */
function forwardLog(logger: Logger, entry: LogEntry, onRetrying?: (reason: string) => void): void {
  const { logLevel } = patchedKafkajs().kafkajs;
  const { message, ...fields } = entry.log;
  if (
    entry.level === logLevel.ERROR &&
    onRetrying &&
    /connect|ECONN|ETIMEDOUT|EHOST/i.test(`${message} ${String(fields.error ?? '')}`)
  )
    onRetrying(`kafka: ${String(fields.error ?? message)}`);
  logger.debug(`kafkajs ${entry.namespace}: ${message}`, fields);
}

class KafkaJsAdmin implements KafkaAdmin {
  constructor(private readonly admin: Admin) {}
  connect(): Promise<void> {
    return this.admin.connect();
  }
  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }
  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }
  async createTopics(topics: readonly TopicSpec[]): Promise<void> {
    // Returns false (no error) for topics that already exist.
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
      })),
    });
  }
  async committedOffsets(
    groupId: string,
    topics: readonly string[],
  ): Promise<{ topic: string; partition: number; offset: string }[]> {
    const res = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
    return res.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })),
    );
  }
  async latestOffsets(topic: string): Promise<{ partition: number; offset: string }[]> {
    const res = await this.admin.fetchTopicOffsets(topic);
    return res.map((p) => ({ partition: p.partition, offset: p.high }));
  }
}

const ACKS = { none: 0, one: 1, all: -1 } as const;
/** kafkajs' `CompressionTypes` (the same numbers in every copy of it). */
const COMPRESSION = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

class KafkaJsProducer implements KafkaProducer {
  private readonly producer: Producer;
  constructor(
    kafka: Kafka,
    private readonly settings: ProducerSettings,
  ) {
    this.producer = kafka.producer({
      // Java-compatible murmur2: a key lands on the partition Java clients would pick. A topic
      // of one partition needs no hash (it was ~2.5 % of a pipeline's CPU).
      createPartitioner: () => {
        const murmur2 = patchedKafkajs().kafkajs.Partitioners.DefaultPartitioner();
        return (args) =>
          args.partitionMetadata.length === 1
            ? args.partitionMetadata[0]!.partitionId
            : murmur2(args);
      },
      idempotent: settings.idempotent,
      // One request in flight per broker: with retries, records of a key can never overtake
      // each other (kafkajs' idempotent producer requires it as well).
      maxInFlightRequests: 1,
      allowAutoTopicCreation: settings.allowAutoTopicCreation,
      retry: { retries: 8, maxRetryTime: Math.max(1_000, settings.deliveryTimeoutMs / 4) },
    });
  }
  connect(): Promise<void> {
    return this.producer.connect();
  }
  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
  async send(
    batch: readonly { topic: string; messages: readonly OutgoingMessage[] }[],
  ): Promise<void> {
    await this.producer.sendBatch({
      acks: ACKS[this.settings.acks],
      timeout: this.settings.deliveryTimeoutMs,
      compression: COMPRESSION[this.settings.compression],
      // The messages as they are (kafkajs only reads them): no object per message.
      topicMessages: batch.map((b) => ({ topic: b.topic, messages: b.messages as Message[] })),
    });
  }
}

class KafkaJsConsumer implements KafkaConsumer {
  private readonly consumer: Consumer;
  private events: ConsumerEvents = {};
  private member = false;

  constructor(kafka: Kafka, settings: ConsumerSettings) {
    this.consumer = kafka.consumer({
      groupId: settings.groupId,
      // Topics are discovered by the source itself; never create one by subscribing.
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 3_000,
      // A fetch returns as soon as any data is there (minBytes 1: no added latency when records
      // trickle in) and waits at most maxWaitTimeInMs when there is none.
      minBytes: 1,
      maxWaitTimeInMs: 500,
      // Small fetches. The limits count compressed bytes: 1 MB of snappy OpenCDC JSON is ~5 MB
      // decompressed, decoded by kafkajs at once into a message object per record, and a batch
      // that fills the source's buffer is kept whole. So 1 MB per partition (10 MB per fetch)
      // held ~150 MB more at the peak of Kafka → Postgres (W3, 4 topics: 424 → 301 MB RSS) and
      // was slower (28k → 33k rec/s, less GC). 512 KB per fetch still is ~2.5 MB of records per
      // round trip; a record batch larger than a limit is still returned whole (KIP-74).
      maxBytesPerPartition: 128 * 1024,
      maxBytes: 512 * 1024,
    });
    const { GROUP_JOIN, REBALANCING, STOP, CRASH, DISCONNECT } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      this.member = true;
      this.events.onJoin?.(e.payload.memberAssignment);
    });
    const leave = () => {
      this.member = false;
      this.events.onLeave?.();
    };
    this.consumer.on(REBALANCING, leave);
    this.consumer.on(STOP, leave);
    this.consumer.on(DISCONNECT, leave);
    this.consumer.on(CRASH, (e) => {
      leave();
      this.events.onCrash?.(e.payload.error, e.payload.restart);
    });
  }

  get joined(): boolean {
    return this.member;
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }
  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }
  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void> {
    return this.consumer.subscribe({ topics: [...topics], fromBeginning });
  }
  async run(
    eachBatch: (batch: ConsumedBatch) => Promise<void>,
    events: ConsumerEvents,
  ): Promise<void> {
    this.events = events;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (p) =>
        eachBatch({
          topic: p.batch.topic,
          partition: p.batch.partition,
          // kafkajs' messages as they are (no object per message): the shapes match.
          messages: p.batch.messages,
          resolveOffset: p.resolveOffset,
          pause: p.pause,
          isRunning: p.isRunning,
          isStale: p.isStale,
        }),
    });
  }
  stop(): Promise<void> {
    return this.consumer.stop();
  }
  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }
  async commit(
    offsets: readonly { topic: string; partition: number; offset: string }[],
  ): Promise<void> {
    // kafkajs silently skips a commit while its runner is stopped: refuse instead.
    if (!this.member)
      throw new Error('not a member of the consumer group (rebalancing or stopped)');
    await this.consumer.commitOffsets([...offsets]);
    if (!this.member) throw new Error('left the consumer group while committing');
  }
}
