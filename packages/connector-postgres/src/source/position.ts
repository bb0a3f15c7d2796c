/**
 * Position bytes: UTF-8 JSON, one of
 * - snapshot: `{"v":1,"snap":{"<collection>":{"k":["<pk text>",...]} | {"d":1} | {}, ...}}`
 *   — the last key read per table (Postgres text form), `d` when the table is done, `{}` not started;
 * - CDC: `{"v":1,"lsn":"0/16B3748","i":3}` — the commit LSN of the record's transaction and the
 *   index of the change within it, optionally with `"bf":{"<collection>":{"k":[...]}}` while a
 *   table that appeared during streaming is being backfilled.
 */

export interface TableSnapState {
  k?: string[];
  d?: 1;
}
export type SnapState = { [collection: string]: TableSnapState };

export type DecodedPosition =
  | { kind: 'snapshot'; snap: SnapState }
  | { kind: 'cdc'; lsn: string; i: number; bf?: SnapState };

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Every position the source hands out is built here, as bytes, encoded once: the JSON text is
 * assembled as a string and turned into UTF-8 in one step.
 */

/** A snapshot row's position: `stateJson` is the whole per-table state map (`StateJson.json`). */
export function snapshotPosition(stateJson: string): Uint8Array {
  return enc.encode(`{"v":1,"snap":${stateJson}}`);
}

/** A CDC position; with `bfJson`, a backfilled row's (the backfill's state map). */
export function cdcPosition(lsn: string, i: number, bfJson?: string): Uint8Array {
  return enc.encode(
    bfJson ? `{"v":1,"lsn":"${lsn}","i":${i},"bf":${bfJson}}` : `{"v":1,"lsn":"${lsn}","i":${i}}`,
  );
}

/** The bytes before the index of every CDC position of one transaction (encoded once per txn). */
export function cdcPositionPrefix(lsn: string): Uint8Array {
  return enc.encode(`{"v":1,"lsn":"${lsn}","i":`);
}

/** Same bytes as `cdcPosition(lsn, i)`, without encoding the common prefix again. */
export function cdcPositionAt(prefix: Uint8Array, i: number): Uint8Array {
  const digits = String(i);
  const out = new Uint8Array(prefix.length + digits.length + 1);
  out.set(prefix);
  let o = prefix.length;
  for (let d = 0; d < digits.length; d++) out[o++] = digits.charCodeAt(d);
  out[o] = 0x7d; // }
  return out;
}

export function decodePosition(bytes: Uint8Array): DecodedPosition {
  let j: { v?: number; snap?: SnapState; lsn?: string; i?: number; bf?: SnapState };
  try {
    j = JSON.parse(dec.decode(bytes)) as typeof j;
  } catch {
    throw new Error(
      `invalid postgres source position: not JSON (${dec.decode(bytes).slice(0, 80)})`,
    );
  }
  if (j.v !== 1) throw new Error(`unsupported postgres source position version ${String(j.v)}`);
  if (j.snap) return { kind: 'snapshot', snap: j.snap };
  if (typeof j.lsn === 'string' && typeof j.i === 'number')
    return j.bf
      ? { kind: 'cdc', lsn: j.lsn, i: j.i, bf: j.bf }
      : { kind: 'cdc', lsn: j.lsn, i: j.i };
  throw new Error('invalid postgres source position: neither snapshot nor CDC');
}

/** Incrementally maintained JSON of a per-table state map (cheap per-record positions). */
export class StateJson {
  private readonly parts = new Map<string, string>();
  private readonly prefixes = new Map<string, string>();
  /** The JSON around the part of the table set last (valid while only that table changes). */
  private around: { collection: string; before: string; after: string } | undefined;

  constructor(state: SnapState) {
    for (const [c, s] of Object.entries(state)) this.set(c, s);
  }

  set(collection: string, s: TableSnapState): void {
    let prefix = this.prefixes.get(collection);
    if (prefix === undefined) {
      prefix = `${JSON.stringify(collection)}:`;
      this.prefixes.set(collection, prefix);
    }
    if (this.around?.collection !== collection || !this.parts.has(collection))
      this.around = undefined;
    this.parts.set(collection, prefix + JSON.stringify(s));
  }

  /** The whole map as JSON; consecutive rows of one table reuse the other tables' text. */
  json(current?: string): string {
    if (current === undefined) return `{${[...this.parts.values()].join(',')}}`;
    if (!this.around) {
      const keys = [...this.parts.keys()];
      const i = keys.indexOf(current);
      const vals = [...this.parts.values()];
      const before = vals.slice(0, i).join(',');
      const after = vals.slice(i + 1).join(',');
      this.around = {
        collection: current,
        before: `{${before}${before ? ',' : ''}`,
        after: `${after ? ',' : ''}${after}}`,
      };
    }
    return this.around.before + this.parts.get(current) + this.around.after;
  }
}
