import { createRecord, type OpenCDCRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import type { ConnectorContext, ConnectorSide, Destination, Source } from '../connector.js';
import { ConfigErrors, RecordError } from '../errors.js';
import { defineConfig } from '../params/config.js';
import { param } from '../params/param.js';
import { recordBytes, withDestinationMiddleware } from './destination.js';
import { FakeClock } from './fake-clock.test-helper.js';
import {
  destinationMiddlewareConfig,
  processorMiddlewareConfig,
  refuseSchemaTrue,
} from './params.js';
import {
  applyDestinationBatching,
  withDestinationSideMiddleware,
  withMiddleware,
  withSourceMiddleware,
} from './wrap.js';

const ctx: ConnectorContext = {
  connectorId: 'p:c',
  logger: { debug() {}, info() {}, warn() {}, error() {} },
};

const own = defineConfig({ url: param.string({ required: true }) });

function recordingDestination() {
  const writes: OpenCDCRecord[][] = [];
  const bytes: string[] = [];
  const dest: Destination = {
    open: async () => {},
    write: async (records) => {
      writes.push([...records]);
      for (const r of records) bytes.push(new TextDecoder().decode(recordBytes(r)));
    },
    teardown: async () => {},
  };
  return { dest, writes, bytes };
}

const destSide = (d: Destination): ConnectorSide<{ url: string }, Destination> => ({
  config: own,
  create: () => d,
});

const rec = (i: number) => createRecord({ position: new Uint8Array([i]), after: { id: i } });

describe('middleware on a connector side', () => {
  it("publishes the sdk parameters after the connector's and keeps sdk keys from its parser", () => {
    const seen: { [k: string]: string }[] = [];
    const side = withSourceMiddleware<{ url: string }>({
      config: {
        parameters: own.parameters,
        parse: (raw) => {
          seen.push({ ...raw });
          return own.parse(raw);
        },
      },
      create: () => ({}) as Source,
    });
    expect(Object.keys(side.config.parameters)[0]).toBe('url');
    expect(Object.keys(side.config.parameters)).toContain('sdk.batch.size');
    const c = side.config.parse({ url: 'x', 'sdk.batch.size': '10', 'sdk.batch.delay': '1s' });
    expect(c).toEqual({ url: 'x' });
    expect(seen).toEqual([{ url: 'x' }]);
  });

  it('reports the errors of both parsers together, with a hint for a misspelt sdk key', () => {
    const side = withDestinationSideMiddleware(destSide(recordingDestination().dest));
    let err: unknown;
    try {
      side.config.parse({ 'sdk.rate.persecond': '5', 'sdk.batch.size': '-1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigErrors);
    const messages = (err as ConfigErrors).errors.map((e) => e.message).join('\n');
    expect(messages).toMatch(/sdk.rate.persecond.*did you mean "sdk.rate.perSecond"/);
    expect(messages).toMatch(/sdk.batch.size/);
    expect(messages).toMatch(/"url".*required/);
  });

  it('accepts schema extraction false and refuses true, naming the missing schema registry', () => {
    const src = withSourceMiddleware({ config: own, create: () => ({}) as Source });
    expect(() =>
      src.config.parse({
        url: 'x',
        'sdk.schema.extract.payload.enabled': 'false',
        'sdk.schema.extract.key.enabled': 'false',
      }),
    ).not.toThrow();
    expect(() => src.config.parse({ url: 'x', 'sdk.schema.extract.key.enabled': 'true' })).toThrow(
      /schema registry/,
    );
    const dst = withDestinationSideMiddleware(destSide(recordingDestination().dest));
    expect(() =>
      dst.config.parse({ url: 'x', 'sdk.schema.extract.payload.enabled': 'true' }),
    ).toThrow(/schema registry/);
  });

  it('names the schema parameters set to true, each with the missing registry', () => {
    const src = withSourceMiddleware({ config: own, create: () => ({}) as Source });
    let err: unknown;
    try {
      src.config.parse({
        url: 'x',
        'sdk.schema.extract.key.enabled': 'true',
        'sdk.schema.extract.payload.enabled': 'true',
      });
    } catch (e) {
      err = e;
    }
    expect((err as ConfigErrors).errors.map((e) => [e.parameter, e.rule])).toEqual([
      ['sdk.schema.extract.key.enabled', 'needs a schema registry'],
      ['sdk.schema.extract.payload.enabled', 'needs a schema registry'],
    ]);
    // the processors' parameters follow the same rule
    const p = processorMiddlewareConfig.parse({
      'sdk.schema.decode.payload.enabled': 'true',
      'sdk.schema.encode.key.enabled': 'false',
    });
    expect(() => refuseSchemaTrue(p)).toThrow(/sdk.schema.decode.payload.enabled.*schema registry/);
    expect(() =>
      refuseSchemaTrue(
        processorMiddlewareConfig.parse({ 'sdk.schema.decode.key.enabled': 'false' }),
      ),
    ).not.toThrow();
  });

  it('refuses a record template that does not parse at configuration time', () => {
    const dst = withDestinationSideMiddleware(destSide(recordingDestination().dest));
    expect(() =>
      dst.config.parse({
        url: 'x',
        'sdk.record.format': 'template',
        'sdk.record.format.options': '{{ .Payload.After.id',
      }),
    ).toThrow(/sdk.record.format.options/);
  });

  it('hands the formatter to the destination through recordBytes', async () => {
    const r = recordingDestination();
    const side = withDestinationSideMiddleware(destSide(r.dest));
    const config = side.config.parse({
      url: 'x',
      'sdk.record.format': 'template',
      'sdk.record.format.options': 'id={{ .Payload.After.id }}',
    });
    const d = side.create(config, ctx);
    await d.write([rec(1), rec(2)]);
    expect(r.bytes).toEqual(['id=1', 'id=2']);
  });

  it('withMiddleware is idempotent and adds the parameters to the specification', () => {
    const connector = {
      specification: {
        name: 'x',
        summary: '',
        description: '',
        version: '1.0.0',
        author: '',
        sourceParams: {},
        destinationParams: own.parameters,
        features: {},
      },
      destination: destSide(recordingDestination().dest),
    };
    const once = withMiddleware(connector);
    expect(Object.keys(once.specification.destinationParams)).toContain('sdk.record.format');
    expect(once.specification.sourceParams).toEqual({});
    expect(withMiddleware(once)).toBe(once);
  });

  it("a destination's sdk.batch.* shapes the source's reads unless the source sets its own", () => {
    const src = withSourceMiddleware({ config: own, create: () => ({}) as Source });
    const dst = withDestinationSideMiddleware(destSide(recordingDestination().dest));
    const d1 = dst.config.parse({ url: 'x', 'sdk.batch.size': '100', 'sdk.batch.delay': '5s' });
    const d2 = dst.config.parse({ url: 'x', 'sdk.batch.size': '50' });
    const plain = src.config.parse({ url: 'x' });
    applyDestinationBatching(plain, [d1, d2]);
    const own1 = src.config.parse({ url: 'x', 'sdk.batch.size': '7' });
    applyDestinationBatching(own1, [d1]);
    // observable through what the created source asks of the connector
    const asked: number[] = [];
    const inner: Source = {
      open: async () => {},
      read: async (max) => {
        asked.push(max);
        return Array.from({ length: max }, (_, i) => rec(i));
      },
      ack: async () => {},
      teardown: async () => {},
    };
    const side = withSourceMiddleware({ config: own, create: () => inner });
    const signal = new AbortController().signal;
    return (async () => {
      await side.create(plain, ctx).read(2048, signal);
      await side.create(own1, ctx).read(2048, signal);
      expect(asked).toEqual([50, 7]);
    })();
  });

  it("caps every read at a rate-limited destination's burst, without waiting for more", async () => {
    const src = withSourceMiddleware({ config: own, create: () => ({}) as Source });
    const dst = withDestinationSideMiddleware({ config: own, create: () => ({}) as Destination });
    const limited = dst.config.parse({
      url: 'x',
      'sdk.rate.perSecond': '8',
      'sdk.rate.burst': '2',
    });
    const noBurst = dst.config.parse({ url: 'x', 'sdk.rate.perSecond': '2.5' });
    const asked: number[] = [];
    const inner: Source = {
      open: async () => {},
      read: async (max) => {
        asked.push(max);
        return [rec(0)]; // fewer than asked: a capped read returns at once
      },
      ack: async () => {},
      teardown: async () => {},
    };
    const side = withSourceMiddleware({ config: own, create: () => inner });
    const signal = new AbortController().signal;
    for (const d of [limited, noBurst]) {
      const plain = src.config.parse({ url: 'x' });
      applyDestinationBatching(plain, [d]);
      expect(await side.create(plain, ctx).read(2048, signal)).toHaveLength(1);
    }
    const own7 = src.config.parse({ url: 'x', 'sdk.batch.size': '7', 'sdk.batch.delay': '1ms' });
    applyDestinationBatching(own7, [limited]);
    await side.create(own7, ctx).read(2048, signal);
    expect(asked.slice(0, 3)).toEqual([2, 3, 2]);
  });
});

describe('withDestinationMiddleware', () => {
  const cfg = (raw: { [k: string]: string }) => destinationMiddlewareConfig.parse(raw);

  it('returns the destination itself when nothing is configured', () => {
    const { dest } = recordingDestination();
    expect(withDestinationMiddleware(dest, cfg({}))).toBe(dest);
  });

  it('writes at most sdk.batch.size records at once and re-indexes a RecordError', async () => {
    const writes: number[] = [];
    const dest: Destination = {
      open: async () => {},
      write: async (records) => {
        writes.push(records.length);
        if (writes.length === 2) throw new RecordError('bad', 1);
      },
      teardown: async () => {},
    };
    const d = withDestinationMiddleware(dest, cfg({ 'sdk.batch.size': '3' }));
    const err = await d.write([0, 1, 2, 3, 4, 5, 6].map(rec)).catch((e: unknown) => e);
    expect(writes).toEqual([3, 3]);
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).index).toBe(4);
  });

  it('passes prepare on for a batch written whole, in the configured record format', async () => {
    const prepared: string[][] = [];
    const dest: Destination = {
      open: async () => {},
      prepare: (records) => {
        prepared.push(records.map((r) => new TextDecoder().decode(recordBytes(r))));
      },
      write: async (records) => {
        written.push(records.map((r) => new TextDecoder().decode(recordBytes(r))));
      },
      teardown: async () => {},
    };
    const written: string[][] = [];
    const d = withDestinationMiddleware(
      dest,
      cfg({
        'sdk.batch.size': '3',
        'sdk.record.format': 'template',
        'sdk.record.format.options': 'id={{ .Payload.After.id }}',
      }),
    );
    const batch = [1, 2].map(rec);
    d.prepare?.(batch);
    d.prepare?.([1, 2, 3, 4].map(rec)); // written in parts: nothing to prepare
    expect(prepared).toEqual([['id=1', 'id=2']]);
    await d.write(batch); // prepared: the records already have their formatter
    await d.write(batch); // written again (a retry): still formatted
    expect(written).toEqual([
      ['id=1', 'id=2'],
      ['id=1', 'id=2'],
    ]);
    const plain = withDestinationMiddleware(
      { open: dest.open, write: dest.write, teardown: dest.teardown },
      cfg({ 'sdk.batch.size': '3' }),
    );
    expect(plain.prepare).toBeUndefined();
  });

  it('rate limits: bursts of sdk.rate.burst records, paced at sdk.rate.perSecond', async () => {
    const clock = new FakeClock();
    const r = recordingDestination();
    const d = withDestinationMiddleware(
      r.dest,
      cfg({ 'sdk.rate.perSecond': '8', 'sdk.rate.burst': '2' }),
      clock,
    );
    let done = -1;
    const p = d.write([0, 1, 2, 3, 4, 5].map(rec)).then(() => (done = clock.now()));
    while (done < 0) await clock.advance(10);
    await p;
    expect(r.writes.map((w) => w.length)).toEqual([2, 2, 2]);
    // 6 records at 8/s, starting with a full bucket of 2: the other 4 take 500ms
    expect(done).toBe(500);
  });
});
