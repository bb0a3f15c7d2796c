import type { Parameters } from '../params/types.js';

/**
 * What a connector supports, declared by its author and verified by the acceptance suite
 * (a declared feature is a tested feature). The runtime reads these to warn before a pipeline
 * needs something a connector lacks.
 */
export interface SourceFeatures {
  /** Emits records of several collections, each tagged with `opencdc.collection`. */
  multipleCollections?: boolean;
  /** Change data capture from a change log (e.g. logical replication). */
  cdc?: { snapshot: boolean; resume: boolean };
  /** Polling for changes (weaker: e.g. no deletes, relies on an ordering column). */
  longPolling?: { snapshot: boolean; resume: boolean };
  /**
   * Opens at a position and continues after it, losing nothing, for a source that captures no
   * changes (e.g. a generator, a file, a queue). A change-capturing source declares resume in
   * `cdc` or `longPolling` instead.
   */
  resume?: boolean;
}

/** Whether a source with these features can open at a position and continue after it. */
export function sourceCanResume(f: SourceFeatures | undefined): boolean {
  return Boolean(f?.resume || f?.cdc?.resume || f?.longPolling?.resume);
}

export interface DestinationFeatures {
  /** Routes each record to a target chosen from the record (default: its collection). */
  multipleCollections?: boolean;
  /**
   * Writing the same records again (a retry after a crash, at-least-once delivery) leaves the
   * same result as writing them once: e.g. an upsert by key. Without it, redelivered records
   * become duplicates downstream.
   */
  idempotentWrites?: boolean;
}

export interface Features {
  source?: SourceFeatures;
  destination?: DestinationFeatures;
}

export interface Specification {
  /** Short unique name, e.g. `postgres`. */
  name: string;
  summary: string;
  description: string;
  version: string;
  author: string;
  sourceParams: Parameters;
  destinationParams: Parameters;
  features: Features;
}
