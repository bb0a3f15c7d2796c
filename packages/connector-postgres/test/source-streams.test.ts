import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  after,
  collection,
  keyOf,
  openSource,
  readCount,
  sql,
  useSourceDatabase,
} from './source-helpers.js';

let url: string;
const settings = useSourceDatabase('pgsrc_streams', (u) => {
  url = u;
});

describe('postgres source: hand-off, new tables, schema changes', () => {
  it('loses and duplicates nothing while a writer inserts across the snapshot-to-CDC hand-off', async () => {
    await sql(
      url,
      `CREATE TABLE seq (id int PRIMARY KEY, pad text);
       INSERT INTO seq SELECT g, repeat('p', 100) FROM generate_series(1, 20000) g;`,
    );
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    let next = 20001;
    let writing = true;
    const loop = (async () => {
      while (writing) {
        await writer.query(
          'INSERT INTO seq SELECT g, $3 FROM generate_series($1::int, $2::int) g',
          [next, next + 9, 'w'],
        );
        next += 10;
      }
    })();
    const s = settings({ tables: 'seq', 'snapshot.fetchSize': '500', bufferSize: '1000' });
    await new Promise((r) => setTimeout(r, 200));
    const src = await openSource(s);
    const seen = new Map<number, string>();
    let snapshotDone = false;
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const batch = await src.read(1000, AbortSignal.timeout(20_000)).catch((e) => {
          const missing = [];
          for (let id = 1; id < next && missing.length < 10; id++)
            if (!seen.has(id)) missing.push(id);
          throw new Error(
            `stalled: seen ${seen.size}, next ${next}, writing ${writing}, missing ${missing}`,
            { cause: e },
          );
        });
        for (const r of batch) {
          const id = keyOf(r).id as number;
          expect(seen.has(id), `id ${id} delivered twice`).toBe(false);
          seen.set(id, r.operation);
          if (r.operation === 'create') snapshotDone = true;
        }
        await src.ack([batch[batch.length - 1]!.position]);
        if (snapshotDone && writing && seen.size > 25_000) {
          writing = false;
          await loop;
        }
        if (!writing && seen.size === next - 1) break;
        expect(Date.now()).toBeLessThan(deadline);
      }
      const ops = [...seen.values()];
      expect(ops.filter((o) => o === 'snapshot').length).toBeGreaterThanOrEqual(20_000);
      expect(ops.filter((o) => o === 'create').length).toBeGreaterThan(0);
      for (let id = 1; id < next; id++) expect(seen.has(id), `id ${id} missing`).toBe(true);
    } finally {
      writing = false;
      await loop.catch(() => undefined);
      await writer.end();
      await src.teardown();
    }
  });

  it('picks up a table created under a wildcard while running: backfill, then stream', async () => {
    await sql(
      url,
      `CREATE SCHEMA disc; CREATE TABLE disc.a (id int PRIMARY KEY); INSERT INTO disc.a VALUES (1)`,
    );
    const s = settings({ tables: 'disc.*, !disc.skipme' });
    const src = await openSource(s);
    try {
      const first = await readCount(src, 1);
      expect(collection(first[0]!)).toBe('disc.a');
      await sql(
        url,
        `CREATE TABLE disc.b (id int PRIMARY KEY, v text); INSERT INTO disc.b SELECT g, 'old' FROM generate_series(1, 5) g;
         CREATE TABLE disc.skipme (id int PRIMARY KEY); INSERT INTO disc.skipme VALUES (1);`,
      );
      const backfill = await readCount(src, 5, 20_000);
      expect(backfill.map((r) => [collection(r), r.operation, keyOf(r).id])).toEqual(
        [1, 2, 3, 4, 5].map((id) => ['disc.b', 'snapshot', id]),
      );
      await sql(url, `INSERT INTO disc.b VALUES (6, 'new'); INSERT INTO disc.a VALUES (2)`);
      const more = await readCount(src, 2);
      expect(more.map((r) => [collection(r), r.operation, keyOf(r).id])).toEqual([
        ['disc.b', 'create', 6],
        ['disc.a', 'create', 2],
      ]);
      const pub = await sql(
        url,
        'SELECT tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1',
        [s['logrepl.publicationName']],
      );
      expect(pub.rows.map((r) => r.tablename)).toEqual(['a', 'b']);
    } finally {
      await src.teardown();
    }
  });

  it('shows columns added and dropped mid-stream in later records', async () => {
    await sql(url, 'CREATE TABLE ddl (id int PRIMARY KEY, a text)');
    const s = settings({ tables: 'ddl', snapshotMode: 'never' });
    const src = await openSource(s);
    try {
      await sql(url, "INSERT INTO ddl VALUES (1, 'x')");
      await sql(
        url,
        "ALTER TABLE ddl ADD COLUMN b jsonb DEFAULT '{}'; INSERT INTO ddl VALUES (2, 'y', '{\"k\":1}')",
      );
      await sql(url, "ALTER TABLE ddl DROP COLUMN a; INSERT INTO ddl VALUES (3, '[1]')");
      const recs = await readCount(src, 3);
      expect(recs.map(after)).toEqual([
        { id: 1, a: 'x' },
        { id: 2, a: 'y', b: { k: 1 } },
        { id: 3, b: [1] },
      ]);
    } finally {
      await src.teardown();
    }
  });

  it('backfills a table added to the selection between runs', async () => {
    await sql(
      url,
      'CREATE TABLE sel1 (id int PRIMARY KEY); CREATE TABLE sel2 (id int PRIMARY KEY); INSERT INTO sel1 VALUES (1); INSERT INTO sel2 VALUES (1), (2)',
    );
    const s = settings({ tables: 'sel1' });
    let src = await openSource(s);
    const [first] = await readCount(src, 1);
    await src.ack([first!.position]);
    await sql(url, 'INSERT INTO sel1 VALUES (2)');
    const [c] = await readCount(src, 1);
    await src.ack([c!.position]);
    await src.teardown();
    src = await openSource({ ...s, tables: 'sel1, sel2' }, c!.position);
    try {
      const bf = await readCount(src, 2);
      expect(bf.map((r) => [collection(r), r.operation, keyOf(r).id])).toEqual([
        ['sel2', 'snapshot', 1],
        ['sel2', 'snapshot', 2],
      ]);
      await sql(url, 'INSERT INTO sel2 VALUES (3)');
      const [n] = await readCount(src, 1);
      expect([collection(n!), n!.operation, keyOf(n!).id]).toEqual(['sel2', 'create', 3]);
    } finally {
      await src.teardown();
    }
  });

  it('lets an idle slot advance (heartbeat + keepalive) so WAL is not pinned', async () => {
    await sql(url, 'CREATE TABLE idle1 (id int PRIMARY KEY); CREATE TABLE noise (id int)');
    const s = settings({ tables: 'idle1', snapshotMode: 'never' });
    const src = await openSource(s);
    try {
      const lsn = async () =>
        (
          await sql(
            url,
            'SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1',
            [s['logrepl.slotName']],
          )
        ).rows[0].l as string;
      const start = await lsn();
      await sql(url, 'INSERT INTO noise SELECT generate_series(1, 1000)');
      const deadline = Date.now() + 20_000;
      let now = start;
      while (now === start && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        now = await lsn();
      }
      expect(now).not.toBe(start);
    } finally {
      await src.teardown();
    }
  });
});
