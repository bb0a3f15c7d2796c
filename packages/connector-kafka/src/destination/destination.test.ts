import { createRecord, type StructuredData } from '@opencdc-ts/commons';
import { RecordError } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import type { KafkaClient, KafkaProducer, OutgoingMessage } from '../client/types.js';
import { destinationConfig } from './config.js';
import { KafkaDestination } from './destination.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A client whose producer only records what it was asked to send. */
function fakeClient() {
  const sent: { topic: string; value: string }[] = [];
  const producer: KafkaProducer = {
    connect: async () => {},
    disconnect: async () => {},
    send: async (batch) => {
      for (const { topic, messages } of batch)
        for (const m of messages as OutgoingMessage[])
          sent.push({ topic, value: m.value?.toString() ?? '' });
    },
  };
  const client: KafkaClient = {
    admin: () => {
      throw new Error('unused');
    },
    consumer: () => {
      throw new Error('unused');
    },
    producer: () => producer,
  };
  return { client, sent };
}

function nested(levels: number): StructuredData {
  const root: StructuredData = {};
  let cur = root;
  for (let i = 1; i < levels; i++) {
    const next: StructuredData = {};
    cur.a = next;
    cur = next;
  }
  return root;
}

const rec = (id: number, after: StructuredData) =>
  createRecord({
    position: new TextEncoder().encode(String(id)),
    metadata: { 'opencdc.collection': 't' },
    key: { id },
    after: { id, ...after },
  });

describe.each(['opencdc', 'payload'])('KafkaDestination (valueFormat %s)', (valueFormat) => {
  it('a record nested 20,000 deep is a RecordError naming the limit; the records before it are sent', async () => {
    const f = fakeClient();
    const config = destinationConfig.parse({ servers: 'h:1', valueFormat });
    const d = new KafkaDestination(config, { connectorId: 'p:kafka', logger }, () => f.client);
    await d.open();
    const records = [rec(0, {}), rec(1, {}), rec(2, { deep: nested(20_000) }), rec(3, {})];
    const err = await d.write(records).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).index).toBe(2);
    expect((err as RecordError).message).toMatch(
      /^record 2: payload\.after\.deep\.a\.a.*nested more than 1000 objects\/arrays deep/,
    );
    expect(
      f.sent.map((m) => JSON.parse(m.value).id ?? JSON.parse(m.value).payload.after.id),
    ).toEqual([0, 1]);
    // The runtime then writes the rest.
    await d.write(records.slice(3));
    expect(f.sent).toHaveLength(3);
    await d.teardown();
  });

  it('prepare encodes ahead: the write sends the same messages, and the same record error, as without it', async () => {
    const records = [rec(0, {}), rec(1, {}), rec(2, { deep: nested(2_000) }), rec(3, {})];
    const sentBy = async (prepare: boolean) => {
      const f = fakeClient();
      const config = destinationConfig.parse({ servers: 'h:1', valueFormat });
      const d = new KafkaDestination(config, { connectorId: 'p:kafka', logger }, () => f.client);
      await d.open();
      if (prepare) d.prepare(records);
      const err = await d.write(records).then(
        () => undefined,
        (e: unknown) => e as RecordError,
      );
      // Written once: writing the same array again encodes it anew (nothing kept).
      await d.write(records.slice(0, 2));
      await d.teardown();
      return { sent: f.sent, index: err?.index, message: err?.message };
    };
    const ahead = await sentBy(true);
    expect(ahead).toEqual(await sentBy(false));
    expect(ahead.index).toBe(2);
    expect(ahead.sent).toHaveLength(4);
  });
});
