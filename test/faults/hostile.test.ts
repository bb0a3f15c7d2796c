// Hostile routes, records and tables, end to end through the built `opencdc run`: records routed
// at the system catalog, a record nested 20,000 levels deep, key moves replayed through Kafka,
// two tables whose names once made one collection, partitioned and key-less tables, and
// configuration problems that must exit 2.
import { createTestDatabase, waitFor } from '@opencdc-ts/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  connect,
  diff,
  lastLogs,
  logs,
  pipelineDir,
  type Runner,
  requireBuild,
  sleep,
  sql,
  startRunner,
  uniqueName,
} from './harness.js';

const runners: Runner[] = [];
afterAll(async () => {
  for (const r of runners) await r.kill();
});

function run(dir: string, env: Record<string, string>): Runner {
  requireBuild();
  const r = startRunner(dir, env);
  runners.push(r);
  return r;
}

/** An OpenCDC JSON record as a Kafka message value. */
function opencdc(r: {
  collection: string;
  operation?: string;
  key: unknown;
  before?: unknown;
  after?: unknown;
  n: number;
}): string {
  return JSON.stringify({
    position: Buffer.from(`p${r.n}`).toString('base64'),
    operation: r.operation ?? 'create',
    metadata: { 'opencdc.collection': r.collection },
    key: r.key,
    payload: { before: r.before ?? null, after: r.after ?? null },
  });
}

async function produce(brokers: string[], topic: string, values: string[]): Promise<void> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, clientId: 'faults' });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
}

const kafkaToPostgres = (topic: string, group: string, extra = '') => `version: "2.2"
pipelines:
  - id: k2p
    connectors:
      - { id: kafka, type: source, plugin: builtin:kafka, settings: { servers: "\${KAFKA}", topics: "${topic}", readFromBeginning: true, valueFormat: opencdc, groupID: ${group} } }
      - { id: out, type: destination, plugin: builtin:postgres, settings: { url: "\${DST}", autoCreate: true${extra} } }
    dead-letter-queue: { plugin: builtin:log, window-size: 0 }
`;

const postgresToPostgres = (tables: string, slot: string, extra = '') => `version: "2.2"
pipelines:
  - id: p2p
    connectors:
      - { id: pg, type: source, plugin: builtin:postgres, settings: { url: "\${SRC}", tables: '${tables}', logrepl.slotName: ${slot}, logrepl.publicationName: ${slot}, snapshot.fetchSize: 500 } }
      - { id: out, type: destination, plugin: builtin:postgres, settings: { url: "\${DST}", autoCreate: true${extra} } }
`;

describe('hostile input end to end', () => {
  it('records routed at system schemas are dead letters; pg_catalog is untouched; a 20,000-deep record is one dead letter', async () => {
    const brokers = inject('kafkaBrokers');
    const dst = await createTestDatabase(inject('pgUrl'), 'hostile_catalog');
    const topic = uniqueName('hostile');
    const evilRole = {
      oid: 999_999,
      rolname: 'evil',
      rolsuper: true,
      rolinherit: true,
      rolcreaterole: true,
      rolcreatedb: true,
      rolcanlogin: true,
      rolreplication: true,
      rolbypassrls: true,
      rolconnlimit: -1,
    };
    const routes = [
      'pg_authid',
      'pg_description',
      'PG_CATALOG.pg_authid',
      'pg_catalog.pg_authid',
      'Pg_Catalog.pg_authid',
      'information_schema.sql_features',
      'pg_toast.evil',
      'pg_temp.evil',
      'pg_temp_1.evil',
    ];
    let deep = '1';
    for (let i = 0; i < 20_000; i++) deep = `{"a":${deep}}`;
    const values: string[] = [];
    let n = 0;
    // The first record creates the table with a jsonb `doc` column, the deep record's target.
    values.push(
      opencdc({
        collection: 'hostile_ok',
        key: { id: 1 },
        after: { id: 1, doc: { a: 1 } },
        n: n++,
      }),
    );
    for (const collection of routes)
      values.push(opencdc({ collection, key: { oid: evilRole.oid }, after: evilRole, n: n++ }));
    // Built by hand: JSON.stringify of a 20,000-deep object would itself overflow the stack.
    values.push(
      `{"position":"ZGVlcA==","operation":"create","metadata":{"opencdc.collection":"hostile_ok"},"key":{"id":2},"payload":{"before":null,"after":{"id":2,"doc":${deep}}}}`,
    );
    for (let id = 3; id <= 10; id++)
      values.push(opencdc({ collection: 'hostile_ok', key: { id }, after: { id }, n: n++ }));
    await produce(brokers, topic, values);

    const catalog = async () =>
      (
        await sql<{ roles: string; descriptions: string }>(
          dst,
          'SELECT (SELECT count(*) FROM pg_authid) AS roles, (SELECT count(*) FROM pg_description) AS descriptions',
        )
      )[0];
    const before = await catalog();
    const runner = run(await pipelineDir(kafkaToPostgres(topic, topic)), {
      DST: dst,
      KAFKA: brokers.join(','),
    });
    await waitFor(
      async () => {
        const rows = await sql<{ id: string }>(dst, 'SELECT id FROM hostile_ok ORDER BY id').catch(
          () => [],
        );
        return rows.length === 9;
      },
      {
        timeout: 60_000,
        description: `hostile_ok to hold 9 rows\n${lastLogs()}`,
        abort: runner.broken,
      },
    );
    const ids = await sql<{ id: string }>(dst, 'SELECT id FROM hostile_ok ORDER BY id');
    expect(ids.map((r) => Number(r.id))).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await catalog()).toEqual(before);
    expect(await sql(dst, `SELECT 1 FROM pg_roles WHERE rolname = 'evil'`)).toEqual([]);
    expect(runner.broken()).toBeUndefined();
    const log = logs.at(-1)!;
    for (const r of routes) expect(log, `a dead letter for ${r}`).toContain(r);
    expect(log).not.toMatch(/Maximum call stack/);
    expect(await runner.stop()).toBe(0);
  }, 180_000);

  it('key moves replayed through Kafka give the same table as once', async () => {
    const brokers = inject('kafkaBrokers');
    const dst = await createTestDatabase(inject('pgUrl'), 'hostile_replay');
    const topic = uniqueName('replay');
    const table = 'moves';
    const once = [
      opencdc({ collection: table, key: { id: 1 }, after: { id: 1, v: 'first' }, n: 1 }),
      opencdc({
        collection: table,
        operation: 'update',
        key: { id: 2 },
        before: { id: 1, v: 'first' },
        after: { id: 2, v: 'moved' },
        n: 2,
      }),
      opencdc({ collection: table, key: { id: 1 }, after: { id: 1, v: 'again' }, n: 3 }),
    ];
    await produce(brokers, topic, [...once, ...once]);
    const runner = run(await pipelineDir(kafkaToPostgres(topic, topic)), {
      DST: dst,
      KAFKA: brokers.join(','),
    });
    const rows = () =>
      sql<{ id: string; v: string }>(dst, `SELECT id, v FROM ${table} ORDER BY id`).catch(() => []);
    await waitFor(async () => JSON.stringify(await rows()).includes('again'), {
      timeout: 60_000,
      description: 'the replayed records',
      abort: runner.broken,
    });
    await sleep(1000);
    expect(runner.broken(), lastLogs()).toBeUndefined();
    expect((await rows()).map((r) => `${r.id}:${r.v}`)).toEqual(['1:again', '2:moved']);
    expect(log()).not.toMatch(/dead.letter|23505/i);
    expect(await runner.stop()).toBe(0);
  }, 120_000);

  it('public."a.b" and a.b stay two collections and two tables', async () => {
    const pgUrl = inject('pgUrl');
    const src = await createTestDatabase(pgUrl, 'hostile_dots_src');
    const dst = await createTestDatabase(pgUrl, 'hostile_dots_dst');
    const c = await connect(src);
    await c.query('CREATE SCHEMA a');
    await c.query('CREATE TABLE public."a.b" (id int PRIMARY KEY, side text)');
    await c.query('CREATE TABLE a.b (id int PRIMARY KEY, side text)');
    await c.query(`INSERT INTO public."a.b" SELECT g, 'dotted' FROM generate_series(1, 30) g`);
    await c.query(`INSERT INTO a.b SELECT g, 'schema' FROM generate_series(1, 40) g`);
    const slot = uniqueName('dots');
    const runner = run(await pipelineDir(postgresToPostgres('"a.b", a.b', slot)), {
      SRC: src,
      DST: dst,
    });
    await sleep(1500);
    await c.query(`INSERT INTO public."a.b" SELECT g, 'dotted' FROM generate_series(31, 35) g`);
    await c.query(`INSERT INTO a.b SELECT g, 'schema' FROM generate_series(41, 42) g`);
    await c.end();
    const count = (q: string) =>
      sql<{ n: string; sides: string }>(
        dst,
        `SELECT count(*) AS n, string_agg(DISTINCT side, ',') AS sides FROM ${q}`,
      )
        .then((r) => `${r[0]!.n} ${r[0]!.sides}`)
        .catch(() => 'missing');
    await waitFor(
      async () =>
        (await count('public."a.b"')) === '35 dotted' && (await count('a.b')) === '42 schema',
      {
        timeout: 60_000,
        description: `both tables, apart (now ${await count('public."a.b"')} / ${await count('a.b')})\n${lastLogs()}`,
        abort: runner.broken,
      },
    );
    expect(await runner.stop()).toBe(0);
  }, 120_000);

  it('a partitioned table: changes to every partition arrive under the root, a partition attached later too', async () => {
    const pgUrl = inject('pgUrl');
    const src = await createTestDatabase(pgUrl, 'hostile_parts_src');
    const dst = await createTestDatabase(pgUrl, 'hostile_parts_dst');
    const c = await connect(src);
    await c.query('CREATE TABLE parted (id int PRIMARY KEY, v text) PARTITION BY RANGE (id)');
    await c.query('CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000)');
    await c.query('CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (1000) TO (2000)');
    await c.query(`INSERT INTO parted SELECT g * 19, 'seed' FROM generate_series(1, 50) g`);
    const slot = uniqueName('parts');
    const runner = run(await pipelineDir(postgresToPostgres('*', slot)), { SRC: src, DST: dst });
    await waitFor(
      async () => (await sql(dst, 'SELECT 1 FROM parted').catch(() => [])).length === 50,
      {
        timeout: 60_000,
        description: 'the snapshot of parted',
        abort: runner.broken,
      },
    );
    // Into both partitions (19g + 1 never collides with the seeds' 19g).
    await c.query(`INSERT INTO parted SELECT g * 19 + 1, 'cdc' FROM generate_series(1, 50) g`);
    await c.query(`INSERT INTO parted SELECT 1000 + g * 7, 'cdc' FROM generate_series(1, 50) g`);
    await c.query(`UPDATE parted SET v = 'updated' WHERE id % 5 = 0 AND id < 1400`);
    await c.query('CREATE TABLE parted_3 (id int PRIMARY KEY, v text)');
    await c.query('ALTER TABLE parted ATTACH PARTITION parted_3 FOR VALUES FROM (2000) TO (3000)');
    await c.query(`INSERT INTO parted SELECT g, 'late' FROM generate_series(2000, 2009) g`);
    await c.query('DELETE FROM parted WHERE id = 19');
    await c.end();
    const content = async (url: string) =>
      (
        await sql<{ r: string }>(url, `SELECT id || ':' || v AS r FROM parted ORDER BY id`).catch(
          () => [],
        )
      ).map((x) => x.r);
    const want = await content(src);
    await waitFor(async () => JSON.stringify(await content(dst)) === JSON.stringify(want), {
      timeout: 60_000,
      description: `parted to match (${want.length} rows)\n${lastLogs()}`,
      abort: runner.broken,
    });
    // The leaves are not collections of their own (the root carries their rows).
    expect(await sql(dst, `SELECT 1 FROM pg_tables WHERE tablename LIKE 'parted\\_%'`)).toEqual([]);
    expect(await runner.stop()).toBe(0);
  }, 120_000);

  it('a key-less table: the snapshot survives kills (tid paging); CDC updates and deletes match the before image', async () => {
    const pgUrl = inject('pgUrl');
    const src = await createTestDatabase(pgUrl, 'hostile_keyless_src');
    const dst = await createTestDatabase(pgUrl, 'hostile_keyless_dst');
    const c = await connect(src);
    for (const t of ['loose', 'loose_cdc']) {
      await c.query(`CREATE TABLE ${t} (n int, v text)`);
      await c.query(`ALTER TABLE ${t} REPLICA IDENTITY FULL`);
    }
    await c.query(`INSERT INTO loose SELECT g, 'seed' FROM generate_series(1, 50000) g`);
    await c.query(`INSERT INTO loose_cdc SELECT g % 500, 'seed' FROM generate_series(1, 2000) g`);
    const distinct = async (table: string) =>
      Number(
        (
          await sql<{ n: string }>(dst, `SELECT count(DISTINCT n) AS n FROM ${table}`).catch(() => [
            { n: '0' },
          ])
        )[0]!.n,
      );

    // 1. Killed mid-snapshot three times: appends are at least once (a resumed page may come
    // twice), but no row is skipped.
    const dir = await pipelineDir(postgresToPostgres('loose', uniqueName('keyless')));
    for (let k = 0; k < 3; k++) {
      const r = run(dir, { SRC: src, DST: dst });
      await sleep(500 + Math.random() * 1000);
      expect(r.broken(), lastLogs()).toBeUndefined();
      await r.kill();
    }
    const resumed = run(dir, { SRC: src, DST: dst });
    await waitFor(async () => (await distinct('loose')) === 50_000, {
      timeout: 90_000,
      description: 'every row of the key-less snapshot',
      abort: resumed.broken,
    });
    await sleep(1000); // let it finish starting (SIGTERM before the handlers are set kills it)
    expect(await resumed.stop()).toBe(0);

    // 2. CDC without faults: updates and deletes find their row by the before image, duplicates
    // (rows equal in every column) included; the result equals the source row for row.
    const runner = run(await pipelineDir(postgresToPostgres('loose_cdc', uniqueName('kcdc'))), {
      SRC: src,
      DST: dst,
    });
    await waitFor(async () => (await distinct('loose_cdc')) === 500, {
      timeout: 60_000,
      description: 'the loose_cdc snapshot',
      abort: runner.broken,
    });
    await c.query(`UPDATE loose_cdc SET v = 'updated' WHERE n % 50 = 0`);
    await c.query(
      'DELETE FROM loose_cdc WHERE ctid IN (SELECT ctid FROM loose_cdc WHERE n % 7 = 0 LIMIT 100)',
    );
    await c.query(`INSERT INTO loose_cdc VALUES (1, 'seed'), (NULL, NULL), (NULL, NULL)`);
    await c.query(
      'DELETE FROM loose_cdc WHERE ctid = (SELECT ctid FROM loose_cdc WHERE n IS NULL LIMIT 1)',
    );
    await c.query(`UPDATE loose_cdc SET v = 'was null' WHERE n IS NULL`);
    await c.end();
    const content = async (url: string) =>
      (
        await sql<{ r: string }>(
          url,
          `SELECT coalesce(n::text, '-') || ':' || coalesce(v, '-') AS r FROM loose_cdc ORDER BY n, v`,
        ).catch(() => [])
      ).map((x) => x.r);
    const want = await content(src);
    await waitFor(async () => JSON.stringify(await content(dst)) === JSON.stringify(want), {
      timeout: 60_000,
      description: 'loose_cdc to match',
      abort: runner.broken,
    }).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${diff(want, await content(dst))}\n${lastLogs()}`);
    });
    expect(await runner.stop()).toBe(0);
  }, 240_000);

  it('configuration problems found at open exit 2 and name the parameter', async () => {
    const pgUrl = inject('pgUrl');
    const src = await createTestDatabase(pgUrl, 'hostile_config_src');
    await sql(src, 'CREATE TABLE keyless_default (n int)');
    for (const [tables, expected] of [
      ['no_such_table', /tables/],
      ['keyless_default', /tables|REPLICA IDENTITY/i],
    ] as const) {
      const slot = uniqueName('cfg');
      const r = run(await pipelineDir(postgresToPostgres(tables, slot)), { SRC: src, DST: src });
      const code = await Promise.race([r.exit, sleep(60_000).then(() => 'timeout')]);
      const log = logs.at(-1)!;
      expect(code, log).toBe(2);
      expect(log).toMatch(expected);
      expect(log).not.toMatch(/pipeline failed/);
      expect(log).not.toMatch(/\(not set\)/);
    }
  }, 150_000);
});

function log(): string {
  return logs.at(-1) ?? '';
}
