import { randomUUID } from 'node:crypto';
import { KAFKA_VERSIONS, waitFor } from '@opencdc-ts/testing';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';

describe.each([
  { version: KAFKA_VERSIONS.v4, brokers: () => inject('kafkaBrokers') },
  { version: KAFKA_VERSIONS.v3, brokers: () => inject('kafka39Brokers') },
])('throwaway Kafka $version', ({ brokers }) => {
  it('produces and consumes a message', async () => {
    const kafka = new Kafka({
      clientId: 'opencdc-testing',
      brokers: brokers(),
      logLevel: logLevel.WARN,
    });
    const topic = `testing-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    // A short fetch wait: disconnect() waits for the in-flight fetch (default up to 5 s).
    const consumer = kafka.consumer({ groupId: `testing-${randomUUID()}`, maxWaitTimeInMs: 200 });
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k1', value: 'hello kafka' }] });

      const received: { key: string | undefined; value: string | undefined }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: message.key?.toString(), value: message.value?.toString() });
        },
      });
      await waitFor(() => received.length > 0, { timeout: 60_000, description: 'the message' });
      expect(received).toEqual([{ key: 'k1', value: 'hello kafka' }]);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
});
