// Fakes for the runner's unit tests: sources that number their records, destinations that record
// what they wrote (and fail on cue), an in-memory state store, and processor chains from plain
// per-record functions. They share one event log, so a test can check the order of writes,
// saves and acks across them.
import { createRecord, type OpenCDCRecord } from '@opencdc-ts/commons';
import {
  AbortedError,
  type ConfigSchema,
  type ConnectorSide,
  type Destination,
  type ProcessedRecord,
  RecordError,
  type Source,
  TransientError,
} from '@opencdc-ts/sdk';
import { DEFAULT_DEAD_LETTER, type PipelineConfig } from '../config/pipeline-file.js';
import { silentLogger } from '../log.js';
import type { PipelineState, StateStore } from '../state/store.js';
import type { Chain, ChainFactory, ChainStep } from './chain.js';
import {
  PipelineRunner,
  type ResolvedConnector,
  type ResolvedPipeline,
} from './pipeline-runner.js';

const noConfig: ConfigSchema<unknown> = { parameters: {}, parse: () => ({}) };
/** A position: the record's number, and its source's name when a pipeline has several. */
export const pos = (i: number, s?: string) =>
  new TextEncoder().encode(JSON.stringify(s ? { s, i } : { i }));
export const idx = (p: Uint8Array) => (JSON.parse(new TextDecoder().decode(p)) as { i: number }).i;
export const srcOf = (p: Uint8Array) =>
  (JSON.parse(new TextDecoder().decode(p)) as { s?: string }).s;

/** Shared event log: lets tests check the order of writes and acks across fakes. */
export type Event = {
  kind: 'read' | 'write' | 'ack' | 'open' | 'teardown' | 'save';
  ids: number[];
  from?: number;
  /** The source (read, ack, open) or destination (write) by name, when there are several. */
  by?: string;
};

export interface SourceBehaviour {
  total: number;
  /** Name in positions and events (several sources). */
  name?: string;
  openError?: Error;
  /** Rejects this read (1-based) once with a transient error. */
  transientReadOnce?: number;
  /** Rejects this ack (1-based) once with a transient error (before acking anything). */
  transientAckOnce?: number;
}

export class FakeSource implements Source {
  private next = 0;
  private reads = 0;
  private acks = 0;
  constructor(
    private readonly b: SourceBehaviour,
    private readonly events: Event[],
    private readonly inFlight: { read: number; acked: number; max: number },
  ) {}
  async open(p: Uint8Array | undefined): Promise<void> {
    this.next = p ? idx(p) + 1 : 0;
    this.events.push({ kind: 'open', ids: [], from: this.next, by: this.b.name });
    if (this.b.openError) throw this.b.openError;
  }
  async read(max: number, signal: AbortSignal): Promise<OpenCDCRecord[]> {
    await new Promise((r) => setImmediate(r));
    if (++this.reads === this.b.transientReadOnce) {
      this.b.transientReadOnce = undefined;
      throw new TransientError('source connection lost');
    }
    if (this.next >= this.b.total) {
      // Exhausted: wait like a live source until aborted.
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      throw new AbortedError();
    }
    const out: OpenCDCRecord[] = [];
    while (out.length < max && this.next < this.b.total) {
      const i = this.next++;
      out.push(
        createRecord({
          position: pos(i, this.b.name),
          metadata: { 'opencdc.collection': `c${i % 3}` },
          after: { i },
        }),
      );
    }
    this.inFlight.read = Math.max(this.inFlight.read, idx(out[out.length - 1]!.position));
    this.inFlight.max = Math.max(this.inFlight.max, this.inFlight.read - this.inFlight.acked);
    this.events.push({ kind: 'read', ids: out.map((r) => idx(r.position)), by: this.b.name });
    return out;
  }
  async ack(positions: readonly Uint8Array[]): Promise<void> {
    if (++this.acks === this.b.transientAckOnce) {
      this.b.transientAckOnce = undefined;
      throw new TransientError('ack lost');
    }
    this.inFlight.acked = idx(positions[positions.length - 1]!);
    this.events.push({ kind: 'ack', ids: positions.map(idx), by: this.b.name });
  }
  async teardown(): Promise<void> {
    this.events.push({ kind: 'teardown', ids: [] });
  }
}

export interface DestBehaviour {
  recordErrorAt?: Set<number>;
  transientOnceAt?: Set<number>;
  /** Throws a transient error at the first record this holds for, once. */
  transientOnceWhen?: (r: OpenCDCRecord) => boolean;
  /** Throws this error (not a RecordError: no index) at the record, after writing the ones before. */
  dataErrorAt?: Map<number, () => Error>;
  delayMs?: number;
  /** Gives the destination `prepare`: counts the batches prepared and the writes that had one. */
  prepared?: { batches: WeakSet<readonly OpenCDCRecord[]>; count: number; hits: number };
}

export class FakeDestination implements Destination {
  constructor(
    private readonly events: Event[] | undefined,
    private readonly sink: OpenCDCRecord[],
    private readonly b: DestBehaviour = {},
    private readonly name?: string,
  ) {
    const p = b.prepared;
    if (p)
      this.prepare = (records) => {
        p.batches.add(records);
        p.count++;
      };
  }
  prepare?: (records: readonly OpenCDCRecord[]) => void;
  async open(): Promise<void> {}
  async write(records: readonly OpenCDCRecord[]): Promise<void> {
    if (this.b.prepared?.batches.has(records)) this.b.prepared.hits++;
    if (this.b.delayMs) await new Promise((r) => setTimeout(r, this.b.delayMs));
    for (let k = 0; k < records.length; k++) {
      const i = idx(records[k]!.position);
      if (this.b.transientOnceAt?.delete(i)) throw new TransientError('connection lost');
      if (this.b.transientOnceWhen?.(records[k]!)) {
        this.b.transientOnceWhen = undefined;
        throw new TransientError('connection lost');
      }
      const dataError = this.b.dataErrorAt?.get(i);
      if (dataError) throw dataError();
      if (this.b.recordErrorAt?.has(i)) {
        this.events?.push({
          kind: 'write',
          ids: records.slice(0, k).map((r) => idx(r.position)),
          by: this.name,
        });
        throw new RecordError(`row ${i} violates a constraint`, k);
      }
      this.sink.push(records[k]!);
    }
    this.events?.push({ kind: 'write', ids: records.map((r) => idx(r.position)), by: this.name });
  }
  async teardown(): Promise<void> {}
}

export class MemoryStore implements StateStore {
  readonly description = 'memory';
  readonly saved = new Map<string, PipelineState>();
  events: Event[] | undefined;
  /** Each save takes this long (its event is pushed when it is done). */
  constructor(private readonly delayMs = 0) {}
  async load(id: string) {
    const s = this.saved.get(id);
    return s ? structuredClone(s) : undefined;
  }
  async save(id: string, s: PipelineState) {
    const copy = structuredClone(s);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    this.saved.set(id, copy);
    if (s.position)
      this.events?.push({ kind: 'save', ids: [idx(Buffer.from(s.position, 'base64'))] });
  }
  async close() {}
}

function side<T>(create: () => T, onCreated?: () => Promise<void>): ConnectorSide<unknown, T> {
  return { config: noConfig, create, ...(onCreated ? { onCreated } : {}) };
}

function resolved<T>(fullId: string, s: ConnectorSide<unknown, T>): ResolvedConnector<T> {
  return {
    fullId,
    plugin: { name: `builtin:${fullId}`, version: 'v9' },
    features: {},
    side: s,
    config: {},
  };
}

/** A processor step of a test: what each record becomes. */
export type Step = (r: OpenCDCRecord) => ProcessedRecord;

/**
 * Chains from per-record functions, looked up by step id; `rejectOnce` makes the chain with that
 * step reject its next batch (a processor that throws).
 */
export function fakeChains(
  steps: { [id: string]: Step },
  opts: { rejectOnce?: string; teardowns?: string[] } = {},
): ChainFactory {
  return async (list: readonly ChainStep[]): Promise<Chain> => ({
    async process(records) {
      await new Promise((r) => setImmediate(r));
      if (opts.rejectOnce && list.some((s) => s.id === opts.rejectOnce)) {
        opts.rejectOnce = undefined;
        throw new Error('processor crashed');
      }
      let outcomes: ProcessedRecord[] = [...records];
      for (const s of list) {
        const f = steps[s.id]!;
        outcomes = outcomes.map((o) => {
          if ('filter' in o || 'error' in o) return o;
          if ('records' in o) {
            const parts: OpenCDCRecord[] = [];
            for (const r of o.records) {
              const x = f(r);
              if ('error' in x) return x;
              if ('filter' in x) continue;
              if ('records' in x) parts.push(...x.records);
              else parts.push(x);
            }
            return { records: parts };
          }
          return f(o);
        });
      }
      return outcomes;
    },
    async teardown() {
      opts.teardowns?.push(list.map((s) => s.id).join(','));
    },
  });
}

/** A step list for a resolved connector or pipeline: ids only (the fake chain knows the rest). */
export const steps = (...ids: string[]): ChainStep[] =>
  ids.map((id) => ({ id, processor: (r) => r, settings: {} }));

export interface Setup {
  total?: number;
  /** Several sources (instead of one with `total` records). */
  sources?: SourceBehaviour[];
  dest?: DestBehaviour;
  /** Several destinations (instead of one with `dest`). */
  destinations?: DestBehaviour[];
  window?: { size: number; threshold: number };
  store?: MemoryStore;
  created?: string[];
  sourceOpenError?: Error;
  /** Processors: after source k, in the pipeline, before destination k. */
  processors?: {
    sources?: (ChainStep[] | undefined)[];
    pipeline?: ChainStep[];
    destinations?: (ChainStep[] | undefined)[];
  };
  createChain?: ChainFactory;
}

export function setup(o: Setup) {
  const events: Event[] = [];
  const written: OpenCDCRecord[] = [];
  /** What each destination wrote, by index (the first is `written`). */
  const writtenBy: OpenCDCRecord[][] = [written];
  const dead: OpenCDCRecord[] = [];
  const inFlight = { read: -1, acked: -1, max: 0 };
  const created = o.created ?? [];
  const config: PipelineConfig = {
    id: 'p',
    status: 'running',
    name: 'p',
    description: '',
    source: undefined as never,
    sources: [],
    destinations: [],
    processors: [],
    deadLetter: {
      ...DEFAULT_DEAD_LETTER,
      ...(o.window ? { windowSize: o.window.size, windowNackThreshold: o.window.threshold } : {}),
      settings: {},
      at: { file: 'x', line: 1, col: 1 },
    },
    at: { file: 'x', line: 1, col: 1 },
  };
  const sourceBehaviours = o.sources ?? [{ total: o.total ?? 0, openError: o.sourceOpenError }];
  const sources = sourceBehaviours.map((b, k) => {
    const name = b.name ?? 'src';
    const r = resolved(
      `p:${name}`,
      side<Source>(
        () => new FakeSource(b, events, inFlight),
        async () => {
          created.push(name);
        },
      ),
    );
    const ps = o.processors?.sources?.[k];
    return ps ? { ...r, processors: ps } : r;
  });
  const destBehaviours = o.destinations ?? [o.dest ?? {}];
  const destinations = destBehaviours.map((b, k) => {
    const sink = k === 0 ? written : [];
    if (k > 0) writtenBy.push(sink);
    const name = destBehaviours.length > 1 ? `dst${k}` : 'dst';
    const r = resolved(
      `p:${name}`,
      side<Destination>(
        () => new FakeDestination(events, sink, b, destBehaviours.length > 1 ? name : undefined),
      ),
    );
    const ps = o.processors?.destinations?.[k];
    return ps ? { ...r, processors: ps } : r;
  });
  const pipeline: ResolvedPipeline = {
    config,
    sources,
    source: sources[0]!,
    destinations,
    deadLetter: resolved(
      'p:dlq',
      side<Destination>(() => new FakeDestination(undefined, dead)),
    ),
    ...(o.processors?.pipeline ? { processors: o.processors.pipeline } : {}),
  };
  const store = o.store ?? new MemoryStore();
  store.events = events;
  const runner = new PipelineRunner(pipeline, store, silentLogger, {
    batchSize: 10,
    maxBackoffMs: 5,
    ...(o.createChain ? { createChain: o.createChain } : {}),
  });
  return { runner, events, written, writtenBy, dead, inFlight, store, created };
}

/** Runs until `done()` holds, then stops the runner and waits for it. */
export async function runUntil(runner: PipelineRunner, done: () => boolean): Promise<void> {
  const ctl = new AbortController();
  const run = runner.run(ctl.signal);
  const timer = setInterval(() => {
    if (done()) ctl.abort();
  }, 2);
  try {
    await run;
  } finally {
    clearInterval(timer);
  }
}

/** The positions acked (by number), in ack order; of one source when `by` is given. */
export function acked(events: Event[], by?: string): number[] {
  return events
    .filter((e) => e.kind === 'ack' && (by === undefined || e.by === by))
    .flatMap((e) => e.ids);
}
