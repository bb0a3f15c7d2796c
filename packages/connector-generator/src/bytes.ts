/**
 * Hands out small byte views carved from shared 64 KiB chunks. Allocating an ArrayBuffer per
 * position and per raw payload dominated the generator's profile (a backing store each, and
 * GC pressure); views into a chunk cost an object only. A chunk lives while any record that
 * views it does, so memory stays proportional to the records in flight.
 */
const CHUNK = 64 * 1024;
const encoder = new TextEncoder();

export class BytePool {
  private chunk = new Uint8Array(CHUNK);
  private offset = 0;

  private room(n: number): void {
    if (this.offset + n > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(CHUNK, n));
      this.offset = 0;
    }
  }

  /** Bytes of an ASCII-only string (positions: JSON of numbers and `[A-Za-z0-9_-]` names). */
  ascii(s: string): Uint8Array {
    const n = s.length;
    this.room(n);
    const chunk = this.chunk;
    const start = this.offset;
    for (let i = 0; i < n; i++) chunk[start + i] = s.charCodeAt(i);
    this.offset = start + n;
    return chunk.subarray(start, start + n);
  }

  /** UTF-8 bytes of any string. */
  utf8(s: string): Uint8Array {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const max = s.length * 3;
    this.room(max);
    const start = this.offset;
    const { written } = encoder.encodeInto(s, this.chunk.subarray(start, start + max));
    this.offset = start + written;
    return this.chunk.subarray(start, start + written);
  }
}
