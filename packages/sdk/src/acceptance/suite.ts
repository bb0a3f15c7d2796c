import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { describe, it } from 'vitest';
import type { ConnectorContext, Destination, Logger, Position, Source } from '../connector.js';
import { AbortedError, ConfigErrors } from '../errors.js';
import type { RawConfig } from '../params/config.js';
import type { AcceptanceCheck, AcceptanceContext, AcceptanceOptions } from './options.js';
import { defaultCompare, defaultRecord, describe as describeRecord } from './records.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const NAME = /^[A-Za-z0-9_-]+(?:\.(?:[A-Za-z0-9_-]+|\*))*$|^\*(?:\.(?:[A-Za-z0-9_-]+|\*))*$/;
const run = Math.random().toString(36).slice(2, 7);
let counter = 0;

function fail(message: string): never {
  throw new Error(message);
}

/**
 * Registers the acceptance suite as vitest tests (call at the top level of a test file).
 * Checks that do not apply are reported as skipped with the reason.
 */
export function runAcceptanceTests<SC, DC>(options: AcceptanceOptions<SC, DC>): void {
  const checks = acceptanceChecks(options);
  const timeout = options.testTimeout ?? 60_000 + 3 * (options.readTimeout ?? 20_000);
  describe(options.name ?? `acceptance: ${options.connector.specification.name}`, () => {
    for (const group of ['specification', 'source', 'destination'] as const) {
      const mine = checks.filter((c) => c.group === group);
      if (mine.length === 0) continue;
      describe(group, () => {
        for (const check of mine) {
          it(
            check.name,
            async (t) => {
              if (check.skip !== undefined) t.skip(check.skip);
              await check.run();
            },
            timeout,
          );
        }
      });
    }
  });
}

/** The acceptance checks for a connector, as plain functions (no vitest registration). */
export function acceptanceChecks<SC, DC>(options: AcceptanceOptions<SC, DC>): AcceptanceCheck[] {
  const o = options;
  const { connector } = o;
  const spec = connector.specification;
  const n = o.recordCount ?? 20;
  const readTimeout = o.readTimeout ?? 20_000;
  const emptyTimeout = o.emptyReadTimeout ?? 1_000;
  const gen = o.generateRecord ?? defaultRecord;
  const compare = o.compareRecords ?? defaultCompare;
  const logger = o.logger ?? silent;
  const sf = spec.features.source ?? {};
  const df = spec.features.destination ?? {};
  const streaming = sf.cdc ?? sf.longPolling;
  const hasSnapshot = (sf.cdc?.snapshot ?? false) || (sf.longPolling?.snapshot ?? false);
  const hasResume = (sf.cdc?.resume ?? false) || (sf.longPolling?.resume ?? false);
  const checks: AcceptanceCheck[] = [];

  const add = (
    group: AcceptanceCheck['group'],
    name: string,
    skip: string | undefined,
    body: (ctx: AcceptanceContext) => Promise<void>,
  ) => {
    const userSkip = o.skip?.[name];
    checks.push({
      group,
      name,
      skip: skip ?? (userSkip === undefined ? undefined : `skipped by the connector: ${userSkip}`),
      async run() {
        const id = `acc_${run}_${++counter}`;
        const ctx: AcceptanceContext = {
          id,
          collections: [`${id}_c0`, `${id}_c1`, `${id}_c2`],
          testName: name,
        };
        try {
          await body(ctx);
        } finally {
          await o.cleanup?.(ctx);
        }
      },
    });
  };

  const cctx = (ctx: AcceptanceContext, side: string): ConnectorContext => ({
    connectorId: `${ctx.id}:${side}`,
    logger,
  });

  // --- building blocks ---------------------------------------------------------------------

  const src = connector.source;
  const dst = connector.destination;

  async function openSource(ctx: AcceptanceContext, position?: Position): Promise<Source> {
    if (!src || !o.sourceConfig) fail('no source');
    const config = src.config.parse(await o.sourceConfig(ctx));
    const source = src.create(config, cctx(ctx, 'source'));
    try {
      await source.open(position);
    } catch (e) {
      await source.teardown().catch(() => {});
      throw e;
    }
    return source;
  }

  async function openDestination(ctx: AcceptanceContext): Promise<Destination> {
    if (!dst || !o.destinationConfig) fail('no destination');
    const config = dst.config.parse(await o.destinationConfig(ctx));
    const destination = dst.create(config, cctx(ctx, 'destination'));
    try {
      await destination.open();
    } catch (e) {
      await destination.teardown().catch(() => {});
      throw e;
    }
    return destination;
  }

  /** Runs `fn` on a freshly opened source (at `position`), tearing it down afterwards. */
  async function withSource<T>(
    ctx: AcceptanceContext,
    position: Position | undefined,
    fn: (s: Source) => Promise<T>,
  ): Promise<T> {
    const s = await openSource(ctx, position);
    try {
      return await fn(s);
    } finally {
      await s.teardown();
    }
  }

  /** Runs `fn` on a freshly opened destination, tearing it down afterwards. */
  async function withDestination<T>(
    ctx: AcceptanceContext,
    fn: (d: Destination) => Promise<T>,
  ): Promise<T> {
    const d = await openDestination(ctx);
    try {
      return await fn(d);
    } finally {
      await d.teardown();
    }
  }

  const canWrite =
    o.writeExpectedData !== undefined || (dst !== undefined && o.destinationConfig !== undefined);
  const canReadBack =
    o.readFromDestination !== undefined || (src !== undefined && o.sourceConfig !== undefined);
  const noWriter = canWrite
    ? undefined
    : 'no way to put data upstream: pass writeExpectedData (the connector has no destination to use)';

  async function writeUpstream(ctx: AcceptanceContext, records: OpenCDCRecord[]): Promise<void> {
    if (o.writeExpectedData) return o.writeExpectedData(ctx, records);
    await withDestination(ctx, (d) => d.write(records));
  }

  /** Reads until `count` records arrived (or fails after readTimeout). Acks what it read. */
  async function readN(source: Source, count: number, ack = true): Promise<OpenCDCRecord[]> {
    const out: OpenCDCRecord[] = [];
    const deadline = Date.now() + readTimeout;
    while (out.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let batch: OpenCDCRecord[];
      try {
        batch = await source.read(count - out.length, AbortSignal.timeout(left));
      } catch (e) {
        if (isAbort(e)) break;
        throw e;
      }
      if (batch.length > count - out.length)
        fail(`read(${count - out.length}) returned ${batch.length} records (more than asked)`);
      out.push(...batch);
      if (ack && batch.length > 0) await source.ack(batch.map((r) => r.position));
    }
    if (out.length < count)
      fail(`expected ${count} records within ${readTimeout} ms, got ${out.length}`);
    return out;
  }

  async function readBack(ctx: AcceptanceContext, count: number): Promise<OpenCDCRecord[]> {
    if (o.readFromDestination) return o.readFromDestination(ctx, count);
    return withSource(ctx, undefined, async (s) => {
      const got = await readN(s, count);
      // Anything beyond `count` is a duplicate or a stray record: collect it so checks see it.
      try {
        got.push(...(await s.read(count, AbortSignal.timeout(emptyTimeout))));
      } catch (e) {
        if (!isAbort(e)) throw e;
      }
      return got;
    });
  }

  function records(
    ctx: AcceptanceContext,
    collection: string,
    from = 0,
    count = n,
  ): OpenCDCRecord[] {
    return Array.from({ length: count }, (_, i) => gen(ctx, collection, from + i));
  }

  function compareAll(expected: OpenCDCRecord[], actual: OpenCDCRecord[]): void {
    if (actual.length !== expected.length)
      fail(`expected ${expected.length} records, got ${actual.length}`);
    for (const [i, e] of expected.entries()) compare(e, actual[i]!);
  }

  /** Groups by `opencdc.collection`, keeping order inside each collection. */
  function byCollection(rs: readonly OpenCDCRecord[]): Map<string, OpenCDCRecord[]> {
    const m = new Map<string, OpenCDCRecord[]>();
    for (const r of rs) {
      const c = r.metadata.get('opencdc.collection') ?? '';
      const list = m.get(c) ?? [];
      list.push(r);
      m.set(c, list);
    }
    return m;
  }

  function compareCollections(
    ctx: AcceptanceContext,
    written: OpenCDCRecord[],
    got: OpenCDCRecord[],
  ): void {
    const want = byCollection(written);
    const have = byCollection(got);
    for (const c of have.keys())
      if (!want.has(c))
        fail(
          `records landed in ${JSON.stringify(c)}, which was not written to (expected ${[...want.keys()].join(', ')})`,
        );
    for (const [c, list] of want) {
      const actual = have.get(c) ?? [];
      if (actual.length !== list.length)
        fail(`collection ${c}: expected ${list.length} records, got ${actual.length}`);
      for (const [i, e] of list.entries()) compare(e, actual[i]!);
    }
    void ctx;
  }

  // --- specification -------------------------------------------------------------------------

  add(
    'specification',
    'specification: name, summary, description, version and author are set',
    undefined,
    async () => {
      for (const field of ['name', 'summary', 'description', 'version', 'author'] as const)
        if (!spec[field]?.trim()) fail(`specification.${field} is empty`);
      if (!/^v?\d+\.\d+\.\d+/.test(spec.version))
        fail(`specification.version ${JSON.stringify(spec.version)} is not semantic`);
    },
  );

  add(
    'specification',
    'specification: parameters have valid names, types and descriptions',
    undefined,
    async () => {
      const problems: string[] = [];
      for (const [side, params] of [
        ['source', spec.sourceParams],
        ['destination', spec.destinationParams],
      ] as const) {
        for (const [name, p] of Object.entries(params)) {
          if (!NAME.test(name))
            problems.push(`${side} parameter ${JSON.stringify(name)}: invalid name`);
          if (!p.description.trim()) problems.push(`${side} parameter ${name}: no description`);
          if (!['string', 'int', 'float', 'bool', 'duration', 'file'].includes(p.type))
            problems.push(`${side} parameter ${name}: unknown type ${p.type}`);
        }
      }
      if (problems.length > 0) fail(problems.join('\n'));
    },
  );

  add('specification', 'specification: features match the connector sides', undefined, async () => {
    if (spec.features.source && !src) fail('source features declared without a source');
    if (spec.features.destination && !dst)
      fail('destination features declared without a destination');
    if (src && Object.keys(spec.sourceParams).join() !== Object.keys(src.config.parameters).join())
      fail('specification.sourceParams differ from the source config');
    if (
      dst &&
      Object.keys(spec.destinationParams).join() !== Object.keys(dst.config.parameters).join()
    )
      fail('specification.destinationParams differ from the destination config');
  });

  // --- source ---------------------------------------------------------------------------------

  const noSource = !src
    ? 'the connector has no source'
    : !o.sourceConfig
      ? 'no sourceConfig given'
      : undefined;
  const needData = noSource ?? noWriter;

  add('source', 'source: configure succeeds', noSource, async (ctx) => {
    src!.config.parse(await o.sourceConfig!(ctx));
  });

  add('source', 'source: configure fails without a required parameter', noSource, async (ctx) => {
    await requiredParamsCheck(src!.config, await o.sourceConfig!(ctx));
  });

  add(
    'source',
    'source: read success (snapshot)',
    needData ??
      (streaming && !hasSnapshot ? 'the source declares streaming without snapshot' : undefined),
    async (ctx) => {
      const want = records(ctx, ctx.collections[0]!);
      await writeUpstream(ctx, want);
      compareAll(want, await withSource(ctx, undefined, (s) => readN(s, n)));
    },
  );

  add(
    'source',
    'source: read success (cdc)',
    needData ?? (streaming ? undefined : 'the source declares neither cdc nor longPolling'),
    async (ctx) => {
      await withSource(ctx, undefined, async (s) => {
        const want = records(ctx, ctx.collections[0]!);
        await writeUpstream(ctx, want);
        compareAll(want, await readN(s, n));
      });
    },
  );

  add(
    'source',
    'source: resume at a snapshot position',
    needData ??
      (hasResume && hasSnapshot ? undefined : 'the source does not declare snapshot with resume'),
    async (ctx) => {
      const want = records(ctx, ctx.collections[0]!);
      await writeUpstream(ctx, want);
      const half = Math.floor(n / 2);
      const first = await withSource(ctx, undefined, (s) => readN(s, half));
      compareAll(want.slice(0, half), first);
      const rest = await withSource(ctx, first[first.length - 1]!.position, (s) =>
        readN(s, n - half),
      );
      compareAll(want.slice(half), rest);
    },
  );

  add(
    'source',
    'source: resume at a cdc position',
    needData ??
      (hasResume && streaming
        ? undefined
        : 'the source does not declare cdc/longPolling with resume'),
    async (ctx) => {
      const want = records(ctx, ctx.collections[0]!);
      const half = Math.floor(n / 2);
      const first = await withSource(ctx, undefined, async (s) => {
        await writeUpstream(ctx, want.slice(0, half));
        return readN(s, half);
      });
      compareAll(want.slice(0, half), first);
      await writeUpstream(ctx, want.slice(half));
      const rest = await withSource(ctx, first[first.length - 1]!.position, (s) =>
        readN(s, n - half),
      );
      compareAll(want.slice(half), rest);
    },
  );

  add(
    'source',
    'source: no record lost across restarts (resume)',
    needData ?? (hasResume ? undefined : 'the source does not declare resume'),
    async (ctx) => {
      // Restart after every few records, opening at the last acked position, as the runtime does.
      const want = records(ctx, ctx.collections[0]!);
      let writeAfterOpen = streaming !== undefined && !hasSnapshot;
      if (!writeAfterOpen) await writeUpstream(ctx, want);
      let position: Position | undefined;
      const got: OpenCDCRecord[] = [];
      while (got.length < n) {
        const batch = await withSource(ctx, position, async (s) => {
          if (writeAfterOpen) {
            await writeUpstream(ctx, want);
            writeAfterOpen = false;
          }
          return readN(s, Math.min(3, n - got.length));
        });
        got.push(...batch);
        position = batch[batch.length - 1]!.position;
      }
      compareAll(want, got);
    },
  );

  add('source', 'source: read timeout on an empty source', noSource, async (ctx) => {
    await withSource(ctx, undefined, async (s) => {
      const started = Date.now();
      let got: OpenCDCRecord[] = [];
      try {
        got = await s.read(1, AbortSignal.timeout(emptyTimeout));
      } catch (e) {
        if (!isAbort(e)) throw e;
      }
      const took = Date.now() - started;
      if (got.length > 0)
        fail(`an empty source returned ${got.length} record(s): ${describeRecord(got[0]!)}`);
      if (took < emptyTimeout * 0.9)
        fail(`read returned an empty batch after ${took} ms, before its signal aborted`);
      if (took > emptyTimeout + 5_000)
        fail(`read ignored its abort signal for ${took - emptyTimeout} ms`);
    });
  });

  add(
    'source',
    'source: multiple collections',
    needData ??
      (sf.multipleCollections ? undefined : 'the source does not declare multipleCollections'),
    async (ctx) => {
      const want = interleave(ctx.collections.map((c) => records(ctx, c)));
      // A streaming-only source sees only what is written after it opened.
      const writeFirst = !(streaming && !hasSnapshot);
      if (writeFirst) await writeUpstream(ctx, want);
      const got = await withSource(ctx, undefined, async (s) => {
        if (!writeFirst) await writeUpstream(ctx, want);
        return readN(s, want.length);
      });
      compareCollections(ctx, want, got);
    },
  );

  // --- destination ----------------------------------------------------------------------------

  const noDestination = !dst
    ? 'the connector has no destination'
    : !o.destinationConfig
      ? 'no destinationConfig given'
      : undefined;

  add('destination', 'destination: configure succeeds', noDestination, async (ctx) => {
    dst!.config.parse(await o.destinationConfig!(ctx));
  });

  add(
    'destination',
    'destination: configure fails without a required parameter',
    noDestination,
    async (ctx) => {
      await requiredParamsCheck(dst!.config, await o.destinationConfig!(ctx));
    },
  );

  add('destination', 'destination: write success', noDestination, async (ctx) => {
    const want = records(ctx, ctx.collections[0]!);
    await withDestination(ctx, async (d) => {
      await d.write(want.slice(0, 1));
      await d.write(want.slice(1));
    });
  });

  add(
    'destination',
    'destination: write success and read back',
    noDestination ??
      (canReadBack
        ? undefined
        : 'cannot verify: pass readFromDestination (the connector has no source to read back with)'),
    async (ctx) => {
      const want = records(ctx, ctx.collections[0]!);
      await withDestination(ctx, async (d) => {
        await d.write(want.slice(0, 1));
        await d.write(want.slice(1));
      });
      compareAll(want, await readBack(ctx, want.length));
    },
  );

  add(
    'destination',
    'destination: multiple collections',
    noDestination ??
      (!df.multipleCollections
        ? 'the destination does not declare multipleCollections'
        : !canReadBack
          ? 'cannot verify: pass readFromDestination (the connector has no source to read back with)'
          : undefined),
    async (ctx) => {
      // Interleaved, so a destination that buffers per collection must still keep each one's order.
      const want = interleave(ctx.collections.map((c) => records(ctx, c)));
      await withDestination(ctx, (d) => d.write(want));
      compareCollections(ctx, want, await readBack(ctx, want.length));
    },
  );

  add(
    'destination',
    'destination: idempotent writes',
    noDestination ??
      (!df.idempotentWrites
        ? 'the destination does not declare idempotentWrites'
        : !canReadBack
          ? 'cannot verify: pass readFromDestination (the connector has no source to read back with)'
          : undefined),
    async (ctx) => {
      // A redelivery after a crash: the same records written again by a new instance.
      const want = records(ctx, ctx.collections[0]!);
      for (let attempt = 0; attempt < 2; attempt++)
        await withDestination(ctx, (d) => d.write(want));
      const got = await readBack(ctx, want.length);
      compareAll(want, got);
    },
  );

  return checks;
}

function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

function isAbort(e: unknown): boolean {
  return (
    e instanceof AbortedError ||
    (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError'))
  );
}

/** Each required parameter without a default, when removed, must fail parsing naming it. */
async function requiredParamsCheck(
  config: { parameters: import('../params/types.js').Parameters; parse(raw: RawConfig): unknown },
  raw: RawConfig,
): Promise<void> {
  const required = Object.entries(config.parameters)
    .filter(
      ([name, p]) =>
        !name.includes('*') && p.default === '' && p.validations.some((v) => v.type === 'required'),
    )
    .map(([name]) => name);
  for (const name of required) {
    const without = { ...raw };
    delete (without as { [k: string]: string })[name];
    let error: unknown;
    try {
      config.parse(without);
    } catch (e) {
      error = e;
    }
    if (!(error instanceof ConfigErrors))
      fail(`parsing without required parameter ${name} did not throw ConfigErrors`);
    if (!error.errors.some((e) => e.parameter === name && e.rule === 'required'))
      fail(`parsing without required parameter ${name} did not report it: ${error.message}`);
  }
}
