import { readFile } from 'node:fs/promises';
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { AbortedError, ConfigError, type Position, type Source } from '@opencdc-ts/sdk';
import { decodePosition, RecordGenerator, SEEDED_EPOCH_MS } from './generator.js';
import type { GeneratorConfig } from './model.js';
import { randomSeed } from './prng.js';
import { activeTime, inGeneratePhase, nextGeneratePhase, sleep, wallTimeFor } from './schedule.js';

/** A paced reader that falls this far behind drops the backlog instead of bursting it out. */
const MAX_BACKLOG_S = 1;

/** The longest timer Node.js keeps (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The generator as a source. It produces on demand inside `read` (pacing is the read's, so no
 * buffer sits between a producer and `read`). Nothing upstream to acknowledge: the position
 * alone lets a seeded run resume exactly (see README), so `ack` has nothing to do. Abort follows
 * the Source contract: a read with nothing to return rejects with `AbortedError`.
 */
export class GeneratorSource implements Source {
  private gen: RecordGenerator | undefined;
  private startMs = 0;
  /** Virtual time (s) that corresponds to `startMs`. */
  private baseVirtual = 0;

  constructor(private readonly config: GeneratorConfig) {}

  async open(position: Position | undefined): Promise<void> {
    for (const c of this.config.collections) {
      if (c.format !== 'file' || c.path === undefined) continue;
      try {
        c.file = new Uint8Array(await readFile(c.path));
      } catch (e) {
        throw new ConfigError(
          {
            parameter: `${c.prefix}format.options.path`,
            value: c.path,
            rule: 'a readable file',
            fix: `check the path (${(e as Error).message})`,
          },
          { cause: e },
        );
      }
    }
    const state =
      position && position.length > 0 ? decodePosition(position, this.config) : undefined;
    const seeded = this.config.seed !== undefined;
    this.gen = new RecordGenerator(
      this.config,
      this.config.seed ?? randomSeed(),
      state,
      seeded ? SEEDED_EPOCH_MS : Date.now(),
    );
    this.startMs = performance.now();
    this.baseVirtual = this.gen.lastVirtualTime();
  }

  async read(maxRecords: number, signal: AbortSignal): Promise<OpenCDCRecord[]> {
    const gen = this.gen;
    if (!gen) throw new Error('generator: read before open');
    const { burst } = this.config;
    const seeded = this.config.seed !== undefined;
    const max = Math.max(1, maxRecords);
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      if (gen.done) {
        // Bounded runs stay open (a source never ends on its own) but produce nothing more.
        while (await sleep(MAX_TIMER_MS, signal));
        throw new AbortedError();
      }
      const elapsed = performance.now() - this.startMs;
      const wallMs = performance.timeOrigin + performance.now();
      const out: OpenCDCRecord[] = [];
      let waitMs: number;
      if (gen.nextVirtualTime() === 0) {
        // Unlimited: as many as asked, within generate phases.
        if (inGeneratePhase(elapsed, burst)) {
          while (out.length < max && !gen.done) out.push(gen.next(wallMs, seeded));
          return out;
        }
        waitMs = nextGeneratePhase(elapsed, burst) - elapsed;
      } else {
        const active = activeTime(elapsed, burst) / 1000;
        const lag = active - (gen.nextVirtualTime() - this.baseVirtual);
        if (lag > MAX_BACKLOG_S) this.baseVirtual += lag - MAX_BACKLOG_S;
        while (
          out.length < max &&
          !gen.done &&
          gen.nextVirtualTime() - this.baseVirtual <= active
        ) {
          out.push(gen.next(wallMs, seeded));
        }
        if (out.length > 0) return out;
        const dueActive = (gen.nextVirtualTime() - this.baseVirtual) * 1000;
        waitMs = wallTimeFor(dueActive, burst) - elapsed;
      }
      if (!(await sleep(Math.max(1, Math.ceil(waitMs)), signal))) throw new AbortedError();
    }
  }

  async ack(_positions: readonly Position[]): Promise<void> {
    // Nothing upstream to acknowledge.
  }

  async teardown(): Promise<void> {
    this.gen = undefined;
  }
}
