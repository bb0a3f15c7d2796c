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

  /**
   * Writes a position without building its text: `parts` are precomputed ASCII byte runs and
   * `numbers` the non-negative integers between them (`parts.length === numbers.length + 1`).
   */
  interleave(parts: readonly Uint8Array[], numbers: readonly number[]): Uint8Array {
    let max = 0;
    for (const p of parts) max += p.length;
    max += numbers.length * 16;
    this.room(max);
    const chunk = this.chunk;
    const start = this.offset;
    let o = start;
    for (let i = 0; i < numbers.length; i++) {
      const p = parts[i]!;
      chunk.set(p, o);
      o += p.length;
      o = writeUint(chunk, o, numbers[i]!);
    }
    const last = parts[numbers.length]!;
    chunk.set(last, o);
    o += last.length;
    this.offset = o;
    return chunk.subarray(start, o);
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

/** Writes the decimal digits of a non-negative safe integer at `o`; returns the new offset. */
function writeUint(buf: Uint8Array, o: number, n: number): number {
  if (n < 10) {
    buf[o] = 48 + n;
    return o + 1;
  }
  let digits = 0;
  for (let x = n; x >= 1; x = Math.floor(x / 10)) digits++;
  let x = n;
  for (let i = digits - 1; i >= 0; i--) {
    const q = Math.floor(x / 10);
    buf[o + i] = 48 + (x - q * 10);
    x = q;
  }
  return o + digits;
}
