import { ConfigError, ConfigErrors } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { sourceSide } from '../src/source/index.js';
import {
  after,
  createSource,
  openSource,
  readCount,
  sql,
  useSourceDatabase,
} from './source-helpers.js';

let url: string;
const settings = useSourceDatabase('pgsrc_err', async (u) => {
  url = u;
  await sql(
    url,
    `CREATE TABLE "MyTbl" (id int PRIMARY KEY);
     CREATE TABLE nopk (v text);
     CREATE TABLE fullnopk (v text, n int); ALTER TABLE fullnopk REPLICA IDENTITY FULL;
     INSERT INTO fullnopk SELECT 'v' || g, g FROM generate_series(1, 7) g;
     CREATE TABLE pa (id int PRIMARY KEY); CREATE TABLE pb (id int PRIMARY KEY);`,
  );
});

async function openError(extra: { [k: string]: string }, position?: Uint8Array): Promise<Error> {
  const src = createSource(settings(extra), 't');
  try {
    await src.open(position);
  } catch (e) {
    return e as Error;
  } finally {
    await src.teardown();
  }
  throw new Error('open succeeded');
}

describe('postgres source: clear errors', () => {
  it('rejects an invalid slot name and a bad table list at parse time', () => {
    expect(() => sourceSide.config.parse({ url, 'logrepl.slotName': 'Bad-Name' })).toThrow(
      ConfigErrors,
    );
    expect(() => sourceSide.config.parse({ url, tables: 'a.b.c' })).toThrow(
      /more than two dotted parts/,
    );
    expect(() => sourceSide.config.parse({ url, tables: '!a' })).toThrow(/no table selected/);
  });

  it('names unknown tables (with a quoting hint) and unknown schemas', async () => {
    const e = await openError({ tables: 'mytbl' });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/unknown: mytbl — did you mean public\."MyTbl"\?/);
    expect((await openError({ tables: 'nosuch.*' })).message).toMatch(
      /schema must exist \(nosuch\.\*\)/,
    );
  });

  it('says how to fix a table without primary key or replica identity', async () => {
    const e = await openError({ tables: 'nopk' });
    expect(e.message).toMatch(/ALTER TABLE public\.nopk REPLICA IDENTITY FULL/);
  });

  it('requires the REPLICATION attribute', async () => {
    await sql(url, 'DROP ROLE IF EXISTS norepl; CREATE ROLE norepl LOGIN');
    const u = new URL(url);
    u.username = 'norepl';
    const e = await openError({ url: u.toString(), tables: '"MyTbl"' });
    expect(e.message).toMatch(/ALTER ROLE <user> WITH REPLICATION/);
  });

  it('fails loudly when the slot of a stored position is gone', async () => {
    const pos = new TextEncoder().encode('{"v":1,"lsn":"0/1","i":0}');
    const e = await openError({ tables: '"MyTbl"' }, pos);
    expect(e.message).toMatch(/does not exist but the pipeline has a stored position/);
  });

  it('validates a user-owned publication and refuses a managed FOR ALL TABLES one', async () => {
    await sql(
      url,
      'CREATE PUBLICATION userpub FOR TABLE pa; CREATE PUBLICATION allpub FOR ALL TABLES',
    );
    const e = await openError({
      tables: 'pa, pb',
      'logrepl.publicationName': 'userpub',
      'logrepl.managePublication': 'false',
    });
    expect(e.message).toMatch(/must include every selected table \(missing: public\.pb\)/);
    const e2 = await openError({ tables: 'pa', 'logrepl.publicationName': 'allpub' });
    expect(e2.message).toMatch(/FOR ALL TABLES/);
    await sql(url, 'DROP PUBLICATION userpub; DROP PUBLICATION allpub');
  });

  it('reconciles a managed publication with the selection', async () => {
    const s = settings({ tables: 'pa, pb' });
    let src = await openSource(s);
    await src.teardown();
    src = await openSource({ ...s, tables: 'pa' });
    await src.teardown();
    const r = await sql(url, 'SELECT tablename FROM pg_publication_tables WHERE pubname = $1', [
      s['logrepl.publicationName'],
    ]);
    expect(r.rows.map((x) => x.tablename)).toEqual(['pa']);
  });

  it('snapshots and streams a key-less REPLICA IDENTITY FULL table (ctid pagination)', async () => {
    const s = settings({ tables: 'fullnopk', 'snapshot.fetchSize': '2' });
    const src = await openSource(s);
    try {
      const snap = await readCount(src, 7);
      expect(snap.map((r) => after(r).n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      await sql(url, "UPDATE fullnopk SET v = 'x' WHERE n = 3");
      const [u] = await readCount(src, 1);
      expect(u!.payload.before).toEqual({ v: 'v3', n: 3 });
      expect(after(u!)).toEqual({ v: 'x', n: 3 });
    } finally {
      await src.teardown();
    }
  });
});
