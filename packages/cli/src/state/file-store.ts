import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PipelineState, StateStore } from './store.js';

/**
 * One JSON file per pipeline in a directory. A save writes a temporary file, fsyncs it, renames
 * it over the old one and fsyncs the directory: a crash leaves either the old or the new state,
 * never a torn file.
 */
export class FileStateStore implements StateStore {
  readonly description: string;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.description = this.dir;
  }

  fileFor(pipelineId: string): string {
    return join(this.dir, `${encodeURIComponent(pipelineId)}.json`);
  }

  async load(pipelineId: string): Promise<PipelineState | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileFor(pipelineId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const parsed = JSON.parse(text) as Partial<PipelineState>;
    return { connectors: {}, updatedAt: '', ...parsed };
  }

  async save(pipelineId: string, state: PipelineState): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.fileFor(pipelineId);
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(`${JSON.stringify(state, null, 2)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
    // The rename itself is durable only once the directory entry is.
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  async close(): Promise<void> {}
}
