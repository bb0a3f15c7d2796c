/**
 * Applies the SDK middleware to a connector side, so a connector author writes nothing for the
 * `sdk.*` parameters: the wrapped side publishes them beside the connector's own, parses them
 * (the connector's parser never sees an `sdk.*` key it did not declare itself) and wraps what
 * `create` returns. The connector's config object is passed through unchanged; the middleware
 * settings travel beside it (a WeakMap keyed by that object).
 */
import type {
  Connector,
  ConnectorContext,
  ConnectorSide,
  Destination,
  Source,
} from '../connector.js';
import { ConfigError, ConfigErrors } from '../errors.js';
import type { ConfigSchema, Parameters } from '../params/types.js';
import { withDestinationMiddleware } from './destination.js';
import { recordFormatter } from './format/index.js';
import {
  type DestinationMiddlewareConfig,
  destinationMiddlewareConfig,
  refuseSchemaTrue,
  type SourceMiddlewareConfig,
  sourceMiddlewareConfig,
} from './params.js';
import { type BatchSettings, withSourceBatching } from './source-batch.js';

type Raw = { readonly [key: string]: string };

interface Settings<M> {
  readonly sdk: M;
  /** The `sdk.*` keys given in the pipeline (not defaulted). */
  readonly given: ReadonlySet<string>;
  /** Source only: the batching the runtime applies (own settings, or the destinations'). */
  batch?: BatchSettings;
}

const SETTINGS = new WeakMap<object, Settings<unknown>>();
/** A config that is not an object (a connector may parse to anything) travels in a box. */
const BOX = Symbol('middleware.box');
const WRAPPED = Symbol('middleware.wrapped');

type Boxed = { [BOX]: unknown };

function attach<C>(config: C, settings: Settings<unknown>): C {
  const key: object =
    typeof config === 'object' && config !== null ? config : ({ [BOX]: config } as Boxed);
  SETTINGS.set(key, settings);
  return key as C;
}

function unbox<C>(config: C): C {
  return typeof config === 'object' && config !== null && BOX in config
    ? ((config as Boxed)[BOX] as C)
    : config;
}

function settingsOf<M>(config: unknown): Settings<M> | undefined {
  return typeof config === 'object' && config !== null
    ? (SETTINGS.get(config) as Settings<M> | undefined)
    : undefined;
}

/** Whether `side` already carries the middleware (wrapping twice is a no-op). */
export function hasMiddleware(side: object): boolean {
  return WRAPPED in side;
}

function wrapSide<C, T, M>(
  side: ConnectorSide<C, T>,
  mw: ConfigSchema<M>,
  validate: (m: M) => void,
  wrap: (instance: T, settings: Settings<M>, ctx: ConnectorContext) => T,
): ConnectorSide<C, T> {
  if (hasMiddleware(side)) return side;
  const own = side.config.parameters;
  const parameters: Parameters = { ...own };
  for (const [name, p] of Object.entries(mw.parameters)) if (!(name in own)) parameters[name] = p;
  const config: ConfigSchema<C> = {
    parameters,
    parse(raw: Raw): C {
      const mine: { [key: string]: string } = {};
      const theirs: { [key: string]: string } = {};
      for (const [k, v] of Object.entries(raw)) {
        if (k.startsWith('sdk.') && !(k in own)) mine[k] = v;
        else theirs[k] = v;
      }
      const errors: ConfigError[] = [];
      const collect = <R>(f: () => R): R | undefined => {
        try {
          return f();
        } catch (err) {
          if (err instanceof ConfigErrors) errors.push(...err.errors);
          else if (err instanceof ConfigError) errors.push(err);
          else throw err;
          return undefined;
        }
      };
      const sdk = collect(() => mw.parse(mine));
      if (sdk !== undefined) collect(() => validate(sdk));
      const parsed = collect(() => side.config.parse(theirs));
      if (errors.length > 0) throw new ConfigErrors(errors);
      const given = new Set(Object.keys(mine).filter((k) => String(mine[k] ?? '').trim() !== ''));
      return attach(parsed as C, { sdk, given });
    },
  };
  const wrapped: ConnectorSide<C, T> = {
    config,
    create(c: C, ctx: ConnectorContext): T {
      const instance = side.create(unbox(c), ctx);
      const s = settingsOf<M>(c) ?? { sdk: mw.parse({}), given: new Set<string>() };
      return wrap(instance, s, ctx);
    },
    ...(side.onCreated ? { onCreated: (c: C, ctx) => side.onCreated!(unbox(c), ctx) } : {}),
    ...(side.onDeleted ? { onDeleted: (c: C, ctx) => side.onDeleted!(unbox(c), ctx) } : {}),
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  return wrapped;
}

function ownBatch(sdk: SourceMiddlewareConfig | DestinationMiddlewareConfig): BatchSettings {
  return { size: sdk['sdk.batch.size'], delay: sdk['sdk.batch.delay'] };
}

/** The source side with `sdk.batch.*` and `sdk.schema.*` (schema: false only). */
export function withSourceMiddleware<C>(side: ConnectorSide<C, Source>): ConnectorSide<C, Source> {
  return wrapSide(side, sourceMiddlewareConfig, refuseSchemaTrue, (source, s, ctx) => {
    const batch = s.batch ?? ownBatch(s.sdk);
    // Conduit's warning: without a delay, a batch that never fills is never delivered.
    if (batch.size > 0 && batch.delay === 0)
      ctx.logger.warn(
        `sdk.batch.size is set but sdk.batch.delay is not (${s.batch ? 'on a destination' : 'on the source'}): a read waits until ${batch.size} records are there`,
      );
    return withSourceBatching(source, batch);
  });
}

/** The destination side with `sdk.batch.*`, `sdk.rate.*`, `sdk.record.format*`, `sdk.schema.*`. */
export function withDestinationSideMiddleware<C>(
  side: ConnectorSide<C, Destination>,
): ConnectorSide<C, Destination> {
  return wrapSide(
    side,
    destinationMiddlewareConfig,
    (m) => {
      refuseSchemaTrue(m);
      recordFormatter(m); // a template that does not parse is a configuration error now
    },
    (dest, s, ctx) => {
      const perSecond = s.sdk['sdk.rate.perSecond'];
      if (perSecond > 0)
        ctx.logger.info('rate limiting enabled', {
          perSecond,
          burst: s.sdk['sdk.rate.burst'] > 0 ? s.sdk['sdk.rate.burst'] : Math.ceil(perSecond),
        });
      return withDestinationMiddleware(dest, s.sdk);
    },
  );
}

/**
 * The connector with the middleware on both sides and its parameters in the specification.
 * `defineConnector` already does this; the runtime applies it to every plugin it loads (the
 * built-in log connector, connectors built without `defineConnector`). Idempotent.
 */
export function withMiddleware<SC, DC>(connector: Connector<SC, DC>): Connector<SC, DC> {
  const { source, destination, specification } = connector;
  const done = (!source || hasMiddleware(source)) && (!destination || hasMiddleware(destination));
  const src = source && withSourceMiddleware(source);
  const dst = destination && withDestinationSideMiddleware(destination);
  const merge = (published: Parameters, side: ConnectorSide<unknown, unknown> | undefined) => {
    if (!side) return published;
    const out = { ...published };
    for (const [k, p] of Object.entries(side.config.parameters))
      if (k.startsWith('sdk.') && !(k in out)) out[k] = p;
    return out;
  };
  const spec = {
    ...specification,
    sourceParams: merge(specification.sourceParams, src as ConnectorSide<unknown, unknown>),
    destinationParams: merge(
      specification.destinationParams,
      dst as ConnectorSide<unknown, unknown>,
    ),
  };
  const sameSpec =
    Object.keys(spec.sourceParams).length === Object.keys(specification.sourceParams).length &&
    Object.keys(spec.destinationParams).length ===
      Object.keys(specification.destinationParams).length;
  if (done && sameSpec) return connector;
  return {
    ...connector,
    specification: spec,
    ...(src ? { source: src } : {}),
    ...(dst ? { destination: dst } : {}),
  };
}

/**
 * Destination batching as the runtime applies it: records are written as the source's reads
 * hand them over, so a destination's `sdk.batch.size`/`sdk.batch.delay` shape the source's
 * reads (the smallest size and the longest delay of the destinations) unless the source sets
 * `sdk.batch.*` itself. Each destination still gets writes of at most its own size.
 *
 * A rate-limited destination also caps every read at its burst (Conduit: "if sdk.batch.size is
 * bigger than sdk.rate.burst, the effective batch size will be equal to sdk.rate.burst"); else a
 * read of the runtime's full size would be written over minutes, and a stop would wait for it.
 */
export function applyDestinationBatching(
  sourceConfig: unknown,
  destinationConfigs: readonly unknown[],
): void {
  const source = settingsOf<SourceMiddlewareConfig>(sourceConfig);
  if (!source) return;
  const own = source.given.has('sdk.batch.size') || source.given.has('sdk.batch.delay');
  let size = 0;
  let delay = 0;
  let cap = 0;
  for (const c of destinationConfigs) {
    const d = settingsOf<DestinationMiddlewareConfig>(c)?.sdk;
    if (!d) continue;
    const s = d['sdk.batch.size'];
    if (s > 0) size = size === 0 ? s : Math.min(size, s);
    delay = Math.max(delay, d['sdk.batch.delay']);
    const perSecond = d['sdk.rate.perSecond'];
    if (perSecond > 0) {
      const burst = d['sdk.rate.burst'] > 0 ? d['sdk.rate.burst'] : Math.ceil(perSecond);
      cap = cap === 0 ? burst : Math.min(cap, burst);
    }
  }
  const batch = own ? ownBatch(source.sdk) : { size, delay };
  if (batch.size > 0 || batch.delay > 0 || cap > 0)
    source.batch = cap > 0 ? { ...batch, cap } : batch;
}
