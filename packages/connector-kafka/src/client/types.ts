/**
 * The small Kafka client interface the connector is written against. Only `kafkajs.ts`
 * touches a driver; another client (e.g. a librdkafka binding) implements these interfaces
 * and plugs in through `createClient`.
 */

export interface TlsSettings {
  /** PEM: CA bundle to trust (undefined: the system roots). */
  ca?: string | undefined;
  /** PEM: client certificate and key for mutual TLS. */
  cert?: string | undefined;
  key?: string | undefined;
  /** Accept any server certificate (testing only). */
  insecureSkipVerify: boolean;
}

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface SaslSettings {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface ClientSettings {
  /** `host:port` of each bootstrap broker. */
  brokers: readonly string[];
  clientId: string;
  tls?: TlsSettings | undefined;
  sasl?: SaslSettings | undefined;
  /** Time to establish a connection, ms. */
  connectionTimeoutMs?: number | undefined;
  /** Time for one request, ms. */
  requestTimeoutMs?: number | undefined;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topics; one that already exists is not an error. */
  createTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** The group's committed offset per partition (`-1`: none). */
  committedOffsets(
    groupId: string,
    topics: readonly string[],
  ): Promise<{ topic: string; partition: number; offset: string }[]>;
  /** The high watermark (offset of the next message) per partition of a topic. */
  latestOffsets(topic: string): Promise<{ partition: number; offset: string }[]>;
}

export type Acks = 'none' | 'one' | 'all';
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface OutgoingMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: { [name: string]: Buffer } | undefined;
}

export interface ProducerSettings {
  acks: Acks;
  compression: Compression;
  /** Idempotent producer: no duplicates or reordering across retries. Needs acks=all. */
  idempotent: boolean;
  allowAutoTopicCreation: boolean;
  /** Upper bound for one send including retries, ms. */
  deliveryTimeoutMs: number;
}

export interface KafkaProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Sends the messages (grouped by topic, in order) and resolves when the broker acked per `acks`. */
  send(batch: readonly { topic: string; messages: readonly OutgoingMessage[] }[]): Promise<void>;
}

export interface ConsumedMessage {
  offset: string;
  /** Milliseconds since the epoch, as text. */
  timestamp: string;
  /** Views into the fetch response: copy what is kept. */
  key?: Buffer | null;
  value: Buffer | null;
  /** Absent or empty for most messages. */
  headers?: { [name: string]: Buffer | string | (Buffer | string)[] | undefined };
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: readonly ConsumedMessage[];
  /** Marks `offset` as processed locally: the next fetch starts after it (no commit). */
  resolveOffset(offset: string): void;
  /** Pauses fetching this partition; returns the function that resumes it. */
  pause(): () => void;
  /** False once the consumer stops or rebalances: abandon the batch. */
  isRunning(): boolean;
  /** True when a seek made this batch obsolete. */
  isStale(): boolean;
}

export interface ConsumerSettings {
  groupId: string;
}

export interface ConsumerEvents {
  /** The consumer joined the group (committing is possible). */
  onJoin?(assignment: { [topic: string]: number[] }): void;
  /** The consumer left the group (stop, rebalance, crash): commits fail until the next join. */
  onLeave?(): void;
  /** The consumer crashed; `restarting` tells whether the client retries on its own. */
  onCrash?(error: Error, restarting: boolean): void;
}

export interface KafkaConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Adds topics to the subscription; only while stopped. */
  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void>;
  run(eachBatch: (batch: ConsumedBatch) => Promise<void>, events: ConsumerEvents): Promise<void>;
  stop(): Promise<void>;
  /** Moves the fetch position of an assigned partition (only while running). */
  seek(topic: string, partition: number, offset: string): void;
  /** True between a join and the next leave. */
  readonly joined: boolean;
  /**
   * Commits the offsets (the NEXT offset to read per partition). Throws when the consumer is
   * not a member of the group (a commit is never silently dropped).
   */
  commit(offsets: readonly { topic: string; partition: number; offset: string }[]): Promise<void>;
}

export interface KafkaClient {
  admin(): KafkaAdmin;
  producer(settings: ProducerSettings): KafkaProducer;
  consumer(settings: ConsumerSettings): KafkaConsumer;
}
