/**
 * The acceptance harness: the settings drawn from the options, opening and tearing down each
 * side, writing upstream, reading N records, reading back and comparing. The checks
 * (`specification-checks.ts`, `source-checks.ts`, `destination-checks.ts`) are built on it.
 */
import { METADATA_COLLECTION, type OpenCDCRecord } from '@opencdc-ts/commons';
import type { ConnectorContext, Destination, Logger, Position, Source } from '../connector.js';
import { AbortedError, ConfigErrors } from '../errors.js';
import type { RawConfig } from '../params/config.js';
import { sourceCanResume } from '../spec/types.js';
import type { AcceptanceCheck, AcceptanceContext, AcceptanceOptions } from './options.js';
import { defaultCompare, defaultRecord } from './records.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const run = Math.random().toString(36).slice(2, 7);
let counter = 0;

export function fail(message: string): never {
  throw new Error(message);
}

/** What the checks use: the options, settings derived from them, and the building blocks. */
export type Harness<SC, DC> = ReturnType<typeof createHarness<SC, DC>>;

export function createHarness<SC, DC>(o: AcceptanceOptions<SC, DC>) {
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
  const hasResume = sourceCanResume(sf);
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
      const c = r.metadata.get(METADATA_COLLECTION) ?? '';
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

  return {
    o,
    spec,
    src,
    dst,
    n,
    emptyTimeout,
    sf,
    df,
    streaming,
    hasSnapshot,
    hasResume,
    canReadBack,
    noWriter,
    checks,
    add,
    withSource,
    withDestination,
    writeUpstream,
    readN,
    readBack,
    records,
    compareAll,
    compareCollections,
  };
}

export function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

export function isAbort(e: unknown): boolean {
  return (
    e instanceof AbortedError ||
    (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError'))
  );
}

/** The part of a parameter the required-parameter check looks at. */
type RequiredCheckParameters = {
  readonly [name: string]: {
    readonly default: string;
    readonly validations: readonly { readonly type: string }[];
  };
};

/** Each required parameter without a default, when removed, must fail parsing naming it. */
export async function requiredParamsCheck(
  config: { parameters: RequiredCheckParameters; parse(raw: RawConfig): unknown },
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
