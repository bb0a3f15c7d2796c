/**
 * A small decoder for the `pgoutput` logical replication protocol, version 1
 * (https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html).
 * Column values stay in Postgres' text form; `values.ts` maps them to record values.
 */

/** One column of a tuple: `null`, unchanged TOAST (`unchanged`: the value was not sent) or text. */
export type TupleValue = null | typeof UNCHANGED_TOAST | string;
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');

export interface RelationColumn {
  name: string;
  typeOid: number;
  typeMod: number;
  /** Part of the replica identity (all columns under REPLICA IDENTITY FULL). */
  isKey: boolean;
}

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
  | { tag: 'commit'; flags: number; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
  | { tag: 'origin'; lsn: bigint; name: string }
  | {
      tag: 'relation';
      relationId: number;
      schema: string;
      name: string;
      replicaIdentity: string;
      columns: RelationColumn[];
    }
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationId: number; after: TupleValue[]; size: number }
  | {
      tag: 'update';
      relationId: number;
      /** Message size in bytes (insert, update, delete): what the decoded row roughly holds. */
      size: number;
      /** Old key columns ('K': the key changed) or the whole old row ('O': REPLICA IDENTITY FULL). */
      before: TupleValue[] | null;
      beforeKind: 'key' | 'full' | null;
      after: TupleValue[];
    }
  | {
      tag: 'delete';
      relationId: number;
      before: TupleValue[];
      beforeKind: 'key' | 'full';
      size: number;
    }
  | { tag: 'truncate'; options: number; relationIds: number[] }
  | { tag: 'message'; transactional: boolean; lsn: bigint; prefix: string; content: string }
  | { tag: 'unknown'; code: number };

const utf8 = new TextDecoder();

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  u8(): number {
    return this.buf.readUInt8(this.pos++);
  }
  i16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    const s = utf8.decode(this.buf.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
  text(len: number): string {
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  tuple(): TupleValue[] {
    const n = this.i16();
    const out: TupleValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const kind = this.u8();
      if (kind === 0x6e /* n */) out[i] = null;
      else if (kind === 0x75 /* u */) out[i] = UNCHANGED_TOAST;
      else if (kind === 0x74 /* t */) out[i] = this.text(this.i32());
      else throw new Error(`pgoutput: unexpected tuple column kind 0x${kind.toString(16)}`);
    }
    return out;
  }
}

export function decodePgOutput(buf: Buffer): PgOutputMessage {
  const r = new Reader(buf);
  const code = r.u8();
  switch (code) {
    case 0x42 /* B */:
      return { tag: 'begin', finalLsn: r.u64(), commitTime: r.i64(), xid: r.u32() };
    case 0x43 /* C */:
      return {
        tag: 'commit',
        flags: r.u8(),
        commitLsn: r.u64(),
        endLsn: r.u64(),
        commitTime: r.i64(),
      };
    case 0x4f /* O */:
      return { tag: 'origin', lsn: r.u64(), name: r.cstring() };
    case 0x52 /* R */:
      {
        const relationId = r.u32();
        const schema = r.cstring();
        const name = r.cstring();
        const replicaIdentity = String.fromCharCode(r.u8());
        const n = r.i16();
        const columns: RelationColumn[] = [];
        for (let i = 0; i < n; i++) {
          const flags = r.u8();
          columns.push({
            isKey: (flags & 1) === 1,
            name: r.cstring(),
            typeOid: r.u32(),
            typeMod: r.i32(),
          });
        }
        return { tag: 'relation', relationId, schema, name, replicaIdentity, columns };
      }
    case 0x59 /* Y */:
      return { tag: 'type', typeOid: r.u32(), schema: r.cstring(), name: r.cstring() };
    case 0x49 /* I */:
      {
        const relationId = r.u32();
        r.u8(); // 'N'
        return { tag: 'insert', relationId, after: r.tuple(), size: buf.length };
      }
    case 0x55 /* U */:
      {
        const relationId = r.u32();
        let kind = r.u8();
        let before: TupleValue[] | null = null;
        let beforeKind: 'key' | 'full' | null = null;
        if (kind === 0x4b /* K */ || kind === 0x4f /* O */) {
          beforeKind = kind === 0x4b ? 'key' : 'full';
          before = r.tuple();
          kind = r.u8(); // 'N'
        }
        return {
          tag: 'update',
          relationId,
          before,
          beforeKind,
          after: r.tuple(),
          size: buf.length,
        };
      }
    case 0x44 /* D */:
      {
        const relationId = r.u32();
        const kind = r.u8();
        return {
          tag: 'delete',
          relationId,
          beforeKind: kind === 0x4b ? 'key' : 'full',
          before: r.tuple(),
          size: buf.length,
        };
      }
    case 0x54 /* T */:
      {
        const n = r.u32();
        const options = r.u8();
        const relationIds: number[] = [];
        for (let i = 0; i < n; i++) relationIds.push(r.u32());
        return { tag: 'truncate', options, relationIds };
      }
    case 0x4d /* M */:
      {
        const transactional = (r.u8() & 1) === 1;
        const lsn = r.u64();
        const prefix = r.cstring();
        return { tag: 'message', transactional, lsn, prefix, content: r.text(r.u32()) };
      }
    default:
      return { tag: 'unknown', code };
  }
}
