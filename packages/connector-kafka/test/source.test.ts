import type { Source } from '@opencdc-ts/sdk';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { decodePosition } from '../src/source/position.js';
import {
  createTopics,
  ctx,
  kafka,
  produce,
  readFor,
  readN,
  source,
  text,
  unique,
} from './helpers.js';

const versions = [
  ['4.x', () => inject('kafkaBrokers')],
  ['3.9', () => inject('kafka39Brokers')],
] as const;

describe.each(versions)('kafka source (Kafka %s)', (_name, brokersOf) => {
  const open: Source[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.teardown().catch(() => undefined);
  });
  const start = async (settings: { [k: string]: string }, c = ctx()) => {
    const s = source(settings, c);
    open.push(s);
    await s.open(undefined);
    return s;
  };

  it('reads three topics plus a pattern, and picks up a topic created mid-run', async () => {
    const brokers = brokersOf();
    const p = unique('src');
    const topics = [`${p}.a`, `${p}.b`, `${p}.c`];
    await createTopics(brokers, [...topics, `${p}.pat.one`]);
    for (const t of [...topics, `${p}.pat.one`])
      await produce(
        brokers,
        t,
        [1, 2, 3].map((i) => ({ key: `k${i}`, value: `${t}:${i}`, headers: { h: `v${i}` } })),
      );
    const src = await start({
      servers: brokers.join(','),
      topics: `${topics.join(',')},/^${p.replaceAll('-', '\\-')}\\.pat\\..*/`,
      readFromBeginning: 'true',
      topicRefreshInterval: '300ms',
    });
    const first = await readN(src, 12);
    const byTopic = new Map<string, string[]>();
    for (const r of first) {
      const c = r.metadata.getCollection()!;
      byTopic.set(c, [...(byTopic.get(c) ?? []), text(r.payload.after)]);
    }
    for (const t of [...topics, `${p}.pat.one`])
      expect(byTopic.get(t)).toEqual([`${t}:1`, `${t}:2`, `${t}:3`]);
    const r0 = first[0]!;
    expect(r0.operation).toBe('create');
    expect(r0.metadata.get('kafka.header.h')).toBe('v1');
    expect(BigInt(r0.metadata.get('opencdc.createdAt')!)).toBeGreaterThan(10n ** 18n);
    expect(text(r0.key)).toBe('k1');
    expect(decodePosition(r0.position).offset).toBe(0);

    // A topic created after open that matches the pattern, and one that doesn't.
    const late = `${p}.pat.late`;
    await createTopics(brokers, [late, `${p}.other`]);
    await produce(brokers, late, [{ value: 'late-1' }, { value: 'late-2' }]);
    await produce(brokers, `${p}.other`, [{ value: 'nope' }]);
    const more = await readN(src, 2, 60_000);
    expect(more.map((r) => r.metadata.getCollection())).toEqual([late, late]);
    expect(more.map((r) => text(r.payload.after))).toEqual(['late-1', 'late-2']);
    // Existing topics keep flowing after the resubscription, without duplicates.
    await produce(brokers, topics[0]!, [{ value: 'after' }]);
    const after = await readN(src, 1);
    expect(text(after[0]!.payload.after)).toBe('after');
    expect(await readFor(src, 1500)).toEqual([]);
  });

  it('after a crash between read and ack, re-reads exactly the unacked records', async () => {
    const brokers = brokersOf();
    const p = unique('crash');
    await createTopics(brokers, [`${p}.a`, `${p}.b`], 2);
    for (const t of [`${p}.a`, `${p}.b`])
      await produce(
        brokers,
        t,
        Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `${t}:${i}` })),
      );
    const settings = {
      servers: brokers.join(','),
      topics: `${p}.a,${p}.b`,
      groupID: `${p}-group`,
      readFromBeginning: 'true',
    };
    const a = await start(settings);
    const read = await readN(a, 20);
    // Ack the first 8 records by acking the 8th position only (acks cover what was read before).
    await a.ack([read[7]!.position]);
    await a.teardown(); // crash: the rest was never acked
    open.splice(open.indexOf(a), 1);

    const b = await start(settings);
    const again = await readN(b, 12);
    const values = (rs: typeof read) => rs.map((r) => text(r.payload.after)).sort();
    expect(values(again)).toEqual(values(read.slice(8)));
    expect(await readFor(b, 1500)).toEqual([]);
    // Ack everything; a third instance reads nothing old, only new records.
    await b.ack(again.map((r) => r.position));
    await b.teardown();
    open.splice(open.indexOf(b), 1);
    const c = await start(settings);
    await produce(brokers, `${p}.a`, [{ value: 'new' }]);
    const fresh = await readN(c, 1);
    expect(text(fresh[0]!.payload.after)).toBe('new');
    expect(await readFor(c, 1000)).toEqual([]);
  });

  it('applies backpressure with a small buffer and loses or repeats nothing', async () => {
    const brokers = brokersOf();
    const t = unique('bp');
    await createTopics(brokers, [t], 3);
    await produce(
      brokers,
      t,
      Array.from({ length: 120 }, (_, i) => ({ key: `k${i % 7}`, value: String(i) })),
    );
    const src = await start({
      servers: brokers.join(','),
      topics: t,
      readFromBeginning: 'true',
      bufferSize: '10',
    });
    const got: number[] = [];
    while (got.length < 120) {
      const batch = await src.read(4, AbortSignal.timeout(30_000));
      got.push(...batch.map((r) => Number(text(r.payload.after))));
      await src.ack(batch.map((r) => r.position));
    }
    expect(got.sort((x, y) => x - y)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(await readFor(src, 1000)).toEqual([]);
  });

  it('starts with no matching topic and reads the first one created', async () => {
    const brokers = brokersOf();
    const p = unique('empty');
    const src = await start({
      servers: brokers.join(','),
      topics: `${p}.named,/^${p.replaceAll('-', '\\-')}\\.x\\..*/`,
      topicRefreshInterval: '300ms',
    });
    expect(await readFor(src, 500)).toEqual([]);
    await createTopics(brokers, [`${p}.x.1`, `${p}.named`]);
    await produce(brokers, `${p}.x.1`, [{ value: 'one' }]);
    await produce(brokers, `${p}.named`, [{ value: 'two' }]);
    const got = await readN(src, 2, 60_000);
    expect(got.map((r) => text(r.payload.after)).sort()).toEqual(['one', 'two']);
  });

  it('keeps reading the other topics when a matched topic is deleted', async () => {
    const brokers = brokersOf();
    const p = unique('del');
    await createTopics(brokers, [`${p}.a`, `${p}.b`]);
    await produce(brokers, `${p}.a`, [{ value: 'a1' }]);
    await produce(brokers, `${p}.b`, [{ value: 'b1' }]);
    const src = await start({
      servers: brokers.join(','),
      topics: `/^${p.replaceAll('-', '\\-')}\\..*/`,
      readFromBeginning: 'true',
      topicRefreshInterval: '300ms',
    });
    const first = await readN(src, 2);
    await src.ack(first.map((r) => r.position));
    const admin = kafka(brokers).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [`${p}.b`] });
    await admin.disconnect();
    await new Promise((r) => setTimeout(r, 1500));
    await produce(brokers, `${p}.a`, [{ value: 'a2' }]);
    const more = await readN(src, 1, 60_000);
    expect(text(more[0]!.payload.after)).toBe('a2');
    await src.ack(more.map((r) => r.position));
  });

  it('readFromBeginning=false starts at the end as of open', async () => {
    const brokers = brokersOf();
    const t = unique('latest');
    await createTopics(brokers, [t]);
    await produce(brokers, t, [{ value: 'old' }]);
    const src = await start({ servers: brokers.join(','), topics: t });
    await produce(brokers, t, [{ value: 'new' }]);
    const r = await readN(src, 1);
    expect(text(r[0]!.payload.after)).toBe('new');
  });

  it('names the servers and the fix when no broker is reachable', async () => {
    const s = source({ servers: '127.0.0.1:1', topics: 'x' });
    open.push(s);
    await expect(s.open(undefined)).rejects.toThrow(
      /127\.0\.0\.1:1.*Fix: check that the brokers run/,
    );
  });
});

describe('kafka connection errors (Kafka 4.x)', () => {
  it('tls.enabled against a plaintext listener is a configuration error naming tls.enabled', async () => {
    const s = source({
      servers: inject('kafkaBrokers').join(','),
      topics: 'x',
      'tls.enabled': 'true',
    });
    await expect(s.open(undefined)).rejects.toMatchObject({
      name: 'ConfigError',
      parameter: 'tls.enabled',
    });
    await s.teardown();
  });

  it('SASL against a listener without SASL is a configuration error naming saslMechanism', async () => {
    const s = source({
      servers: inject('kafkaBrokers').join(','),
      topics: 'x',
      saslMechanism: 'SCRAM-SHA-512',
      saslUsername: 'u',
      saslPassword: 'p',
    });
    await expect(s.open(undefined)).rejects.toMatchObject({
      name: 'ConfigError',
      parameter: 'saslMechanism',
    });
    await s.teardown();
  });

  it('rejects incomplete SASL and TLS settings before connecting', () => {
    expect(() => source({ servers: 'h:1', topics: 'x', saslUsername: 'u' })).toThrow(
      /saslPassword/,
    );
    expect(() =>
      source({ servers: 'h:1', topics: 'x', clientCert: '-----BEGIN CERTIFICATE-----' }),
    ).toThrow(/clientKey/);
    expect(() => source({ servers: 'h:1', topics: 'x', caCert: '/nonexistent.pem' })).toThrow(
      /caCert.*readable PEM file/,
    );
  });
});
