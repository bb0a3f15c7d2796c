import type { PipelineStats } from '../engine/stats.js';
import type { AppLogger, LogLevel, LogSink } from '../log.js';

export interface ProgressSnapshot {
  pipeline: string;
  status: string;
  recordsPerSecond: number;
  total: number;
  perCollection: { [collection: string]: number };
  deadLettered: number;
  retries: number;
  batches: number;
  lagMs: number | undefined;
}

/** Rates from the difference between two looks at the counters. */
export class RateTracker {
  private last = new Map<string, { total: number; at: number }>();
  snapshot(s: PipelineStats, now = Date.now()): ProgressSnapshot {
    const prev = this.last.get(s.pipelineId) ?? { total: 0, at: s.startedAt };
    const dt = Math.max(1, now - prev.at) / 1000;
    this.last.set(s.pipelineId, { total: s.total, at: now });
    return {
      pipeline: s.pipelineId,
      status: s.status,
      recordsPerSecond: Math.round((s.total - prev.total) / dt),
      total: s.total,
      perCollection: Object.fromEntries(s.perCollection),
      deadLettered: s.deadLettered,
      retries: s.retries,
      batches: s.batches,
      lagMs: s.lagMs,
    };
  }
}

const n = (x: number) => x.toLocaleString('en-US');

export function formatSnapshot(p: ProgressSnapshot, maxCollections = 6): string {
  const cols = Object.entries(p.perCollection).sort((a, b) => b[1] - a[1]);
  const shown = cols.slice(0, maxCollections).map(([c, k]) => `${c} ${n(k)}`);
  if (cols.length > maxCollections) shown.push(`+${cols.length - maxCollections} more`);
  const lag =
    p.lagMs === undefined
      ? ''
      : `  lag ${p.lagMs < 1000 ? `${p.lagMs}ms` : `${(p.lagMs / 1000).toFixed(1)}s`}`;
  const errs =
    p.deadLettered || p.retries ? `  dead-lettered ${p.deadLettered}  retries ${p.retries}` : '';
  return `${p.pipeline} [${p.status}] ${n(p.recordsPerSecond)} rec/s  total ${n(p.total)}${shown.length ? ` (${shown.join(', ')})` : ''}${errs}${lag}`;
}

export interface Progress {
  /** A log sink that keeps the live lines below the log output. */
  readonly sink: LogSink;
  start(stats: readonly PipelineStats[], logger: AppLogger): void;
  /** Renders a last time and stops the timer. */
  stop(): void;
}

/** Live lines on a terminal: redrawn in place, log lines scroll above them. */
export function ttyProgress(stream: NodeJS.WriteStream, intervalMs = 500): Progress {
  let stats: readonly PipelineStats[] = [];
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const rates = new RateTracker();
  let lines: string[] = [];
  const clear = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const draw = () => {
    const width = stream.columns || 120;
    for (const l of lines)
      stream.write(`${l.length > width - 1 ? `${l.slice(0, width - 2)}…` : l}\n`);
    drawn = lines.length;
  };
  const refresh = () => {
    lines = stats.map((s) => formatSnapshot(rates.snapshot(s)));
    clear();
    draw();
  };
  return {
    sink: {
      write(line: string, _level: LogLevel) {
        clear();
        stream.write(`${line}\n`);
        draw();
      },
    },
    start(s) {
      stats = s;
      timer = setInterval(refresh, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      refresh();
      drawn = 0; // leave the final lines on screen
    },
  };
}

/** Periodic log lines (text, or JSON objects with `--json`). */
export function logProgress(sink: LogSink, json: boolean, intervalMs = 5000): Progress {
  let timer: NodeJS.Timeout | undefined;
  let stats: readonly PipelineStats[] = [];
  let log: AppLogger | undefined;
  const rates = new RateTracker();
  const emit = () => {
    for (const s of stats) {
      const snap = rates.snapshot(s);
      if (json) log?.info('progress', { ...snap });
      else log?.info(`progress ${formatSnapshot(snap)}`);
    }
  };
  return {
    sink,
    start(s, logger) {
      stats = s;
      log = logger;
      timer = setInterval(emit, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      emit();
    },
  };
}
