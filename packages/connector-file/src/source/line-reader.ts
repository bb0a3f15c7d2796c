/**
 * Complete lines of a file from a byte offset on, read in chunks. A line is only handed out
 * once its `\n` is in the file: a writer that has written half a line is waited for, so a
 * line never becomes two records (Conduit's tail would send the half as a record of its own).
 */
import type { FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

export interface Line {
  /**
   * The line without its `\n` (a `\r` before it is kept, as Conduit keeps it): a view into the
   * chunk it was read with.
   */
  readonly bytes: Uint8Array;
  /** Offset just past the line's `\n`: where the next line starts. */
  readonly end: number;
}

export class LineReader {
  /** Bytes read from the file, from offset `bufferStart` on (a Buffer: its indexOf is memchr). */
  private buffer: Buffer = EMPTY;
  private bufferStart: number;
  /** Index in `buffer` of the first byte not yet handed out as part of a line. */
  private consumed = 0;

  constructor(
    private readonly file: FileHandle,
    offset: number,
    private readonly chunkSize = 64 * 1024,
  ) {
    this.bufferStart = offset;
  }

  /** Offset just past the last line handed out (where reading resumes). */
  get offset(): number {
    return this.bufferStart + this.consumed;
  }

  /** Offset up to which the file has been read (past `offset` when a line is incomplete). */
  get readTo(): number {
    return this.bufferStart + this.buffer.length;
  }

  /**
   * Up to `max` complete lines, as many as the file holds now past `offset`: `[]` when it holds
   * no complete line (yet).
   */
  async lines(max: number): Promise<Line[]> {
    const out: Line[] = [];
    let searchFrom = this.consumed;
    while (out.length < max) {
      const nl = this.buffer.indexOf(NEWLINE, searchFrom);
      if (nl >= 0) {
        // A plain Uint8Array view into the chunk, not a copy: one allocation per chunk rather
        // than per line (the chunk's memory is never written again once lines point into it).
        const b = this.buffer;
        const bytes = new Uint8Array(b.buffer, b.byteOffset + this.consumed, nl - this.consumed);
        out.push({ bytes, end: this.bufferStart + nl + 1 });
        this.consumed = nl + 1;
        searchFrom = this.consumed;
        continue;
      }
      searchFrom = this.buffer.length - this.consumed;
      if (!(await this.readMore())) break;
    }
    return out;
  }

  /** Appends the next chunk of the file to what is left of the buffer; false at end of file. */
  private async readMore(): Promise<boolean> {
    const rest = this.buffer.subarray(this.consumed);
    // The unread rest (a partial line) first, then the chunk read straight behind it; a long
    // line at least doubles what is read, so it is copied O(log n) times, not O(n / chunk).
    const size = Math.max(this.chunkSize, rest.length);
    const next = Buffer.allocUnsafe(rest.length + size);
    rest.copy(next, 0);
    const { bytesRead } = await this.file.read(next, rest.length, size, this.readTo);
    if (bytesRead === 0) return false;
    this.bufferStart += this.consumed;
    this.buffer = next.subarray(0, rest.length + bytesRead);
    this.consumed = 0;
    return true;
  }
}

/** How many `\n` the file holds before `end`: the number of lines before that offset. */
export async function countLines(
  file: FileHandle,
  end: number,
  chunkSize = 1 << 20,
): Promise<number> {
  const chunk = Buffer.allocUnsafe(chunkSize);
  let count = 0;
  for (let at = 0; at < end; ) {
    const { bytesRead } = await file.read(chunk, 0, Math.min(chunkSize, end - at), at);
    if (bytesRead === 0) break;
    for (let i = chunk.indexOf(NEWLINE); i >= 0 && i < bytesRead; i = chunk.indexOf(NEWLINE, i + 1))
      count++;
    at += bytesRead;
  }
  return count;
}
