import {
  fromOpenCDCJSON,
  type OpenCDCRecord,
  type StructuredData,
  toOpenCDCJSON,
} from '@opencdc-ts/commons';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeRegistry } from '../src/source/values.js';
import { type Harness, harness, rec } from './destination-helpers.js';

// Issue 16: records as Conduit's own Postgres source (v0.14.0) writes them, read from Kafka as
// OpenCDC JSON, must be written by this destination exactly; so must this connector's own
// source's records after the same JSON trip (json/jsonb numbers included).

let h: Harness;
beforeAll(async () => {
  h = await harness('pgdconduit');
  // Writes must not depend on the session time zone: the destination's sessions get this one.
  const db = (await h.rows<{ d: string }>('SELECT current_database() AS d'))[0]!.d;
  await h.db.query(`ALTER DATABASE "${db}" SET timezone = 'Asia/Tokyo'`);
});
afterAll(async () => {
  await h?.close();
});

const COLUMNS = `id int PRIMARY KEY, n numeric(12,2), n_free numeric, n_neg numeric(10,3),
  n_third numeric(10,4), d date, ts timestamp, ts_z timestamp(3), tstz timestamptz, t time,
  tz timetz, iv interval, u uuid, j json, jb jsonb, b bytea`;

/**
 * Every column's text form, row by row (the comparison is made on Postgres' own text).
 * `json`: the `json` column as `jsonb` text (its value, numbers as written: `1.0` stays `1.0`)
 * rather than its own text, whose whitespace and key order a parsed value does not keep.
 */
async function texts(table: string, json: 'text' | 'value' = 'text'): Promise<string[][]> {
  const j = json === 'text' ? 'j::text' : 'j::jsonb::text';
  const rows = await h.rows<{ r: string[] }>(
    `SELECT ARRAY[id::text, n::text, n_free::text, n_neg::text, n_third::text, d::text,
       ts::text, ts_z::text, tstz::text, t::text, tz::text, iv::text, u::text, ${j},
       jb::text, b::text] AS r FROM ${table} ORDER BY id`,
  );
  return rows.map((r) => r.r);
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A record as Go's conduit-commons writes it (map keys sorted, bytes as base64). */
function conduitJson(
  op: string,
  key: StructuredData,
  before: StructuredData | null,
  after: StructuredData | null,
): OpenCDCRecord {
  const text = JSON.stringify({
    position: b64('conduit-position'),
    operation: op,
    metadata: { 'opencdc.collection': 'conduit_t', 'postgres.table': 'src' },
    key,
    payload: { before, after },
  });
  return fromOpenCDCJSON(text);
}

const JSON_TEXT =
  '{"big": 12345678901234567890, "one": 1.0, "neg": -9007199254740993, "x": [12.50]}';

describe('postgres destination: records from Conduit’s postgres source', () => {
  it('writes fractions, RFC 3339 dates, pgx structs, "" uuids and base64 json exactly', async () => {
    await h.db.query(`CREATE TABLE expected (${COLUMNS}); CREATE TABLE conduit_t (${COLUMNS});`);
    // What the rows hold at the source.
    await h.db.query(
      `INSERT INTO expected VALUES
       (1, 1.50, 12345.678901, -0.125, 0.3333, '2024-02-29', '2024-02-29 13:14:15.123456',
        '2024-02-29 23:59:59.999', '2024-02-29 13:14:15.5+00', '04:05:06.789', '04:05:06.789-08',
        '1 mon 2 days 00:00:18', NULL, $1::text::json, $1::text::jsonb, '\\x0700ff'),
       (2, 5, -3, 0, NULL, '1999-12-31', '2000-01-01 00:00:00', NULL, '1999-12-31 15:00:00+00',
        '24:00:00', NULL, '-3 days', 'bd94ee0b-564f-4088-bf4e-8d5e626caf66', '[1]', '{}', ''),
       (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
      [JSON_TEXT],
    );
    // The same rows as Conduit's source writes them (pgx values serialized by Go).
    const row1 = {
      id: 1,
      n: '3/2',
      n_free: '12345678901/1000000',
      n_neg: '-1/8',
      n_third: '3333/10000',
      d: '2024-02-29T00:00:00Z',
      ts: '2024-02-29T13:14:15.123456Z',
      ts_z: '2024-02-29T23:59:59.999Z',
      tstz: '2024-02-29T22:14:15.5+09:00',
      t: { Microseconds: 14706789000, Valid: true },
      tz: '04:05:06.789-08',
      iv: { Days: 2, Microseconds: 18000000, Months: 1, Valid: true },
      u: '',
      j: b64(JSON_TEXT),
      jb: b64(JSON_TEXT),
      b: 'BwD/',
    };
    const row2 = {
      id: 2,
      n: '5',
      n_free: '-3',
      n_neg: '0',
      n_third: null,
      d: '1999-12-31T00:00:00Z',
      ts: '2000-01-01T00:00:00Z',
      ts_z: null,
      tstz: '1999-12-31T15:00:00Z',
      t: { Microseconds: 86400000000, Valid: true },
      tz: null,
      iv: { Days: -3, Microseconds: 0, Months: 0, Valid: true },
      u: 'bd94ee0b-564f-4088-bf4e-8d5e626caf66',
      j: b64('[1]'),
      jb: b64('{}'),
      b: '',
    };
    const nulls = Object.fromEntries(Object.keys(row1).map((k) => [k, null]));
    const row3 = { ...nulls, id: 3, u: '' };
    const d = await h.open();
    await d.write([
      conduitJson('snapshot', { id: 1 }, null, row1),
      conduitJson('create', { id: 2 }, null, { ...row2, n: '7/2' }),
      conduitJson('update', { id: 2 }, null, row2),
      conduitJson('create', { id: 3 }, null, row3),
      conduitJson('create', { id: 4 }, null, { ...row3, id: 4, n: '1/3' }),
    ]);
    // A delete: `before` holds every column, null but the key (and "" for the uuid); applied
    // by the key, never by matching those nulls.
    await d.write([conduitJson('delete', { id: 4 }, { ...nulls, id: 4, u: '' }, null)]);
    expect(await texts('conduit_t')).toEqual(await texts('expected'));
    // A fraction with no exact decimal rounds as Postgres would into numeric(p,s); an
    // unconstrained column refuses it (the record's problem, named by its field).
    await d.write([conduitJson('create', { id: 5 }, null, { ...row3, id: 5, n: '2/3' })]);
    expect(await h.rows('SELECT n::text FROM conduit_t WHERE id = 5')).toEqual([{ n: '0.67' }]);
    await expect(
      d.write([conduitJson('create', { id: 6 }, null, { ...row3, id: 6, n_free: '1/3' })]),
    ).rejects.toThrow(/payload\.after\.n_free: the fraction "1\/3" has no exact decimal form/);
  });

  it('deletes by key with a full before image of nulls and with a key-only one', async () => {
    await h.db.query(`CREATE TABLE del_t (id uuid PRIMARY KEY, v numeric, note text)`);
    await h.db.query(`INSERT INTO del_t VALUES
      ('bd94ee0b-564f-4088-bf4e-8d5e626caf66', 1.5, 'a'),
      ('0e2fd31c-1a38-4f17-9d43-7d9b1ef2fd11', 2, NULL)`);
    const d = await h.open();
    await d.write([
      // Conduit: every column, null but the key.
      rec('del_t', 'delete', { id: 'bd94ee0b-564f-4088-bf4e-8d5e626caf66' }, null, {
        before: { id: 'bd94ee0b-564f-4088-bf4e-8d5e626caf66', v: null, note: null },
      }),
      // Ours: the key columns only.
      rec('del_t', 'delete', { id: '0e2fd31c-1a38-4f17-9d43-7d9b1ef2fd11' }, null, {
        before: { id: '0e2fd31c-1a38-4f17-9d43-7d9b1ef2fd11' },
      }),
    ]);
    expect(await h.rows('SELECT * FROM del_t')).toEqual([]);
  });
});

describe('postgres destination: this connector’s source records after an OpenCDC JSON trip', () => {
  it('writes json/jsonb numbers back exactly (big integers, 1.0, long decimals)', async () => {
    await h.db.query(`CREATE TABLE ours_src (${COLUMNS}); CREATE TABLE ours_dst (${COLUMNS});`);
    const docs = [
      JSON_TEXT,
      '{"plain": [1, 2.5, "x"], "nested": {"a": null}}',
      '{"big": 12345678901234567890}',
      '{"p": 0.1000000000000000055511151231257827}',
      '"1.0"',
      '-0',
    ];
    for (const [i, doc] of docs.entries()) {
      await h.db.query(
        `INSERT INTO ours_src VALUES ($1, 1.50, 12345.678901, -0.125, NULL, '2024-02-29',
          '2024-02-29 13:14:15.123456', NULL, '2024-02-29 13:14:15.5+00', '04:05:06.789', NULL,
          '1 mon', gen_random_uuid(), $2::text::json, $2::text::jsonb, '\\x0700ff')`,
        [i + 1, doc],
      );
    }
    // Each value decoded as this connector's source decodes it (the same text form it reads).
    const result = await h.db.query({
      text: 'SELECT * FROM ours_src ORDER BY id',
      rowMode: 'array',
    });
    const types = new TypeRegistry();
    const decoders = result.fields.map((f) => types.decoder(f.dataTypeID));
    const text = (await h.db.query({
      text: 'SELECT * FROM ours_src ORDER BY id',
      rowMode: 'array',
      types: { getTypeParser: () => (v: string) => v },
    })) as { rows: (string | null)[][] };
    const records = text.rows.map((row) => {
      const after: StructuredData = {};
      row.forEach((v, i) => {
        after[result.fields[i]!.name] = v === null ? null : (decoders[i]!(v) as never);
      });
      // Through Kafka: OpenCDC JSON out and back in.
      return fromOpenCDCJSON(toOpenCDCJSON(rec('ours_dst', 'create', { id: after.id! }, after)));
    });
    expect(typeof (records[0]!.payload.after as StructuredData).jb).toBe('string');
    expect(records[2]!.payload.after).toMatchObject({ jb: { big: 12345678901234567890n } });
    const d = await h.open();
    await d.write(records);
    expect(await texts('ours_dst', 'value')).toEqual(await texts('ours_src', 'value'));
    // Where every number survived, json is parsed (whitespace and key order not kept); where one
    // did not, the text was kept and is written back as it was.
    const json = await h.rows<{ id: number; same: boolean }>(
      'SELECT s.id, s.j::text = d.j::text AS same FROM ours_src s JOIN ours_dst d USING (id) ORDER BY id',
    );
    expect(json.map((r) => r.same)).toEqual([true, false, false, true, true, true]);
  });
});
