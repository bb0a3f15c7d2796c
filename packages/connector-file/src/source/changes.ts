/**
 * Waiting for a file to change (appear, grow, shrink, go away). The directory is watched, so
 * a file that does not exist yet is seen when it is created; a poll timer backs the watch up
 * where file system events are missing (network file systems, a directory that does not exist
 * yet, a watch that failed), as tail does.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { AbortedError } from '@opencdc-ts/sdk';

export class FileChanges {
  private watcher: FSWatcher | undefined;
  /** A change arrived since the last `reset`: the next `wait` returns at once. */
  private changed = false;
  private wake: (() => void) | undefined;

  constructor(
    path: string,
    private readonly pollMs: number,
  ) {
    const name = basename(path);
    try {
      this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.notify();
      });
      // A watch that breaks (the directory removed) leaves the poll timer in charge.
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      this.watcher = undefined;
    }
  }

  /** Call before looking at the file: a change after this makes the next `wait` return. */
  reset(): void {
    this.changed = false;
  }

  /**
   * Resolves at the next change since `reset` (at once if one came), or after the poll interval;
   * rejects with `AbortedError` when `signal` aborts.
   */
  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new AbortedError());
    if (this.changed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = undefined;
      };
      const onAbort = (): void => {
        done();
        reject(new AbortedError());
      };
      const timer = setTimeout(() => {
        done();
        resolve();
      }, this.pollMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => {
        done();
        resolve();
      };
    });
  }

  close(): void {
    this.stopWatching();
    this.wake?.();
  }

  private notify(): void {
    this.changed = true;
    this.wake?.();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
