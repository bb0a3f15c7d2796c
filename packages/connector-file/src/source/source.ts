/**
 * The file source: each line of the file is a `create` record (key: the line number, payload
 * after: the line's bytes, metadata `file.path`), as Conduit's file source makes it; lines
 * appended later are read as they arrive.
 *
 * As Conduit's: the file may not exist yet (the source waits for it); when it shrinks below
 * what was read (truncated), reading starts over at its beginning; when it is deleted or
 * replaced, the source stops (here with an error saying so; Conduit's stops quietly).
 */
import type { Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { createRecord, type OpenCDCRecord } from '@opencdc-ts/commons';
import { AbortedError, type ConnectorContext, type Position, type Source } from '@opencdc-ts/sdk';
import type { FileConfig } from '../config.js';
import { FileChanges } from './changes.js';
import { countLines, type Line, LineReader } from './line-reader.js';
import { decimalBytes, decodePosition, encodePosition } from './position.js';

/** The metadata key holding the source file's path (Conduit's `file.path`). */
export const METADATA_FILE_PATH = 'file.path';

export interface FileSourceOptions {
  /** How often to look at the file when no change event came (milliseconds). Default 500. */
  readonly pollMs?: number;
}

interface OpenFile {
  readonly handle: FileHandle;
  /** Device and inode at open: the path pointing elsewhere means the file was replaced. */
  readonly dev: number;
  readonly ino: number;
  reader: LineReader;
  /** Line number of the last line handed out (1-based; 0 before the first). */
  line: number;
}

export class FileSource implements Source {
  private readonly path: string;
  private readonly pollMs: number;
  private changes: FileChanges | undefined;
  private file: OpenFile | undefined;
  /** Offset to start at once the file is there (from the position given to `open`). */
  private startAt = 0;
  private waitingLogged = false;
  private closed = false;

  constructor(
    config: FileConfig,
    private readonly ctx: ConnectorContext,
    options: FileSourceOptions = {},
  ) {
    this.path = config.path;
    this.pollMs = options.pollMs ?? 500;
  }

  async open(position: Position | undefined): Promise<void> {
    this.startAt = position === undefined || position.length === 0 ? 0 : decodePosition(position);
    this.changes = new FileChanges(this.path, this.pollMs);
    await this.openFile();
  }

  async read(maxRecords: number, signal: AbortSignal): Promise<OpenCDCRecord[]> {
    const changes = this.changes;
    if (!changes) throw new Error('file source: read before open');
    try {
      for (;;) {
        if (this.closed) throw new AbortedError('source closed');
        changes.reset();
        const file = this.file ?? (await this.openFile());
        if (file) {
          const lines = await file.reader.lines(maxRecords);
          if (lines.length > 0) return lines.map((l) => this.toRecord(file, l));
          await this.checkFile(file);
        }
        await changes.wait(signal);
      }
    } catch (err) {
      // A teardown during a read closes the file under it: that read was stopped, not failed.
      if (this.closed && !(err instanceof AbortedError)) throw new AbortedError('source closed');
      throw err;
    }
  }

  /** Nothing to acknowledge: the position alone says where to continue. */
  async ack(): Promise<void> {}

  async teardown(): Promise<void> {
    this.closed = true;
    this.changes?.close();
    const handle = this.file?.handle;
    this.file = undefined;
    await handle?.close();
  }

  private toRecord(file: OpenFile, line: Line): OpenCDCRecord {
    file.line++;
    return createRecord({
      position: encodePosition(line.end),
      metadata: { [METADATA_FILE_PATH]: this.path },
      key: decimalBytes(file.line),
      after: line.bytes,
    });
  }

  /** Opens the file at `startAt`, or returns `undefined` while it does not exist. */
  private async openFile(): Promise<OpenFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!this.waitingLogged)
        this.ctx.logger.info('file source: waiting for the file to appear', { path: this.path });
      this.waitingLogged = true;
      return undefined;
    }
    try {
      const st = await handle.stat();
      let offset = this.startAt;
      if (st.size < offset) {
        // Shorter than where we stopped: truncated (or a new file) while the source was down.
        this.ctx.logger.warn(
          'file source: file is shorter than the position, reading it from the start',
          {
            path: this.path,
            position: offset,
            size: st.size,
          },
        );
        offset = 0;
      }
      // Line numbers count from the file's start, so a record's key is the same after a restart.
      const line = offset > 0 ? await countLines(handle, offset) : 0;
      this.file = {
        handle,
        dev: st.dev,
        ino: st.ino,
        reader: new LineReader(handle, offset),
        line,
      };
      return this.file;
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
  }

  /** At the end of the file: starts over when it was truncated, stops when it is gone. */
  private async checkFile(file: OpenFile): Promise<void> {
    let st: Stats;
    try {
      st = await stat(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new Error(
        `file source: ${this.path} was deleted or moved away; the source stops (as Conduit's does): restart the pipeline once the file is back`,
      );
    }
    if (st.dev !== file.dev || st.ino !== file.ino)
      throw new Error(
        `file source: ${this.path} was replaced by another file; the source stops (as Conduit's does): restart the pipeline to read the new file`,
      );
    if (st.size < file.reader.readTo) {
      this.ctx.logger.warn('file source: file was truncated, reading it from the start', {
        path: this.path,
        size: st.size,
        offset: file.reader.offset,
      });
      file.reader = new LineReader(file.handle, 0);
      file.line = 0;
    }
  }
}
