/**
 * Acks → flushed LSNs, on the sdk's `AckLedger`: every emitted record is recorded; a committed
 * transaction's end LSN is a mark, flushed to the server only once every record emitted up to
 * its commit is acked. Nothing else moves the slot, except `idle` (everything acked, no commit
 * pending) letting it follow keepalives.
 */
import { AckLedger, type Position } from '@opencdc-ts/sdk';

export class Acks {
  private readonly ledger = new AckLedger<bigint>();

  /** `flush`: tells the server the slot may move to this LSN. */
  constructor(private readonly flush: (lsn: bigint) => void) {}

  /** A record was handed to the buffer. */
  emitted(position: Position): void {
    this.ledger.record(position);
  }

  /** A transaction ended: its end LSN is flushed once its records (and all before) are acked. */
  commit(endLsn: bigint): void {
    this.ledger.mark(endLsn);
    this.release();
  }

  /** No committed transaction waits and every emitted record is acked. */
  get idle(): boolean {
    return this.ledger.idle;
  }

  ack(positions: readonly Position[]): void {
    if (this.ledger.ack(positions) !== undefined) this.release();
  }

  /** Flushes the end LSN of the last committed transaction whose records are all acked. */
  private release(): void {
    let lsn: bigint | undefined;
    this.ledger.release((l) => {
      lsn = l;
    });
    if (lsn !== undefined) this.flush(lsn);
  }
}
