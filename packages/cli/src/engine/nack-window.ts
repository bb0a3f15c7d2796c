/**
 * Conduit's dead-letter window: the last `size` outcomes (ack or nack) of written records.
 * A nack that brings the nacks inside the window above `threshold` stops the pipeline.
 * `size` 0 disables the window: every failed record is dead-lettered and the pipeline goes on.
 * Default (size 1, threshold 0): the first failed record stops the pipeline.
 */
export class NackWindow {
  private readonly ring: boolean[];
  private cursor = 0;
  private nacks = 0;

  constructor(
    readonly size: number,
    readonly threshold: number,
  ) {
    this.ring = new Array<boolean>(size).fill(false);
  }

  /** Records `n` successful writes. */
  ack(n = 1): void {
    if (this.size === 0) return;
    if (n >= this.size) {
      this.ring.fill(false);
      this.nacks = 0;
      this.cursor = 0;
      return;
    }
    for (let i = 0; i < n; i++) this.push(false);
  }

  /** Records one failed write; returns false when the pipeline must stop. */
  nack(): boolean {
    if (this.size === 0) return true;
    this.push(true);
    return this.nacks <= this.threshold;
  }

  private push(nack: boolean): void {
    if (this.ring[this.cursor]) this.nacks--;
    this.ring[this.cursor] = nack;
    if (nack) this.nacks++;
    this.cursor = (this.cursor + 1) % this.size;
  }
}
