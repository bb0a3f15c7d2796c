import type { Position } from '../connector.js';

/**
 * What a source handed out and the runtime has not acked yet, in read order, for the Source
 * contract's ack rule: acking position P acks everything read before P.
 *
 * - `record(position)` once per record, in the order `read` returns them (the position object
 *   itself is kept: no allocation per record).
 * - `mark(value)` attaches a value to "everything recorded so far" (a committed transaction's
 *   end LSN, the last offset of a batch of one partition); `release(each)` hands out, in order,
 *   every mark whose records are all acked: what the source may now acknowledge upstream.
 * - `ack(positions)` moves "acked up to" to the last of `positions` that is pending (found by
 *   identity, the runtime hands back the very objects; else by bytes, for copies).
 *
 * Sequence numbers count records recorded: the first record is 1, `acked` is the sequence number
 * of the last acked record (0 before any).
 */
export class AckLedger<M = never> {
  private positions: Position[] = [];
  private head = 0;
  /** Sequence number of `positions[0]` minus one. */
  private base = 0;
  private markSeqs: number[] = [];
  private markValues: M[] = [];
  private markHead = 0;

  /** Records recorded so far (the sequence number of the last one). */
  get recorded(): number {
    return this.base + this.positions.length;
  }

  /** Sequence number of the last acked record. */
  get acked(): number {
    return this.base + this.head;
  }

  /** Records recorded and not acked yet. */
  get pending(): number {
    return this.positions.length - this.head;
  }

  /** Marks not released yet. */
  get marks(): number {
    return this.markSeqs.length - this.markHead;
  }

  /** Everything recorded is acked and every mark released: nothing is owed upstream. */
  get idle(): boolean {
    return this.head === this.positions.length && this.markHead === this.markSeqs.length;
  }

  /** Records the next record handed out; returns its sequence number. */
  record(position: Position): number {
    this.positions.push(position);
    return this.base + this.positions.length;
  }

  /** Attaches `value` to everything recorded so far; `release` hands it out once all is acked. */
  mark(value: M): void {
    this.markSeqs.push(this.recorded);
    this.markValues.push(value);
  }

  /**
   * Acks up to the last of `positions` (read order: acking it acks all before it). Returns the
   * position acked up to, or `undefined` when the last one is not pending (acked already, or
   * never recorded here): nothing changes then.
   */
  ack(positions: readonly Position[]): Position | undefined {
    const n = positions.length;
    if (n === 0 || this.head === this.positions.length) return undefined;
    const list = this.positions;
    // Usual case: a whole read, or its first part, acked in order right after the last ack.
    const last = positions[n - 1]!;
    const guess = this.head + n - 1;
    let found = guess < list.length && list[guess] === last ? guess : -1;
    if (found < 0) found = this.indexOf(last);
    if (found < 0) return undefined;
    const at = list[found]!;
    this.head = found + 1;
    if (this.head === list.length) {
      this.base += list.length;
      this.positions = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > list.length) {
      this.base += this.head;
      this.positions = list.slice(this.head);
      this.head = 0;
    }
    return at;
  }

  /** Calls `each` with every mark whose records are all acked, in order, and forgets them. */
  release(each: (value: M) => void): void {
    const acked = this.acked;
    const seqs = this.markSeqs;
    let i = this.markHead;
    while (i < seqs.length && seqs[i]! <= acked) each(this.markValues[i++]!);
    if (i === this.markHead) return;
    if (i === seqs.length) {
      this.markSeqs = [];
      this.markValues = [];
      this.markHead = 0;
    } else if (i > 1024 && i * 2 > seqs.length) {
      this.markSeqs = seqs.slice(i);
      this.markValues = this.markValues.slice(i);
      this.markHead = 0;
    } else {
      this.markHead = i;
    }
  }

  private indexOf(p: Position): number {
    const list = this.positions;
    for (let j = this.head; j < list.length; j++) if (list[j] === p) return j;
    for (let j = this.head; j < list.length; j++) if (sameBytes(list[j]!, p)) return j;
    return -1;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
