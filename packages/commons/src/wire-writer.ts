// A minimal protobuf writer into one growing buffer. @bufbuild/protobuf's BinaryWriter collects
// bytes in a number[] and copies every nested message once per level on join(); a record is
// mostly nested Struct values, so writing in place is several times faster. A nested message
// reserves one length byte and moves its body only in the rare case it is 128 bytes or longer.
const encoder = new TextEncoder();
const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

export class WireWriter {
  private buf = new Uint8Array(1024);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** An unsigned varint of up to 32 bits (lengths, tags, enum values >= 0, bools). */
  varint(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  double(value: number): this {
    this.ensure(8);
    scratch.setFloat64(0, value, true);
    this.buf.set(scratchBytes, this.pos);
    this.pos += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  string(value: string): this {
    const n = value.length;
    if (n < 0x80) {
      // Short ASCII (the usual case) in JS: TextEncoder crosses into C++ per call.
      this.ensure(n + 1);
      const start = this.pos;
      this.buf[this.pos++] = n;
      for (let i = 0; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) {
          this.pos = start;
          return this.utf8(value);
        }
        this.buf[this.pos++] = c;
      }
      return this;
    }
    return this.utf8(value);
  }

  private utf8(value: string): this {
    const start = this.begin();
    this.ensure(value.length * 3);
    this.pos += encoder.encodeInto(value, this.buf.subarray(this.pos)).written;
    return this.end(start);
  }

  /** Starts a length-delimited body; pass the result to {@link end}. */
  begin(): number {
    this.ensure(1);
    this.pos++;
    return this.pos;
  }

  end(start: number): this {
    const len = this.pos - start;
    if (len < 0x80) {
      this.buf[start - 1] = len;
      return this;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.ensure(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    let at = start - 1;
    let v = len;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
    this.pos += extra;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
