import type pg from 'pg';

export interface DemoTable {
  /** The record collection (= topic = destination table name). */
  collection: string;
  /** Quoted, schema-qualified name. */
  qualified: string;
  display: string;
  ddl: string;
  seed(rows: number): string;
  insert: string;
  update: string;
}

/** Mixed-case names and a second schema: the cases upstream connectors got wrong. */
export const sourceTables: DemoTable[] = [
  {
    collection: 'Customers',
    qualified: 'public."Customers"',
    display: '"Customers"',
    ddl: 'CREATE TABLE "Customers" (id serial PRIMARY KEY, "FullName" text NOT NULL, email text, "createdAt" timestamptz NOT NULL DEFAULT now())',
    seed: (n) =>
      `INSERT INTO "Customers" ("FullName", email) SELECT 'Customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, ${n}) g`,
    insert: `INSERT INTO "Customers" ("FullName", email) VALUES ('New customer', 'new@example.com')`,
    update: `UPDATE "Customers" SET email = 'changed-' || id || '@example.com' WHERE id = (SELECT id FROM "Customers" ORDER BY random() LIMIT 1)`,
  },
  {
    collection: 'orders',
    qualified: 'public.orders',
    display: 'orders',
    ddl: 'CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL, amount numeric(10,2) NOT NULL, status text NOT NULL)',
    seed: (n) =>
      `INSERT INTO orders (customer_id, amount, status) SELECT g, g * 1.5, 'new' FROM generate_series(1, ${n}) g`,
    insert: `INSERT INTO orders (customer_id, amount, status) VALUES (1 + floor(random() * 200)::int, round((random() * 100)::numeric, 2), 'new')`,
    update: `UPDATE orders SET status = 'paid', amount = amount + 1 WHERE id = (SELECT id FROM orders ORDER BY random() LIMIT 1)`,
  },
  {
    collection: 'sales.invoices',
    qualified: 'sales.invoices',
    display: 'sales.invoices',
    ddl: 'CREATE SCHEMA sales; CREATE TABLE sales.invoices (id serial PRIMARY KEY, "orderId" bigint NOT NULL, "Total" numeric(12,2) NOT NULL, paid boolean NOT NULL DEFAULT false)',
    seed: (n) =>
      `INSERT INTO sales.invoices ("orderId", "Total") SELECT g, g * 2 FROM generate_series(1, ${n}) g`,
    insert: `INSERT INTO sales.invoices ("orderId", "Total") VALUES (1 + floor(random() * 200)::int, round((random() * 500)::numeric, 2))`,
    update: `UPDATE sales.invoices SET paid = true WHERE id = (SELECT id FROM sales.invoices ORDER BY random() LIMIT 1)`,
  },
];

export type Counts = { [collection: string]: number };

/** Row counts by collection; a table that does not exist (yet) counts 0. */
export async function countRows(
  client: pg.Client,
  tables: { key: string; qualified: string }[],
): Promise<Counts> {
  const out: Counts = {};
  for (const t of tables) {
    try {
      const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.qualified}`);
      out[t.key] = Number(r.rows[0]?.n ?? 0);
    } catch (err) {
      if (
        (err as { code?: string }).code !== '42P01' &&
        (err as { code?: string }).code !== '3F000'
      )
        throw err;
      out[t.key] = 0;
    }
  }
  return out;
}
