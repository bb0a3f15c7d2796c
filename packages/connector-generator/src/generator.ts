import {
  type Change,
  type Data,
  METADATA_CREATED_AT,
  Metadata,
  type OpenCDCRecord,
  type Operation,
  type StructuredData,
  type StructuredValue,
} from '@opencdc-ts/commons';
import { BytePool } from './bytes.js';
import { type CompiledField, compileField, type FieldContext } from './fields.js';
import type { CollectionConfig, GeneratorConfig } from './model.js';
import { Rng } from './prng.js';

/** Seeded runs place their records on a synthetic clock starting here (2024-01-01T00:00:00Z). */
export const SEEDED_EPOCH_MS = Date.UTC(2024, 0, 1);
/** Virtual spacing of records when no rate applies (only shows in seeded `opencdc.createdAt`). */
const UNLIMITED_SPACING_S = 0.001;

/** Where the generator is: enough to produce record `seq` next, and nothing per key. */
export interface GeneratorState {
  /** Records generated so far (the next record's zero-based index). */
  seq: number;
  /** Per collection (config order): records generated, and keys created (keys are 1..created). */
  counts: number[];
  created: number[];
}

interface Lane {
  /** Records/s, 0 = unlimited (only possible when it is the only lane). */
  rate: number;
  members: number[];
  /** Cumulative weights normalised to 1, for the weighted pick among `members`. */
  cumulative: number[];
}

interface Compiled {
  config: CollectionConfig;
  fields: CompiledField[];
  hasFaker: boolean;
  creating: Operation | undefined;
  /** Metadata value `opencdc.collection` (undefined for the default collection). */
  collection: string | undefined;
  /** JSON of the position key for this collection, precomputed. */
  positionKey: string;
}

/**
 * Lanes: every collection with its own rate is a lane; the others share one lane at the
 * top-level rate, split by weight. Records are ordered by virtual time (lane record k at
 * k / rate), which makes the interleaving a pure function of the counts: deterministic and
 * resumable, whatever the wall clock did.
 */
function buildLanes(config: GeneratorConfig): Lane[] {
  const lanes: Lane[] = [];
  const shared: number[] = [];
  config.collections.forEach((c, i) => {
    if (c.rate === undefined) shared.push(i);
    else lanes.push({ rate: c.rate, members: [i], cumulative: [1] });
  });
  if (shared.length > 0) {
    const total = shared.reduce((s, i) => s + config.collections[i]!.weight, 0);
    let acc = 0;
    const cumulative = shared.map((i) => {
      acc += config.collections[i]!.weight / total;
      return acc;
    });
    cumulative[cumulative.length - 1] = 1;
    lanes.unshift({ rate: config.rate, members: shared, cumulative });
  }
  return lanes;
}

/**
 * Records and changes are class instances rather than object literals: V8 pretenures literal
 * allocation sites whose objects survive a GC (as records do while a batch is written), which
 * then puts every later record in the old generation; constructed objects avoid that.
 */
class GeneratedChange implements Change {
  constructor(
    public before: Data | null,
    public after: Data | null,
  ) {}
}

class GeneratedRecord implements OpenCDCRecord {
  constructor(
    public position: Uint8Array,
    public operation: Operation,
    public metadata: Metadata,
    public key: Data | null,
    public payload: Change,
  ) {}
}

/** A string as JSON text (collection names in positions). */
const quote = (s: string): string => JSON.stringify(s);

function bigintSafe(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/**
 * Produces records one by one, each a pure function of `(seed, state)`: record N uses a
 * PRNG stream derived from `(seed, N)`, and a key's created values a stream derived from
 * `(seed, collection, key)`, so an update's `before` equals what that key was created with.
 */
export class RecordGenerator {
  readonly state: GeneratorState;
  private readonly lanes: Lane[];
  private readonly laneCounts: number[];
  private readonly compiled: Compiled[];
  private readonly rng = new Rng();
  private readonly keyRng = new Rng();
  private readonly bytes = new BytePool();
  /** Position text split around its numbers: `{"seq":`, `,"c":{"a":[`, `,`, `],"b":[`, ... */
  private readonly positionParts: Uint8Array[];
  private readonly positionNumbers: number[];
  private readonly ctx: FieldContext;

  constructor(
    readonly config: GeneratorConfig,
    /** The seed actually used (config's, or a random one for unseeded runs). */
    readonly seed: number,
    state?: GeneratorState,
    /** Base instant of `time` fields: the synthetic epoch (seeded) or the run's start. */
    timeBaseMs = SEEDED_EPOCH_MS,
  ) {
    this.ctx = { timeBaseMs };
    const n = config.collections.length;
    this.state = state ?? { seq: 0, counts: new Array(n).fill(0), created: new Array(n).fill(0) };
    this.lanes = buildLanes(config);
    this.laneCounts = this.lanes.map((lane) =>
      lane.members.reduce((sum, m) => sum + this.state.counts[m]!, 0),
    );
    this.compiled = config.collections.map((c) => {
      const fields = c.fields.map((f) => compileField(`${c.prefix}format.options.${f.name}`, f));
      return {
        config: c,
        fields,
        hasFaker: fields.some((f) => f.faker),
        creating: c.operations.find((o) => o === 'create' || o === 'snapshot'),
        collection: c.name,
        positionKey: quote(c.name ?? ''),
      };
    });
    const text = ['{"seq":'];
    this.compiled.forEach((c, i) => {
      text.push(`${i === 0 ? ',"c":{' : '],'}${c.positionKey}:[`, ',');
    });
    text.push(this.compiled.length === 0 ? ',"c":{}}' : ']}}');
    const utf8 = new TextEncoder();
    this.positionParts = text.map((t) => utf8.encode(t));
    this.positionNumbers = new Array(1 + 2 * n).fill(0);
  }

  /** Whether `recordCount` records were generated. */
  get done(): boolean {
    return this.config.recordCount > 0 && this.state.seq >= this.config.recordCount;
  }

  private nextLane(): number {
    const lanes = this.lanes;
    if (lanes.length === 1) return 0;
    let best = 0;
    let bestT = (this.laneCounts[0]! + 1) / lanes[0]!.rate;
    for (let l = 1; l < lanes.length; l++) {
      const t = (this.laneCounts[l]! + 1) / lanes[l]!.rate;
      if (t < bestT) {
        best = l;
        bestT = t;
      }
    }
    return best;
  }

  /** Virtual time (s) of the next record: when a rate-limited reader may emit it. */
  nextVirtualTime(): number {
    const l = this.nextLane();
    const rate = this.lanes[l]!.rate;
    return rate > 0 ? (this.laneCounts[l]! + 1) / rate : 0;
  }

  /** Virtual time (s) of the last generated record (0 before the first). */
  lastVirtualTime(): number {
    let t = 0;
    this.lanes.forEach((lane, l) => {
      if (lane.rate > 0) t = Math.max(t, this.laneCounts[l]! / lane.rate);
    });
    return t;
  }

  /**
   * Generates the next record. `wallClockMs` is its createdAt for unseeded runs;
   * seeded runs ignore it and use the synthetic clock so the bytes are reproducible.
   */
  next(wallClockMs: number, seeded: boolean): OpenCDCRecord {
    const state = this.state;
    const seq = state.seq;
    const rng = this.rng;
    rng.reseed(this.seed, 0, seq);

    const l = this.nextLane();
    const lane = this.lanes[l]!;
    let c = lane.members[0]!;
    if (lane.members.length > 1) {
      const u = rng.next();
      const cum = lane.cumulative;
      let i = 0;
      while (u >= cum[i]!) i++;
      c = lane.members[i]!;
    }
    const coll = this.compiled[c]!;
    const ops = coll.config.operations;
    let op = ops.length === 1 ? ops[0]! : ops[rng.below(ops.length)]!;
    // Updates and deletes hit created keys: until a key exists, a creating operation runs.
    if ((op === 'update' || op === 'delete') && state.created[c] === 0 && coll.creating) {
      op = coll.creating;
    }

    let createdAt: string;
    if (seeded) {
      const v =
        lane.rate > 0 ? (this.laneCounts[l]! + 1) / lane.rate : (seq + 1) * UNLIMITED_SPACING_S;
      const ms = v * 1000;
      const whole = Math.floor(ms);
      createdAt = `${SEEDED_EPOCH_MS + whole}${String(Math.min(999_999, Math.round((ms - whole) * 1e6))).padStart(6, '0')}`;
    } else {
      const whole = Math.floor(wallClockMs);
      createdAt = `${whole}${String(Math.floor((wallClockMs - whole) * 1e6)).padStart(6, '0')}`;
    }

    let key: number;
    let before: StructuredData | null = null;
    let after: StructuredData | null = null;
    if (op === 'create' || op === 'snapshot') {
      key = ++state.created[c]!;
      after = this.valuesOfKey(coll, c, key);
    } else {
      const created = state.created[c]!;
      key = 1 + rng.below(created > 0 ? created : state.counts[c]! + 1);
      before = this.valuesOfKey(coll, c, key);
      if (op === 'update') after = this.values(coll, rng);
    }

    state.seq = seq + 1;
    state.counts[c]!++;
    this.laneCounts[l]!++;

    const metadata = new Metadata();
    if (coll.collection !== undefined) metadata.setCollection(coll.collection);
    // The timestamp is already decimal nanosecond text: set directly rather than through
    // setCreatedAt, which would cost a BigInt per record. (`opencdc.readAt` is the runtime's.)
    metadata.set(METADATA_CREATED_AT, createdAt);

    const format = coll.config.format;
    let recordKey: Data;
    let b: Data | null = before;
    let a: Data | null = after;
    if (format === 'structured') {
      recordKey = { id: key };
    } else {
      recordKey = this.bytes.ascii(String(key));
      if (format === 'file') {
        const file = coll.config.file ?? new Uint8Array();
        b = before && file;
        a = after && file;
      } else {
        b = before && this.encode(coll, before);
        a = after && this.encode(coll, after);
      }
    }
    return new GeneratedRecord(this.position(), op, metadata, recordKey, new GeneratedChange(b, a));
  }

  private encode(coll: Compiled, data: StructuredData): Uint8Array {
    return this.bytes.utf8(coll.hasFaker ? JSON.stringify(data, bigintSafe) : JSON.stringify(data));
  }

  private values(coll: Compiled, rng: Rng): StructuredData {
    const out: { [field: string]: StructuredValue } = {};
    const fields = coll.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      out[f.name] = f.generate(rng, this.ctx);
    }
    return out;
  }

  /** The values key `key` was created with: a stream of its own, so updates can show them. */
  private valuesOfKey(coll: Compiled, c: number, key: number): StructuredData {
    this.keyRng.reseed(this.seed, c + 1, key);
    return this.values(coll, this.keyRng);
  }

  /** The position after the last generated record. */
  position(): Uint8Array {
    const { seq, counts, created } = this.state;
    const numbers = this.positionNumbers;
    numbers[0] = seq;
    for (let i = 0; i < counts.length; i++) {
      numbers[1 + 2 * i] = counts[i]!;
      numbers[2 + 2 * i] = created[i]!;
    }
    return this.bytes.interleave(this.positionParts, numbers);
  }
}

/**
 * Reads a position written by {@link RecordGenerator.position}: `{"seq":N,"c":{name:[n,k]}}`
 * (the default collection is named `""`). Collections unknown to the config are ignored and
 * new ones start at zero, so a changed config still resumes (with fresh keys for new ones).
 */
export function decodePosition(position: Uint8Array, config: GeneratorConfig): GeneratorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(position));
  } catch (e) {
    throw new Error(`generator: position is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const p = parsed as { seq?: unknown; c?: unknown };
  if (
    typeof p !== 'object' ||
    p === null ||
    !Number.isSafeInteger(p.seq) ||
    (p.seq as number) < 0
  ) {
    throw new Error(
      `generator: position ${JSON.stringify(parsed)} is not a generator position ({"seq":N,"c":{...}})`,
    );
  }
  const byName = (typeof p.c === 'object' && p.c !== null ? p.c : {}) as { [k: string]: unknown };
  const counts: number[] = [];
  const created: number[] = [];
  for (const c of config.collections) {
    const v = byName[c.name ?? ''];
    const ok =
      Array.isArray(v) && v.length === 2 && v.every((x) => Number.isSafeInteger(x) && x >= 0);
    counts.push(ok ? (v[0] as number) : 0);
    created.push(ok ? (v[1] as number) : 0);
  }
  return { seq: p.seq as number, counts, created };
}
