import type { Operation } from '@opencdc-ts/commons';
import type { FieldSpec } from './fields.js';

export type FormatType = 'raw' | 'structured' | 'file';

/** One collection after parsing: the top-level default one has `name` undefined. */
export interface CollectionConfig {
  /** `undefined` for the top-level default collection (no `opencdc.collection`, as upstream). */
  name: string | undefined;
  format: FormatType;
  /** Fields in a stable order (sorted by name). Empty for `file`. */
  fields: FieldSpec[];
  /** The parameter prefix (`` or `collections.users.`), for error messages. */
  prefix: string;
  /** The file whose bytes are the payload (`file` format); read when the source opens. */
  path: string | undefined;
  /** Payload bytes for the `file` format, once read. */
  file?: Uint8Array;
  operations: Operation[];
  /** Share of the records of the shared lane (collections without their own rate). */
  weight: number;
  /** Own records/s, independent of the others; `undefined` to share the top-level `rate`. */
  rate: number | undefined;
}

/** The generator's parsed configuration. */
export interface GeneratorConfig {
  /** Total records over all collections; 0 = unbounded. */
  recordCount: number;
  /** Records/s shared by the collections without their own rate; 0 = unlimited. */
  rate: number;
  /** Burst cycle in ms: generate for `generateTime`, then pause for `sleepTime` (0 = none). */
  burst: { generateTime: number; sleepTime: number };
  /** Fixed seed for reproducible, exactly resumable output; `undefined` = random per open. */
  seed: number | undefined;
  /** Sorted by name, so output does not depend on the order of keys in the pipeline file. */
  collections: CollectionConfig[];
}
