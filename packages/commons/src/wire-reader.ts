// A minimal protobuf reader, the counterpart of WireWriter: tags as plain numbers (no array per
// field), short ASCII strings decoded in JS (TextDecoder crosses into C++ per call), bounds
// checked on every read. Errors are plain Errors; fromProto wraps them in a DecodeError.
const decoder = new TextDecoder();

export const WIRE_VARINT = 0;
export const WIRE_BIT64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
export const WIRE_BIT32 = 5;

export class WireReader {
  pos = 0;
  readonly len: number;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.len = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private eof(): never {
    throw new RangeError('premature end of input');
  }

  /** A varint of up to 64 bits; returns its low 32 bits (as protobuf does for int32/uint32). */
  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.len) this.eof();
      const b = this.buf[this.pos++]!;
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
    throw new Error('varint longer than 10 bytes');
  }

  /** The next tag as `field << 3 | wireType`. */
  tag(): number {
    const t = this.varint() >>> 0;
    if (t >>> 3 === 0 || (t & 7) > 5)
      throw new Error(`illegal tag: field ${t >>> 3}, wire type ${t & 7}`);
    return t;
  }

  double(): number {
    if (this.pos + 8 > this.len) this.eof();
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns where the body ends. */
  end(): number {
    const len = this.varint() >>> 0;
    const stop = this.pos + len;
    if (stop > this.len) this.eof();
    return stop;
  }

  /** A copy: the input buffer may be reused by its owner after decoding. */
  bytes(): Uint8Array {
    const stop = this.end();
    const out = this.buf.slice(this.pos, stop);
    this.pos = stop;
    return out;
  }

  string(): string {
    const stop = this.end();
    const start = this.pos;
    this.pos = stop;
    if (stop - start <= 64) {
      let ascii = true;
      for (let i = start; i < stop; i++) {
        if (this.buf[i]! > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        // Typed arrays are array-likes: one call builds the string.
        return String.fromCharCode.apply(
          null,
          this.buf.subarray(start, stop) as unknown as number[],
        );
      }
    }
    return decoder.decode(this.buf.subarray(start, stop));
  }

  skip(tag: number): void {
    switch (tag & 7) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_BIT64:
        this.pos += 8;
        break;
      case WIRE_LENGTH_DELIMITED:
        this.pos = this.end();
        return;
      case WIRE_BIT32:
        this.pos += 4;
        break;
      case WIRE_START_GROUP:
        for (;;) {
          const t = this.tag();
          if ((t & 7) === WIRE_END_GROUP) {
            if (t >>> 3 !== tag >>> 3) throw new Error('mismatched end group tag');
            return;
          }
          this.skip(t);
        }
      default:
        throw new Error(`unexpected end group tag for field ${tag >>> 3}`);
    }
    if (this.pos > this.len) this.eof();
  }
}
