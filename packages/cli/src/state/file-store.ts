import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import type { PipelineState, StateStore } from './store.js';

/** How often, at most, a pipeline's JSON file is rewritten while saves go to its slots. */
const JSON_EVERY_MS = 1000;
/** A slot's header: magic, JSON length, CRC-32 of the sequence number and the JSON, sequence. */
const MAGIC = 0x3153434f; // "OCS1" read as a little-endian u32
const HEADER = 20;

/** A pipeline's slot file, open for the process's saves. */
interface Slots {
  fh: FileHandle;
  /** Bytes per slot (the file holds two). */
  size: number;
}

/**
 * One JSON file per pipeline in a directory (`<pipeline>.json`, what a person or an earlier
 * version reads), and beside it a slot file (`<pipeline>.json.slots`) where most saves go.
 *
 * Every save is durable when it resolves, also across an OS crash. The JSON file is replaced
 * atomically (a temporary file, fsynced, renamed over it, the directory fsynced), which commits
 * the file system's journal each time, and a journal commit flushes the dirty data of every
 * other file too (a Kafka broker's log on the same disk): saving that way after every batch
 * made generator → Kafka ~10 % slower. So the JSON file is rewritten at most once a second (by
 * a save, by a timer about a second after saves paused, and on `close`); the other saves
 * overwrite the older of two fixed slots in place and fdatasync it: no metadata changes, no
 * journal commit. Each slot carries a sequence number and a CRC, so a slot torn by a crash is
 * ignored; `load` takes the newest valid state of the JSON file and the slots. A reader of the
 * JSON file sees a complete state about a second old at most.
 */
export class FileStateStore implements StateStore {
  readonly description: string;
  private readonly dir: string;
  /** Per pipeline: the sequence number of its newest saved state. */
  private readonly seqs = new Map<string, bigint>();
  /** Per pipeline: when its JSON file was last written. */
  private readonly jsonAt = new Map<string, number>();
  /** Per pipeline: the newest state, when only a slot holds it (written to JSON on close). */
  private readonly unwritten = new Map<string, PipelineState>();
  private readonly slots = new Map<string, Slots>();
  /** Per pipeline: its saves and JSON rewrites, one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per pipeline: the timer that brings its JSON file up to date once saves pause. */
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.description = this.dir;
  }

  fileFor(pipelineId: string): string {
    return join(this.dir, `${encodeURIComponent(pipelineId)}.json`);
  }

  private slotsFor(pipelineId: string): string {
    return `${this.fileFor(pipelineId)}.slots`;
  }

  async load(pipelineId: string): Promise<PipelineState | undefined> {
    const found = await this.newest(pipelineId);
    this.seqs.set(pipelineId, found?.seq ?? 0n);
    return found?.state;
  }

  /** The newest valid state of the JSON file and the slots, with its sequence number. */
  private async newest(
    pipelineId: string,
  ): Promise<{ state: PipelineState; seq: bigint } | undefined> {
    let best: { state: PipelineState; seq: bigint } | undefined;
    const text = await readOrUndefined(this.fileFor(pipelineId));
    if (text !== undefined) {
      const { seq, ...state } = JSON.parse(text.toString('utf8')) as Partial<PipelineState> & {
        seq?: string;
      };
      best = {
        state: { connectors: {}, updatedAt: '', ...state },
        // Absent in files written before the slots (and 0 there): any slot is newer.
        seq: typeof seq === 'string' && /^\d{1,19}$/.test(seq) ? BigInt(seq) : 0n,
      };
    }
    const slots = await readOrUndefined(this.slotsFor(pipelineId));
    if (slots && slots.length % 2 === 0) {
      const size = slots.length / 2;
      for (const at of [0, size]) {
        const slot = readSlot(slots.subarray(at, at + size));
        if (slot && (!best || slot.seq > best.seq))
          best = { state: { connectors: {}, updatedAt: '', ...slot.state }, seq: slot.seq };
      }
    }
    return best;
  }

  /** Runs `f` after the pipeline's earlier saves and rewrites. */
  private queued<T>(pipelineId: string, f: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(pipelineId) ?? Promise.resolve()).then(f);
    this.queues.set(
      pipelineId,
      run.catch(() => {}),
    );
    return run;
  }

  save(pipelineId: string, state: PipelineState): Promise<void> {
    return this.queued(pipelineId, () => this.saveNow(pipelineId, state));
  }

  private async saveNow(pipelineId: string, state: PipelineState): Promise<void> {
    let seq = this.seqs.get(pipelineId);
    if (seq === undefined) seq = (await this.newest(pipelineId))?.seq ?? 0n;
    seq++;
    this.seqs.set(pipelineId, seq);
    const slots = this.slots.get(pipelineId);
    const due = Date.now() - (this.jsonAt.get(pipelineId) ?? 0) >= JSON_EVERY_MS;
    // The compact JSON: what a slot holds, and what sizes the slots.
    const json = JSON.stringify(state);
    const need = HEADER + Buffer.byteLength(json);
    if (!due && slots && need <= slots.size) {
      // Only the header and the JSON: what follows in the slot is never read.
      const slot = Buffer.allocUnsafe(need);
      writeSlot(slot, seq, json);
      await slots.fh.write(slot, 0, slot.length, Number(seq % 2n) * slots.size);
      await slots.fh.datasync();
      this.unwritten.set(pipelineId, state);
      this.catchUp(pipelineId);
      return;
    }
    await this.writeJson(pipelineId, state, seq);
    // The JSON file now holds the newest state: the slot file may be (re)created, empty.
    if (!slots || need > slots.size) await this.createSlots(pipelineId, need);
  }

  /**
   * Once saves pause (a pipeline idle, or stopped without `close`), the JSON file still gets the
   * newest state about a second later: whoever reads it sees the progress.
   */
  private catchUp(pipelineId: string): void {
    if (this.timers.has(pipelineId)) return;
    const wait = JSON_EVERY_MS - (Date.now() - (this.jsonAt.get(pipelineId) ?? 0));
    const timer = setTimeout(
      () => {
        this.timers.delete(pipelineId);
        // A failure shows at the next rewrite (a save a second later, or close), which throws.
        this.queued(pipelineId, async () => {
          const state = this.unwritten.get(pipelineId);
          if (state) await this.writeJson(pipelineId, state, this.seqs.get(pipelineId) ?? 0n);
        }).catch(() => {});
      },
      Math.max(wait, 0),
    );
    timer.unref(); // the slot already holds the state durably: no reason to keep a process up
    this.timers.set(pipelineId, timer);
  }

  /** Replaces the JSON file atomically and durably. */
  private async writeJson(pipelineId: string, state: PipelineState, seq: bigint): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.fileFor(pipelineId);
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(`${JSON.stringify({ ...state, seq: String(seq) }, null, 2)}\n`);
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
    await this.syncDir();
    this.jsonAt.set(pipelineId, Date.now());
    this.unwritten.delete(pipelineId);
  }

  /** A new slot file with room for twice `need` per slot (states grow slowly, if at all). */
  private async createSlots(pipelineId: string, need: number): Promise<void> {
    await this.slots.get(pipelineId)?.fh.close();
    this.slots.delete(pipelineId);
    const size = Math.ceil((need * 2) / 4096) * 4096;
    const fh = await open(this.slotsFor(pipelineId), 'w+');
    try {
      await fh.write(Buffer.alloc(size * 2), 0, size * 2, 0);
      await fh.sync();
    } catch (err) {
      await fh.close();
      throw err;
    }
    await this.syncDir();
    this.slots.set(pipelineId, { fh, size });
  }

  private async syncDir(): Promise<void> {
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  /** Writes each newest state only a slot holds to its JSON file; closes the slot files. */
  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.queues.values());
    for (const [id, state] of this.unwritten)
      await this.writeJson(id, state, this.seqs.get(id) ?? 0n);
    for (const { fh } of this.slots.values()) await fh.close();
    this.slots.clear();
  }
}

async function readOrUndefined(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Fills `slot`, sized `HEADER` + the JSON's UTF-8 bytes (the JSON is encoded in place). */
function writeSlot(slot: Buffer, seq: bigint, json: string): void {
  const length = slot.write(json, HEADER);
  slot.writeUInt32LE(MAGIC, 0);
  slot.writeUInt32LE(length, 4);
  slot.writeBigUInt64LE(seq, 12);
  slot.writeUInt32LE(crc32(slot.subarray(12, HEADER + length)), 8);
}

/** A slot's state and sequence number; undefined when empty, torn or not a slot. */
function readSlot(slot: Buffer): { state: Partial<PipelineState>; seq: bigint } | undefined {
  if (slot.length < HEADER || slot.readUInt32LE(0) !== MAGIC) return undefined;
  const length = slot.readUInt32LE(4);
  if (HEADER + length > slot.length) return undefined;
  if (crc32(slot.subarray(12, HEADER + length)) !== slot.readUInt32LE(8)) return undefined;
  return {
    state: JSON.parse(slot.toString('utf8', HEADER, HEADER + length)) as Partial<PipelineState>,
    seq: slot.readBigUInt64LE(12),
  };
}
