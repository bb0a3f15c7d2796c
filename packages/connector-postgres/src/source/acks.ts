/**
 * Acks → flushed LSNs. Every emitted record is in flight until the runtime acks its position
 * (acking P acks everything emitted before P); a committed transaction's end LSN is flushed to
 * the server only once every record emitted up to its commit is acked. Nothing else moves the
 * slot, except `idle` (everything acked, nothing pending) letting it follow keepalives.
 */
import type { Position } from '@opencdc-ts/sdk';

export class Acks {
  // Every emitted record gets a sequence number; acks map back to it.
  private emittedSeq = 0;
  private ackedSeq = 0;
  /** Emitted, not yet acked positions; `inflight[j]` has sequence `inflightBase + j + 1`. */
  private inflight: Uint8Array[] = [];
  private inflightHead = 0;
  private inflightBase = 0;
  /** Committed transactions whose end LSN may be flushed once all their records are acked. */
  private committed: { endLsn: bigint; requiresSeq: number }[] = [];

  /** `flush`: tells the server the slot may move to this LSN. */
  constructor(private readonly flush: (lsn: bigint) => void) {}

  /** A record was handed to the buffer. */
  emitted(position: Position): void {
    this.emittedSeq++;
    this.inflight.push(position);
  }

  /** A transaction ended: its end LSN is flushed once its records (and all before) are acked. */
  commit(endLsn: bigint): void {
    this.committed.push({ endLsn, requiresSeq: this.emittedSeq });
    this.release();
  }

  /** No committed transaction waits and every emitted record is acked. */
  get idle(): boolean {
    return this.committed.length === 0 && this.ackedSeq === this.emittedSeq;
  }

  ack(positions: readonly Position[]): void {
    const last = positions[positions.length - 1];
    if (!last) return;
    // Acking P acks everything read before P: find P among in-flight records.
    let found = -1;
    // Usually the very object we handed out; a copy (e.g. from a state store) is compared by bytes.
    for (let j = this.inflightHead; j < this.inflight.length && found < 0; j++)
      if (this.inflight[j] === last) found = j;
    for (let j = this.inflightHead; j < this.inflight.length && found < 0; j++)
      if (sameBytes(this.inflight[j]!, last)) found = j;
    if (found < 0) return;
    this.ackedSeq = this.inflightBase + found + 1;
    this.inflightHead = found + 1;
    if (this.inflightHead > 4096 || this.inflightHead === this.inflight.length) {
      this.inflight = this.inflight.slice(this.inflightHead);
      this.inflightBase += this.inflightHead;
      this.inflightHead = 0;
    }
    this.release();
  }

  /** Flushes the end LSN of every committed transaction whose records are all acked. */
  private release(): void {
    let flush: bigint | undefined;
    while (this.committed.length > 0 && this.committed[0]!.requiresSeq <= this.ackedSeq)
      flush = this.committed.shift()!.endLsn;
    if (flush !== undefined) this.flush(flush);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
