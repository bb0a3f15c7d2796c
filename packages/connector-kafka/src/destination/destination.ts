import type { OpenCDCRecord } from '@opencdc-ts/commons';
import {
  type ConnectorContext,
  compileRouter,
  type Destination,
  RecordError,
  type Router,
  TransientError,
} from '@opencdc-ts/sdk';
import { classifyConnectError, kafkaErrorType } from '../client/errors.js';
import {
  type Compression,
  createClient,
  type KafkaAdmin,
  type KafkaProducer,
  type OutgoingMessage,
} from '../client/index.js';
import { clientSettings } from '../config/common.js';
import { kafkaTopicName } from '../topic-name.js';
import type { DestinationConfig } from './config.js';
import { type DestinationValueFormat, messageSize, toMessage } from './encode.js';

interface Pending {
  topic: string;
  message: OutgoingMessage;
  index: number;
}

/** A batch's messages, and the record error that ends it (if one does). */
interface Encoded {
  pending: Pending[];
  failure: RecordError | undefined;
}

/** Kafka error types that mean "this record's topic cannot exist" (not transient). */
const BAD_TOPIC = new Set([
  'INVALID_TOPIC_EXCEPTION',
  'POLICY_VIOLATION',
  'TOPIC_AUTHORIZATION_FAILED',
]);

/** Kafka errors that belong to one record (when the request holds only that one). */
const PER_RECORD = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_RECORD',
]);

/**
 * Writes each record to the topic its route names, in order. Routes are computed for the whole
 * batch first; a record that cannot be routed ends the batch: the records before it are sent
 * and acknowledged, then a `RecordError` with its index is thrown.
 */
export class KafkaDestination implements Destination {
  private readonly router: Router;
  private readonly format: DestinationValueFormat;
  private producer: KafkaProducer | undefined;
  private admin: KafkaAdmin | undefined;
  /** Topics known to exist (explicit topic creation). */
  private readonly known = new Set<string>();

  constructor(
    private readonly config: DestinationConfig,
    private readonly ctx: ConnectorContext,
    private readonly makeClient: typeof createClient = createClient,
  ) {
    this.router = compileRouter({
      parameter: 'topic',
      template: config.topic,
      validateName: kafkaTopicName,
    });
    this.format = config.valueFormat as DestinationValueFormat;
    clientSettings(config); // validates certificates and SASL settings at configure time
  }

  private get servers(): string {
    return this.config.servers.join(',');
  }

  async open(): Promise<void> {
    const client = this.makeClient(clientSettings(this.config), this.ctx.logger);
    const acks = this.config.acks as 'none' | 'one' | 'all';
    this.producer = client.producer({
      acks,
      compression: this.config.compression as Compression,
      idempotent: acks === 'all',
      allowAutoTopicCreation: this.config.topicCreation === 'auto',
      deliveryTimeoutMs: this.config.deliveryTimeout,
    });
    try {
      if (this.config.topicCreation === 'explicit') {
        this.admin = client.admin();
        await this.admin.connect();
        for (const t of await this.admin.listTopics()) this.known.add(t);
      }
      await this.producer.connect();
    } catch (err) {
      throw classifyConnectError(err, this.servers);
    }
  }

  /** Batches encoded ahead by `prepare`, by array (a batch is written once, then dropped). */
  private readonly prepared = new WeakMap<readonly OpenCDCRecord[], Encoded>();

  /** Encodes and routes the batch now, while the previous write waits for the broker. */
  prepare(records: readonly OpenCDCRecord[]): void {
    this.prepared.set(records, this.encode(records));
  }

  /** The messages of a batch up to its first record that cannot be routed or encoded. */
  private encode(records: readonly OpenCDCRecord[]): Encoded {
    const pending: Pending[] = [];
    const fixed = this.router.staticRoute;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      try {
        const topic = fixed ?? this.router.route(r);
        pending.push({ topic, message: toMessage(r, this.format), index: i });
      } catch (err) {
        const failure = new RecordError(`record ${i}: ${(err as Error).message}`, i, {
          cause: err,
        });
        return { pending, failure };
      }
    }
    return { pending, failure: undefined };
  }

  async write(records: readonly OpenCDCRecord[]): Promise<void> {
    const ahead = this.prepared.get(records);
    if (ahead) this.prepared.delete(records);
    const encoded = ahead ?? this.encode(records);
    const pending = encoded.pending;
    let failure = encoded.failure;
    if (this.admin) {
      const created = await this.createMissing(pending);
      if (created) {
        pending.splice(pending.findIndex((p) => p.index === created.index));
        failure = created;
      }
    }
    await this.send(pending);
    if (failure) throw failure;
  }

  /** Creates topics not known to exist; a topic Kafka refuses fails its first record. */
  private async createMissing(pending: readonly Pending[]): Promise<RecordError | undefined> {
    const missing = new Map<string, number>();
    for (const p of pending)
      if (!this.known.has(p.topic) && !missing.has(p.topic)) missing.set(p.topic, p.index);
    for (const [topic, index] of missing) {
      try {
        await this.admin!.createTopics([
          {
            topic,
            partitions: this.config['topic.partitions'],
            replicationFactor: this.config['topic.replicationFactor'],
          },
        ]);
        this.known.add(topic);
        this.ctx.logger.info('created topic', { topic });
      } catch (err) {
        const type = kafkaErrorType(err);
        if (type === 'TOPIC_ALREADY_EXISTS') {
          this.known.add(topic);
          continue;
        }
        if (type !== undefined && BAD_TOPIC.has(type))
          return new RecordError(
            `record ${index}: cannot create topic "${topic}": ${type}`,
            index,
            {
              cause: err,
            },
          );
        throw classifyConnectError(err, this.servers);
      }
    }
    return undefined;
  }

  /** Sends in order, in requests of at most `batchBytes`. */
  private async send(pending: readonly Pending[]): Promise<void> {
    let start = 0;
    while (start < pending.length) {
      let bytes = 0;
      let end = start;
      while (end < pending.length) {
        const size = messageSize(pending[end]!.message);
        if (end > start && bytes + size > this.config.batchBytes) break;
        bytes += size;
        end++;
      }
      const byTopic = new Map<string, OutgoingMessage[]>();
      for (let i = start; i < end; i++) {
        const p = pending[i]!;
        const list = byTopic.get(p.topic);
        if (list) list.push(p.message);
        else byTopic.set(p.topic, [p.message]);
      }
      try {
        await this.producer!.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      } catch (err) {
        const type = kafkaErrorType(err);
        if (type !== undefined && PER_RECORD.has(type)) {
          if (end - start === 1)
            throw new RecordError(
              `record ${pending[start]!.index}: Kafka refused it: ${type}${type === 'MESSAGE_TOO_LARGE' ? ` (${messageSize(pending[start]!.message)} bytes; see the broker's message.max.bytes)` : ''}`,
              pending[start]!.index,
              { cause: err },
            );
          // One record spoiled the request: send this chunk one record at a time, so the ones
          // before it are written and it fails alone with its index (others in the failed
          // request may be written twice: at-least-once).
          for (let i = start; i < end; i++) await this.send([pending[i]!]);
          start = end;
          continue;
        }
        const e = classifyConnectError(err, this.servers);
        throw e instanceof TransientError
          ? new TransientError(
              `${e.message}${type === 'UNKNOWN_TOPIC_OR_PARTITION' ? ' (a topic does not exist and the broker does not create it: set topicCreation=explicit)' : ''}`,
              { cause: err },
            )
          : e;
      }
      start = end;
    }
  }

  async teardown(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
