import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { collection, openSource, readCount, sql, useSourceDatabase } from './source-helpers.js';

let url: string;
const settings = useSourceDatabase('pgsrcfk', async (u) => {
  url = u;
  await sql(
    url,
    `CREATE TABLE a_grand (id int PRIMARY KEY, child_id int);
     CREATE TABLE b_child (id int PRIMARY KEY, parent_id int, prev int);
     CREATE TABLE c_parent (id int PRIMARY KEY);
     CREATE TABLE d_free (id int PRIMARY KEY);
     CREATE TABLE e_free (id int PRIMARY KEY);
     INSERT INTO c_parent SELECT g FROM generate_series(1, 300) g;
     INSERT INTO b_child SELECT g, g, NULLIF(g - 1, 0) FROM generate_series(1, 300) g;
     INSERT INTO a_grand SELECT g, g FROM generate_series(1, 300) g;
     INSERT INTO d_free SELECT g FROM generate_series(1, 300) g;
     INSERT INTO e_free SELECT g FROM generate_series(1, 300) g;
     ALTER TABLE b_child ADD FOREIGN KEY (parent_id) REFERENCES c_parent,
       ADD FOREIGN KEY (prev) REFERENCES b_child; -- self-reference: ignored
     ALTER TABLE a_grand ADD FOREIGN KEY (child_id) REFERENCES b_child;`,
  );
});

/** Asserts every record of `child` comes after the last record of `parent`. */
function expectAfter(recs: readonly OpenCDCRecord[], child: string, parent: string): void {
  const colls = recs.map((r) => collection(r));
  const lastParent = colls.lastIndexOf(parent);
  const firstChild = colls.indexOf(child);
  expect(lastParent).toBeGreaterThanOrEqual(0);
  expect(firstChild).toBeGreaterThan(lastParent);
}

const ORDER: [string, string][] = [
  ['b_child', 'c_parent'],
  ['a_grand', 'b_child'],
];

describe('postgres source: snapshot order under foreign keys', () => {
  it('emits a table only after the tables it references, independent tables in parallel', async () => {
    const s = settings({
      tables: '*',
      'snapshot.concurrency': '3',
      'snapshot.fetchSize': '7',
      bufferSize: '5',
    });
    const src = await openSource(s);
    try {
      const recs = await readCount(src, 1500);
      for (const [c, p] of ORDER) expectAfter(recs, c, p);
      // Parallelism kept: the independent tables interleave with the parent chain.
      const colls = recs.map((r) => collection(r));
      const parentSpan = [colls.indexOf('c_parent'), colls.lastIndexOf('c_parent')] as const;
      const freeInside = colls.some(
        (c, i) => (c === 'd_free' || c === 'e_free') && i > parentSpan[0] && i < parentSpan[1],
      );
      expect(freeInside).toBe(true);
    } finally {
      await src.teardown();
    }
  });

  it('keeps the order when the snapshot resumes from a position', async () => {
    const s = settings({
      tables: 'a_grand, b_child, c_parent',
      'snapshot.concurrency': '3',
      'snapshot.fetchSize': '7',
      bufferSize: '5',
    });
    let src = await openSource(s);
    const first = await readCount(src, 450); // the parent and half of the child
    await src.teardown();
    expectAfter(first, 'b_child', 'c_parent');
    expect(first.some((r) => collection(r) === 'a_grand')).toBe(false);
    src = await openSource(s, first[first.length - 1]!.position);
    try {
      const rest = await readCount(src, 450);
      const all = [...first, ...rest];
      for (const [c, p] of ORDER) expectAfter(all, c, p);
      expect(rest.filter((r) => collection(r) === 'a_grand')).toHaveLength(300);
      expect(rest.filter((r) => collection(r) === 'b_child')).toHaveLength(150);
    } finally {
      await src.teardown();
    }
  });
});
