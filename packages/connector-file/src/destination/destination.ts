/**
 * The file destination: appends each record to the file as one line (its bytes in the
 * `sdk.record.format`, then `\n`), creating the file when missing, as Conduit's file
 * destination does. Unlike Conduit's, `write` resolves only once the lines are on disk
 * (fdatasync): the runtime acks the source right after.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { type ConnectorContext, type Destination, RecordError } from '@opencdc-ts/sdk';
import type { FileConfig } from '../config.js';
import { formatRecord } from './format.js';

const NEWLINE = new Uint8Array([0x0a]);

export class FileDestination implements Destination {
  private readonly path: string;
  private file: FileHandle | undefined;
  /**
   * Not a regular file (`/dev/null`, `/dev/stdout`, a FIFO: Conduit's examples write to
   * `/dev/null`): bytes are written as they are; there is nothing to sync or cut back.
   */
  private stream = false;

  constructor(
    config: FileConfig,
    private readonly ctx: ConnectorContext,
  ) {
    this.path = config.path;
  }

  async open(): Promise<void> {
    try {
      this.file = await open(this.path, 'ax');
      // A new file's name is on disk only once its directory is synced.
      await syncDirectory(dirname(this.path));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    this.file = await open(this.path, 'a+');
    this.stream = !(await this.file.stat()).isFile();
    if (!this.stream && !(await endsWithNewline(this.file))) {
      // A last line without its `\n`: a write cut short by a crash (or a file written by
      // something else). The next line starts on a line of its own rather than glued to it.
      this.ctx.logger.warn('file destination: the file does not end with a newline; adding one', {
        path: this.path,
      });
      await append(this.file, NEWLINE, false);
    }
  }

  async write(records: readonly OpenCDCRecord[]): Promise<void> {
    const file = this.file;
    if (!file) throw new Error('file destination: write before open');
    const parts: Uint8Array[] = [];
    let failed: { index: number; cause: unknown } | undefined;
    for (const [index, record] of records.entries()) {
      try {
        parts.push(formatRecord(record), NEWLINE);
      } catch (cause) {
        failed = { index, cause };
        break;
      }
    }
    // The records before one that cannot be formatted are written (and durable) first.
    if (parts.length > 0) await append(file, Buffer.concat(parts), this.stream);
    if (failed)
      throw new RecordError(
        `file destination: cannot format record ${failed.index}: ${(failed.cause as Error).message ?? failed.cause}`,
        failed.index,
        { cause: failed.cause },
      );
  }

  async teardown(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.close();
  }
}

/**
 * Appends `bytes` and syncs them. On failure (disk full, I/O error) the file is cut back to
 * where it was, best effort, so a retried batch does not follow half a line.
 */
async function append(file: FileHandle, bytes: Uint8Array, stream: boolean): Promise<void> {
  if (stream) return writeAll(file, bytes);
  const before = (await file.stat()).size;
  try {
    await writeAll(file, bytes);
    await file.datasync();
  } catch (err) {
    await file.truncate(before).catch(() => {});
    throw err;
  }
}

async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await file.write(bytes, at, bytes.length - at);
    at += bytesWritten;
  }
}

/** Whether the file is empty or its last byte is `\n`. */
async function endsWithNewline(file: FileHandle): Promise<boolean> {
  const { size } = await file.stat();
  if (size === 0) return true;
  const last = new Uint8Array(1);
  await file.read(last, 0, 1, size - 1);
  return last[0] === NEWLINE[0];
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some platforms and file systems cannot sync a directory; the file's data is synced anyway.
    if (
      !['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'].includes((err as NodeJS.ErrnoException).code ?? '')
    )
      throw err;
  } finally {
    await handle.close();
  }
}
