import { randomUUID } from 'node:crypto';
import { createTestDatabase, freePort } from '@opencdc-ts/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, type RunningHttp, runWithHttp, sample } from './http-helpers.js';

const get = async (url: string) => {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text: await res.text(),
  };
};
const json = async <T>(url: string): Promise<T> => JSON.parse((await get(url)).text) as T;

interface PipelineJson {
  id: string;
  state: { status: string; error: string };
  connectorIds: string[];
  stats?: {
    status: string;
    ready: boolean;
    recordsRead: number;
    recordsWritten: number;
    collections: { collection: string; read: number; written: number; lagMs: number | null }[];
  };
}

describe('opencdc run --http against running pipelines (Postgres, Kafka, generator)', () => {
  const suffix = randomUUID().slice(0, 8);
  const slot = `http_${suffix}`;
  const topic = `http-${suffix}`;
  let db: string;
  let client: pg.Client;
  let run: RunningHttp;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgUrl'), 'cli_http');
    client = new pg.Client({ connectionString: db });
    await client.connect();
    await client.query('CREATE TABLE items (id int PRIMARY KEY, name text)');
    await client.query("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 30) g");
    const brokers = inject('kafkaBrokers');
    run = await runWithHttp(`version: "2.2"
pipelines:
  - id: pg-to-log
    description: Postgres items to the log
    connectors:
      - id: pg
        type: source
        plugin: builtin:postgres
        settings: { url: "${db}", tables: items, logrepl.slotName: ${slot} }
      - { id: log, type: destination, plugin: builtin:log, settings: { level: debug } }
  - id: gen-to-kafka
    connectors:
      - id: gen
        type: source
        plugin: builtin:generator
        settings: { recordCount: "40", format.options.id: int }
      - { id: kafka, type: destination, plugin: builtin:kafka, settings: { servers: "${brokers}", topic: ${topic} } }
  - id: kafka-to-log
    connectors:
      - id: kafka
        type: source
        plugin: builtin:kafka
        settings: { servers: "${brokers}", topics: ${topic}, readFromBeginning: "true", topicRefreshInterval: 1s }
      - { id: log, type: destination, plugin: builtin:log, settings: { level: debug } }
  - id: parked
    status: stopped
    connectors:
      - { id: gen, type: source, plugin: builtin:generator, settings: { format.options.id: int } }
      - { id: log, type: destination, plugin: builtin:log }
`);
  });

  afterAll(async () => {
    expect(await run?.stop()).toBe(0);
    await client?.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => {});
    await client?.end();
  });

  it('/healthz answers, /readyz turns 200 once every running pipeline opened its connectors', async () => {
    expect((await get(`${run.url}/healthz`)).status).toBe(200);
    const ready = await eventually(async () => {
      const r = await get(`${run.url}/readyz`);
      return r.status === 200 ? r : undefined;
    }, '/readyz 200');
    const body = JSON.parse(ready.text) as { ready: boolean; pipelines: { id: string }[] };
    expect(body.ready).toBe(true);
    // Only the running pipelines count; "parked" is stopped in the file.
    expect(body.pipelines.map((p) => p.id).sort()).toEqual([
      'gen-to-kafka',
      'kafka-to-log',
      'pg-to-log',
    ]);
  });

  it('/v1/pipelines: Conduit-shaped pipelines with per-collection counts that grow with changes', async () => {
    const snapshot = await eventually(async () => {
      const p = await json<PipelineJson>(`${run.url}/v1/pipelines/pg-to-log`);
      return p.stats?.recordsWritten === 30 ? p : undefined;
    }, 'the 30 snapshot rows written');
    expect(snapshot.state).toEqual({ status: 'STATUS_RUNNING', error: '' });
    expect(snapshot.connectorIds).toEqual(['pg-to-log:pg', 'pg-to-log:log']);
    expect(snapshot.stats?.collections).toEqual([
      expect.objectContaining({ collection: 'items', read: 30, written: 30 }),
    ]);

    await client.query("INSERT INTO items VALUES (31, 'new'), (32, 'newer')");
    const changed = await eventually(async () => {
      const p = await json<PipelineJson>(`${run.url}/v1/pipelines/pg-to-log`);
      return p.stats?.recordsWritten === 32 ? p : undefined;
    }, 'two CDC inserts counted');
    // A change carries its commit time: the collection's lag is known.
    expect(changed.stats?.collections[0]?.lagMs).toBeGreaterThanOrEqual(0);

    const all = await json<PipelineJson[]>(`${run.url}/v1/pipelines`);
    expect(all.map((p) => p.id)).toEqual(['pg-to-log', 'gen-to-kafka', 'kafka-to-log', 'parked']);
    const parked = all.find((p) => p.id === 'parked')!;
    expect(parked.state.status).toBe('STATUS_STOPPED');
    expect(parked.stats).toBeUndefined();
    const missing = await get(`${run.url}/v1/pipelines/nope`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ code: 5 });
  });

  it('/metrics: counters per pipeline and collection, batch latency, the slot and the consumer lag', async () => {
    await eventually(async () => {
      const p = await json<PipelineJson>(`${run.url}/v1/pipelines/kafka-to-log`);
      return p.stats?.recordsWritten === 40 ? p : undefined;
    }, 'the 40 generated records through Kafka');
    const text = await eventually(async () => {
      const r = await get(`${run.url}/metrics`);
      // The group commits what was acked; lag reaches 0 once the commit is through.
      const lag = sample(r.text, 'opencdc_kafka_consumer_lag_messages', {
        pipeline: 'kafka-to-log',
        topic,
        partition: '0',
      });
      return lag === 0 ? r : undefined;
    }, 'Kafka consumer lag 0');
    expect(text.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = text.text;
    expect(
      sample(m, 'opencdc_records_written_total', { pipeline: 'pg-to-log', collection: 'items' }),
    ).toBeGreaterThanOrEqual(30);
    expect(
      sample(m, 'opencdc_records_read_total', { pipeline: 'kafka-to-log', collection: topic }),
    ).toBe(40);
    expect(sample(m, 'opencdc_dead_letters_total', { pipeline: 'pg-to-log' })).toBe(0);
    expect(sample(m, 'opencdc_retries_total', { pipeline: 'pg-to-log' })).toBe(0);
    expect(sample(m, 'opencdc_pipeline_ready', { pipeline: 'kafka-to-log' })).toBe(1);
    expect(sample(m, 'opencdc_pipeline_status', { pipeline: 'pg-to-log', status: 'running' })).toBe(
      1,
    );
    expect(
      sample(m, 'opencdc_batch_duration_seconds_count', { pipeline: 'gen-to-kafka' }),
    ).toBeGreaterThan(0);
    // Kafka messages carry their timestamp as opencdc.createdAt: the lag is known.
    expect(
      sample(m, 'opencdc_source_lag_seconds', { pipeline: 'kafka-to-log' }),
    ).toBeGreaterThanOrEqual(0);
    expect(sample(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const retained = sample(m, 'opencdc_postgres_slot_retained_wal_bytes', {
      pipeline: 'pg-to-log',
      connector: 'pg-to-log:pg',
      slot,
    });
    expect(retained).toBeGreaterThanOrEqual(0);
    // The gauge is the server's own view of the slot.
    const { rows } = await client.query<{ lsn: string }>(
      "SELECT (confirmed_flush_lsn - '0/0')::text AS lsn FROM pg_replication_slots WHERE slot_name = $1",
      [slot],
    );
    const confirmed = sample(m, 'opencdc_postgres_slot_confirmed_flush_lsn', { slot });
    expect(confirmed).toBeGreaterThan(0);
    expect(confirmed).toBeLessThanOrEqual(Number(rows[0]!.lsn) + 1e9);
  });

  it('/v1/connectors and /v1/connectors/plugins: settings with secrets masked, specifications with features', async () => {
    const connectors = await json<
      { id: string; type: string; plugin: string; config: { settings: { [k: string]: string } } }[]
    >(`${run.url}/v1/connectors?pipelineId=pg-to-log`);
    expect(connectors.map((c) => [c.id, c.type, c.plugin])).toEqual([
      ['pg-to-log:pg', 'TYPE_SOURCE', 'builtin:postgres'],
      ['pg-to-log:log', 'TYPE_DESTINATION', 'builtin:log'],
    ]);
    const url = new URL(db);
    if (url.password) expect(connectors[0]!.config.settings.url).not.toContain(url.password);

    const plugins = await json<
      {
        plugin: string;
        name: string;
        features: { source?: { cdc?: unknown } };
        sourceParams: object;
      }[]
    >(`${run.url}/v1/connectors/plugins`);
    expect(plugins.map((p) => p.plugin)).toEqual(
      expect.arrayContaining([
        'builtin:log',
        'builtin:postgres',
        'builtin:kafka',
        'builtin:generator',
      ]),
    );
    const postgres = plugins.find((p) => p.plugin === 'builtin:postgres')!;
    expect(postgres.features.source?.cdc).toEqual({ snapshot: true, resume: true });
    expect(Object.keys(postgres.sourceParams)).toContain('logrepl.slotName');
    expect(Array.isArray(await json(`${run.url}/v1/processors/plugins`))).toBe(true);
    expect(await json(`${run.url}/info`)).toMatchObject({ os: process.platform });
  });

  it('serves the page and its script from the package', async () => {
    const page = await get(`${run.url}/`);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('data-testid="features-matrix"');
    expect((await get(`${run.url}/page.js`)).type).toContain('javascript');
  });
});

describe('opencdc run --http while a pipeline cannot connect', () => {
  it('/readyz is 503 and names the pipeline retrying with its error', async () => {
    const port = await freePort(); // nothing listens there
    const run = await runWithHttp(`version: "2.2"
pipelines:
  - id: down
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "postgres://u:secretpw@127.0.0.1:${port}/db", tables: t } }
      - { id: log, type: destination, plugin: builtin:log }
`);
    try {
      const r = await eventually(async () => {
        const res = await get(`${run.url}/readyz`);
        return res.text.includes('retrying') ? res : undefined;
      }, '/readyz saying retrying');
      expect(r.status).toBe(503);
      const body = JSON.parse(r.text) as {
        ready: boolean;
        pipelines: { id: string; ready: boolean; reason: string }[];
      };
      expect(body.ready).toBe(false);
      expect(body.pipelines[0]).toMatchObject({ id: 'down', ready: false });
      expect(body.pipelines[0]!.reason).toMatch(/^retrying after an error: /);
      const p = await json<PipelineJson>(`${run.url}/v1/pipelines/down`);
      expect(p.state.status).toBe('STATUS_RECOVERING');
      expect(p.state.error).not.toBe('');
      const connectors = await json<{ config: { settings: { url: string } } }[]>(
        `${run.url}/v1/connectors`,
      );
      expect(connectors[0]!.config.settings.url).toBe(`postgres://u:***@127.0.0.1:${port}/db`);
      const m = (await get(`${run.url}/metrics`)).text;
      expect(sample(m, 'opencdc_pipeline_ready', { pipeline: 'down' })).toBe(0);
      expect(sample(m, 'opencdc_retries_total', { pipeline: 'down' })).toBeGreaterThan(0);
    } finally {
      await run.stop();
    }
  });

  it('a pipeline whose Kafka is unreachable is never shown running, and says retrying', async () => {
    const port = await freePort(); // no broker there
    const run = await runWithHttp(`version: "2.2"
pipelines:
  - id: nokafka
    connectors:
      - { id: gen, type: source, plugin: builtin:generator, settings: { format.options.id: int } }
      - { id: kafka, type: destination, plugin: builtin:kafka, settings: { servers: "127.0.0.1:${port}", topic: t } }
`);
    try {
      // Sampled while the destination fails to connect and the runtime reopens it.
      const running: (number | undefined)[] = [];
      const status = async () => {
        const m = (await get(`${run.url}/metrics`)).text;
        running.push(
          sample(m, 'opencdc_pipeline_status', { pipeline: 'nokafka', status: 'running' }),
        );
        return m;
      };
      await eventually(async () => {
        const m = await status();
        return (sample(m, 'opencdc_retries_total', { pipeline: 'nokafka' }) ?? 0) > 0
          ? m
          : undefined;
      }, 'the pipeline retrying');
      for (let i = 0; i < 20; i++) {
        await status();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(running.every((v) => v === 0)).toBe(true);
      const m = await status();
      expect(
        sample(m, 'opencdc_pipeline_status', { pipeline: 'nokafka', status: 'retrying' }),
      ).toBe(1);
      expect(sample(m, 'opencdc_pipeline_ready', { pipeline: 'nokafka' })).toBe(0);
    } finally {
      await run.stop();
    }
  });
});
