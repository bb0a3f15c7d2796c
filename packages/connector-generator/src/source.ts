import { readFile } from 'node:fs/promises';
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { ConfigError, type Position, type Source } from '@opencdc-ts/sdk';
import { decodePosition, RecordGenerator, SEEDED_EPOCH_MS } from './generator.js';
import type { GeneratorConfig } from './model.js';
import { randomSeed } from './prng.js';
import { activeTime, inGeneratePhase, nextGeneratePhase, sleep, wallTimeFor } from './schedule.js';

/** A paced reader that falls this far behind drops the backlog instead of bursting it out. */
const MAX_BACKLOG_S = 1;

/** Unix nanoseconds as decimal text, from fractional milliseconds. */
function nanos(ms: number): string {
  const whole = Math.floor(ms);
  return `${whole}${String(Math.floor((ms - whole) * 1e6)).padStart(6, '0')}`;
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/**
 * The generator as a source. Nothing upstream to acknowledge: the position alone lets a seeded
 * run resume exactly (see README), so `ack` has nothing to do.
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
      if (signal.aborted) return [];
      if (gen.done) {
        // Bounded runs stay open (a source never ends on its own) but produce nothing more.
        await waitForAbort(signal);
        return [];
      }
      const elapsed = performance.now() - this.startMs;
      const wallMs = performance.timeOrigin + performance.now();
      const readAt = nanos(wallMs);
      const out: OpenCDCRecord[] = [];
      let waitMs: number;
      if (gen.nextVirtualTime() === 0) {
        // Unlimited: as many as asked, within generate phases.
        if (inGeneratePhase(elapsed, burst)) {
          while (out.length < max && !gen.done) out.push(gen.next(readAt, wallMs, seeded));
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
          out.push(gen.next(readAt, wallMs, seeded));
        }
        if (out.length > 0) return out;
        const dueActive = (gen.nextVirtualTime() - this.baseVirtual) * 1000;
        waitMs = wallTimeFor(dueActive, burst) - elapsed;
      }
      if (!(await sleep(Math.max(1, Math.ceil(waitMs)), signal))) return [];
    }
  }

  async ack(_positions: readonly Position[]): Promise<void> {
    // Nothing upstream to acknowledge.
  }

  async teardown(): Promise<void> {
    this.gen = undefined;
  }
}
