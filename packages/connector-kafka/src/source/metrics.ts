/**
 * The source's gauges for the runtime's `/metrics` (the sdk's optional `Source.metrics`): the
 * consumer group's lag per partition, i.e. the high watermark minus the group's committed offset.
 * The source commits only what the pipeline acknowledged, so this is the number of messages not
 * yet durably written downstream (plus those in flight).
 */
import type { SourceGauge } from '@opencdc-ts/sdk';
import type { KafkaAdmin } from '../client/index.js';

export async function consumerLag(
  admin: KafkaAdmin,
  groupId: string,
  topics: readonly string[],
): Promise<SourceGauge[]> {
  if (topics.length === 0) return [];
  const committed = new Map<string, bigint>();
  for (const c of await admin.committedOffsets(groupId, topics))
    committed.set(`${c.topic}/${c.partition}`, BigInt(c.offset));
  const out: SourceGauge[] = [];
  for (const topic of topics) {
    for (const p of await admin.latestOffsets(topic)) {
      const at = committed.get(`${topic}/${p.partition}`) ?? -1n;
      // No commit yet (`-1`): the group has acknowledged nothing on it, so everything is behind
      // (counted from 0; a topic whose start was deleted by retention shows more than it holds).
      const lag = BigInt(p.offset) - (at < 0n ? 0n : at);
      out.push({
        name: 'kafka_consumer_lag_messages',
        help: 'Messages of the partition after the consumer group committed offset (high watermark - committed)',
        value: Number(lag < 0n ? 0n : lag),
        labels: { group: groupId, topic, partition: String(p.partition) },
      });
    }
  }
  return out;
}
