import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { Connector, Logger } from '../connector.js';
import type { RawConfig } from '../params/config.js';

/** Fresh per test, so tests never share tables, topics, slots or groups. */
export interface AcceptanceContext {
  /**
   * Unique per test and safe in any name (lowercase letters, digits, `_`; starts with a letter),
   * e.g. `acc_k3j9x_4`. Use it for slot, publication, group or database names.
   */
  readonly id: string;
  /**
   * The collections (tables, topics) this test uses: always three, `${id}_c0` .. `${id}_c2`.
   * Single-collection tests use only `collections[0]`; the multiple-collections tests use all.
   * Configs should cover all three (e.g. `tables: c0,c1,c2`); create them if the system needs it.
   */
  readonly collections: readonly string[];
  /** Name of the running test (for logs). */
  readonly testName: string;
}

type MaybePromise<T> = T | Promise<T>;

export interface AcceptanceOptions<SC = unknown, DC = unknown> {
  /** The connector under test (its specification and its sides). */
  connector: Connector<SC, DC>;
  /** Title of the top-level `describe`; default `acceptance: <specification name>`. */
  name?: string;
  /** Raw source settings for one test (called per test; may create upstream resources). */
  sourceConfig?: (ctx: AcceptanceContext) => MaybePromise<RawConfig>;
  /** Raw destination settings for one test (called per test). */
  destinationConfig?: (ctx: AcceptanceContext) => MaybePromise<RawConfig>;
  /**
   * Source tests: put these records upstream (each carries its `opencdc.collection`) so the
   * source will read them. Default: the connector's own destination (with `destinationConfig`),
   * when it has one; without either, the tests that need data are skipped (and say so).
   */
  writeExpectedData?: (ctx: AcceptanceContext, records: readonly OpenCDCRecord[]) => Promise<void>;
  /**
   * Destination tests: everything the destination wrote, each record with its
   * `opencdc.collection` set to where it landed, in write order per collection. `count` is how
   * many the test wrote (resolve once they are all visible). Default: the connector's own source
   * (with `sourceConfig`); without either, write tests only check that writes succeed.
   */
  readFromDestination?: (ctx: AcceptanceContext, count: number) => Promise<OpenCDCRecord[]>;
  /**
   * Record `i` (0-based) of `collection`. Default: a `create` record with metadata
   * `opencdc.collection`, key `{ id: i }` and payload.after `{ id: i, name: "name-<i>" }`.
   */
  generateRecord?: (ctx: AcceptanceContext, collection: string, i: number) => OpenCDCRecord;
  /**
   * Throws when `actual` (read back) does not match `expected` (written). Default: key and
   * payload.after are deep-equal after normalization (raw JSON bytes are parsed, safe bigints
   * become numbers), and `opencdc.collection` matches when the expected record has one.
   */
  compareRecords?: (expected: OpenCDCRecord, actual: OpenCDCRecord) => void;
  /** Per-test cleanup (drop tables, delete topics); runs after each test, even a failed one. */
  cleanup?: (ctx: AcceptanceContext) => Promise<void>;
  /** Records each test writes per collection. Default 20. */
  recordCount?: number;
  /** Milliseconds to wait for expected records to arrive. Default 20 000. */
  readTimeout?: number;
  /** Milliseconds a read on an empty source must wait before giving up. Default 1 000. */
  emptyReadTimeout?: number;
  /** Extra vitest timeout per test, in milliseconds. Default 60 000 + 3 × readTimeout. */
  testTimeout?: number;
  /**
   * Tests to skip, by their exact name, each with the reason (reported in the test output).
   * A declared feature's test may only be skipped with a reason; nothing is skipped silently.
   */
  skip?: { readonly [testName: string]: string };
  /** Logger handed to the connector; default: silent. */
  logger?: Logger;
}

/** One acceptance check, runnable outside vitest's collection (used by `runAcceptanceTests`). */
export interface AcceptanceCheck {
  /** `specification`, `source` or `destination`. */
  readonly group: 'specification' | 'source' | 'destination';
  /** Stable name, usable as a key of `AcceptanceOptions.skip`. */
  readonly name: string;
  /** Why this check does not apply (e.g. the feature is not declared); `undefined` to run. */
  readonly skip: string | undefined;
  /** Runs the check with a fresh context; rejects on failure. */
  run(): Promise<void>;
}
