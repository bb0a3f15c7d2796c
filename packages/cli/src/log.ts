import type { Logger } from '@opencdc-ts/sdk';
import { jsonReplacer } from './plugins/record-map.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: { [l in LogLevel]: number } = { debug: 0, info: 1, warn: 2, error: 3 };

/** Where log lines go; the live progress display wraps it to keep its lines at the bottom. */
export interface LogSink {
  write(line: string, level: LogLevel): void;
}

export interface AppLogger extends Logger {
  child(fields: { [k: string]: unknown }): AppLogger;
}

export interface LoggerOptions {
  json: boolean;
  level: LogLevel;
  sink: LogSink;
}

/** Text logs are `HH:MM:SS.mmm LEVEL msg key=value`; JSON logs are one object per line. */
export function createLogger(opts: LoggerOptions, base: { [k: string]: unknown } = {}): AppLogger {
  const emit = (level: LogLevel, msg: string, fields?: { [k: string]: unknown }) => {
    if (ORDER[level] < ORDER[opts.level]) return;
    const all = { ...base, ...fields };
    if (opts.json) {
      const entry = { time: new Date().toISOString(), level, msg, ...all };
      opts.sink.write(
        stringifySafely(entry, (e) => ({ ...entry, ...unprintable(all, e) })),
        level,
      );
      return;
    }
    let parts: string[];
    try {
      parts = Object.entries(all)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${formatValue(v)}`);
    } catch (e) {
      parts = Object.entries(unprintable(all, e)).map(([k, v]) => `${k}=${formatValue(v)}`);
    }
    const time = new Date().toISOString().slice(11, 23);
    opts.sink.write(
      `${time} ${level.toUpperCase().padEnd(5)} ${msg}${parts.length ? ` ${parts.join(' ')}` : ''}`,
      level,
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...base, ...fields }),
  };
}

/**
 * A log call must never throw (it runs in error paths): a field JSON cannot write (a value too
 * deep for JSON.stringify, a cycle) is replaced by a note saying why.
 */
function stringifySafely(
  value: unknown,
  fallback: (err: unknown) => { [k: string]: unknown },
): string {
  try {
    return JSON.stringify(value, jsonReplacer);
  } catch (e) {
    return JSON.stringify(fallback(e), jsonReplacer);
  }
}

function unprintable(fields: { [k: string]: unknown }, err: unknown): { [k: string]: unknown } {
  const out: { [k: string]: unknown } = {};
  for (const [k, v] of Object.entries(fields)) {
    try {
      JSON.stringify(v, jsonReplacer);
      out[k] = v;
    } catch {
      out[k] = `(not printable: ${(err as Error)?.message ?? String(err)})`;
    }
  }
  return out;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s="]/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v, jsonReplacer) ?? String(v);
}

/** Logs to stderr (text) or stdout (JSON, for machines). */
export function streamSink(json: boolean): LogSink {
  const stream = json ? process.stdout : process.stderr;
  return { write: (line) => stream.write(`${line}\n`) };
}

/** A logger that drops everything (tests). */
export const silentLogger: AppLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
