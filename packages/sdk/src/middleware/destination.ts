import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { Destination } from '../connector.js';
import { RecordError } from '../errors.js';
import { type Clock, systemClock } from './clock.js';
import { type RecordFormatter, recordFormatter } from './format/index.js';
import type { DestinationMiddlewareConfig } from './params.js';
import { RateLimiter } from './rate.js';

/** The formatter each record is to be written with (set per write by the middleware). */
const FORMATTERS = new WeakMap<OpenCDCRecord, RecordFormatter>();
let defaultFormatter: RecordFormatter | undefined;

/**
 * A record as bytes in the format its destination's `sdk.record.format` asks for (Conduit's
 * `record.Bytes()`): what a destination that writes bytes (a Kafka message value, a file line)
 * writes. Outside a middleware-wrapped write, the default `opencdc/json`.
 */
export function recordBytes(record: OpenCDCRecord): Uint8Array {
  const f = FORMATTERS.get(record);
  if (f) return f(record);
  defaultFormatter ??= recordFormatter();
  return defaultFormatter(record);
}

/**
 * A destination with Conduit's destination middleware: writes of at most `sdk.batch.size`
 * records, `sdk.rate.perSecond`/`sdk.rate.burst` rate limiting (a write larger than the burst
 * is split, each part waiting for its tokens), and `sdk.record.format` for `recordBytes`.
 * A `RecordError` of a part is re-indexed to the whole write.
 */
export function withDestinationMiddleware(
  dest: Destination,
  cfg: DestinationMiddlewareConfig,
  clock: Clock = systemClock,
): Destination {
  const limiter = RateLimiter.fromSettings(cfg['sdk.rate.perSecond'], cfg['sdk.rate.burst'], clock);
  const formatted = cfg['sdk.record.format'] !== 'opencdc/json';
  if (!limiter && cfg['sdk.batch.size'] === 0 && !formatted) return dest;
  const formatter = formatted ? recordFormatter(cfg) : undefined;
  let part = cfg['sdk.batch.size'] > 0 ? cfg['sdk.batch.size'] : Number.POSITIVE_INFINITY;
  if (limiter) part = Math.min(part, limiter.burst);
  // Batches whose records `prepare` already gave the formatter: `write` need not again.
  const givenFormatter = new WeakSet<readonly OpenCDCRecord[]>();
  return {
    open: (signal) => dest.open(signal),
    ...(dest.check ? { check: (signal?: AbortSignal) => dest.check!(signal) } : {}),
    teardown: () => dest.teardown(),
    // Passed on for a batch written whole (one part: the same array reaches `dest.write`); a
    // batch split into parts is written as new arrays, which `prepare` would not have seen.
    ...(dest.prepare
      ? {
          prepare: (records: readonly OpenCDCRecord[]) => {
            if (records.length > part) return;
            if (formatter) {
              for (const r of records) FORMATTERS.set(r, formatter);
              givenFormatter.add(records);
            }
            dest.prepare!(records);
          },
        }
      : {}),
    async write(records: readonly OpenCDCRecord[], signal?: AbortSignal): Promise<void> {
      if (formatter && !givenFormatter.delete(records))
        for (const r of records) FORMATTERS.set(r, formatter);
      for (let at = 0; at < records.length; at += part) {
        const chunk = at === 0 && records.length <= part ? records : records.slice(at, at + part);
        if (limiter) await limiter.wait(chunk.length, signal);
        try {
          await dest.write(chunk, signal);
        } catch (err) {
          if (at > 0 && err instanceof RecordError)
            throw new RecordError(err.message, at + err.index, { cause: err });
          throw err;
        }
      }
    },
  };
}
