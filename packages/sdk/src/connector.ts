import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { Specification } from './spec/types.js';

/** Opaque position bytes; JSON inside by convention, its shape documented by each connector. */
export type Position = Uint8Array;

/** Context handed to a connector instance by the runtime. */
export interface ConnectorContext {
  /** Unique, stable id of this connector in its pipeline (e.g. `pg-to-kafka:source`). */
  readonly connectorId: string;
  /** Structured logger; connectors never write to stdout directly. */
  readonly logger: Logger;
}

export interface Logger {
  debug(msg: string, fields?: { [k: string]: unknown }): void;
  info(msg: string, fields?: { [k: string]: unknown }): void;
  warn(msg: string, fields?: { [k: string]: unknown }): void;
  error(msg: string, fields?: { [k: string]: unknown }): void;
}

/**
 * A source reads records from an upstream system.
 *
 * Contract:
 * - `open(position)` starts at `position` (exclusive: the record AT the position was already
 *   processed) or at the beginning when `undefined`.
 * - `read(max, signal)` resolves with 1..max records, waiting until at least one is available;
 *   it never resolves with an empty array. Records come in source order; each carries its
 *   position and `opencdc.collection` (`opencdc.readAt` is stamped by the runtime).
 * - Abort: once `signal` aborts, a `read` that has no record to return rejects with
 *   `AbortedError` (records already at hand may still be returned). The runtime treats that
 *   rejection as "stopped reading", not as a failure. `SourceBuffer.read` follows this rule.
 * - `ack(positions)` is called with positions in the order they were read, only after the
 *   destination durably wrote those records. Only here may the source acknowledge upstream
 *   (flush an LSN, commit an offset). Acking position P acks everything read before P.
 * - `teardown()` releases resources; it is called once, also after failures. Records read but
 *   not acked are read again after a restart (at-least-once).
 */
export interface Source {
  open(position: Position | undefined, signal?: AbortSignal): Promise<void>;
  read(maxRecords: number, signal: AbortSignal): Promise<OpenCDCRecord[]>;
  ack(positions: readonly Position[]): Promise<void>;
  teardown(): Promise<void>;
  /**
   * Optional: gauges only the connector can know (a replication slot's retained WAL, a consumer
   * group's lag), read by the runtime when its `/metrics` endpoint is scraped, only while the
   * source is open. Keep it cheap (one query); a rejection only leaves the gauges out of that
   * scrape.
   */
  metrics?(): Promise<readonly SourceGauge[]>;
  /**
   * Optional: checks what `open` would check (reachability, credentials, permissions, the
   * server's settings, the selected collections) without creating or changing anything and
   * without reading data; `opencdc validate --connect` calls it, then `teardown`. Throws what
   * `open` would throw (`ConfigError` for configuration problems). A source without it is only
   * parsed by `validate --connect`: opening it could create server-side state (a replication
   * slot) that a check must not leave behind.
   */
  check?(signal?: AbortSignal): Promise<void>;
}

/** One value of a connector-specific gauge (`Source.metrics`). */
export interface SourceGauge {
  /** snake_case, without the runtime's prefix: e.g. `postgres_slot_retained_wal_bytes`. */
  readonly name: string;
  readonly help: string;
  readonly value: number;
  /** The runtime adds `pipeline` and `connector`; a given name keeps the same label names. */
  readonly labels?: { readonly [label: string]: string };
}

/**
 * A destination writes records to a downstream system.
 *
 * Contract:
 * - `write(records)` writes the batch in order and resolves once ALL of it is durable; only then
 *   does the runtime ack the positions to the source.
 * - A record that cannot be written throws `RecordError` with its index: records before it are
 *   durable, the rest were not written. Any other error means nothing in the batch is known to be
 *   durable; the runtime retries the whole batch (at-least-once: a retry may rewrite records).
 *   Throw `TransientError` for connection problems.
 * - `teardown()` flushes nothing new: unwritten records are the runtime's to retry.
 */
export interface Destination {
  open(signal?: AbortSignal): Promise<void>;
  /**
   * Optional: like `Source.check`. Without it, `opencdc validate --connect` checks a destination
   * by `open` then `teardown`, so `open` must not write data.
   */
  check?(signal?: AbortSignal): Promise<void>;
  write(records: readonly OpenCDCRecord[], signal?: AbortSignal): Promise<void>;
  /**
   * Optional: the batch's CPU work done ahead (encoding, routing), synchronously, while the
   * previous `write` still waits for the downstream system. The runtime may call it with the
   * array it will pass to the next `write`, whose records it then no longer changes; `write`
   * must give the same result with or without it (e.g. keep the work in a `WeakMap` keyed by
   * the array, and redo it for any other array). It never writes, and never throws: a failure
   * is kept for `write` to report. Writes stay one at a time, in order.
   */
  prepare?(records: readonly OpenCDCRecord[]): void;
  teardown(): Promise<void>;
}

/**
 * Lifecycle hooks run by the runtime when a connector is created in, or deleted from, a
 * pipeline (not on every start): e.g. create or drop a replication slot.
 */
export interface LifecycleHooks<C> {
  onCreated?(config: C, ctx: ConnectorContext): Promise<void>;
  onDeleted?(config: C, ctx: ConnectorContext): Promise<void>;
}

/**
 * One side (source or destination) of a connector: its parameters, declared once, and a
 * factory that receives the parsed, typed config.
 */
export interface ConnectorSide<C, T> extends LifecycleHooks<C> {
  /** Declared parameters: gives both the spec and a parser to the typed config `C`. */
  readonly config: import('./params/types.js').ConfigSchema<C>;
  create(config: C, ctx: ConnectorContext): T;
}

/** What a connector package exports (as its default export and as `connector`). */
export interface Connector<SC = unknown, DC = unknown> {
  readonly specification: Specification;
  readonly source?: ConnectorSide<SC, Source>;
  readonly destination?: ConnectorSide<DC, Destination>;
}
