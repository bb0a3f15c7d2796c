/**
 * A tiny in-memory connector used to test the acceptance suite itself: a shared log per
 * `store`, a source reading it (snapshot then live changes, resumable) and a destination
 * appending to it with template routing. `broken` variants each break one promise.
 */
import { Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import type { Destination, Source } from '../connector.js';
import { defineConnector } from '../define-connector.js';
import { AbortedError } from '../errors.js';
import { defineConfig } from '../params/config.js';
import { param } from '../params/param.js';
import { compileRouter } from '../route/router.js';

interface Entry {
  seq: number;
  collection: string;
  record: OpenCDCRecord;
}

class Store {
  readonly log: Entry[] = [];
  private waiters = new Set<() => void>();
  private keys = new Set<string>();
  has(collection: string, key: string): boolean {
    return this.keys.has(`${collection}\u0000${key}`);
  }
  append(collection: string, record: OpenCDCRecord): void {
    this.keys.add(`${collection}\u0000${JSON.stringify(record.key)}`);
    this.log.push({ seq: this.log.length + 1, collection, record });
    for (const w of this.waiters) w();
    this.waiters.clear();
  }
  /** Resolves on the next append or when the signal aborts. */
  changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

const stores = new Map<string, Store>();
export function store(name: string): Store {
  let s = stores.get(name);
  if (!s) {
    s = new Store();
    stores.set(name, s);
  }
  return s;
}

export type Breakage = 'routing' | 'resume' | 'descriptions' | 'timeout' | 'duplicates';

const enc = new TextEncoder();
const dec = new TextDecoder();

export function memoryConnector(broken?: Breakage) {
  const d = (text: string) => (broken === 'descriptions' ? '' : text);
  const sourceConfig = defineConfig({
    store: param.string({ required: true, description: d('Name of the in-memory store.') }),
    collections: param.list({ required: true, description: d('Collections to read.') }),
    snapshot: param.bool({ default: true, description: d('Read what exists at first open.') }),
  });
  const destinationConfig = defineConfig({
    store: param.string({ required: true, description: d('Name of the in-memory store.') }),
    collection: param.string({ description: d('Route template; default: the record collection.') }),
  });

  return defineConnector({
    name: broken ? `memory-broken-${broken}` : 'memory',
    summary: 'In-memory test connector.',
    description: 'Reads and writes a process-local log; for tests only.',
    version: '1.0.0',
    author: 'opencdc-ts',
    features: {
      source: { multipleCollections: true, cdc: { snapshot: true, resume: true } },
      destination: { multipleCollections: true, idempotentWrites: true },
    },
    source: {
      config: sourceConfig,
      create(config): Source {
        const s = store(config.store);
        const wanted = new Set(config.collections);
        let next = 0; // index into the log
        let snapshotEnd = 0;
        return {
          async open(position) {
            if (position) {
              const seq = (JSON.parse(dec.decode(position)) as { seq: number }).seq;
              // Broken: skips the record after the position.
              next = broken === 'resume' ? seq + 1 : seq;
              snapshotEnd = next;
            } else {
              next = config.snapshot ? 0 : s.log.length;
              snapshotEnd = s.log.length;
            }
          },
          async read(max, signal) {
            for (;;) {
              const out: OpenCDCRecord[] = [];
              for (; next < s.log.length && out.length < max; next++) {
                const e = s.log[next]!;
                if (!wanted.has(e.collection)) continue;
                const metadata = new Metadata(e.record.metadata);
                metadata.setCollection(e.collection);
                out.push({
                  ...e.record,
                  operation: next < snapshotEnd ? 'snapshot' : e.record.operation,
                  metadata,
                  position: enc.encode(JSON.stringify({ seq: e.seq })),
                });
              }
              if (out.length > 0) return out;
              if (broken === 'timeout') return [];
              if (signal.aborted) throw new AbortedError();
              await s.changed(signal);
            }
          },
          async ack() {},
          async teardown() {},
        };
      },
    },
    destination: {
      config: destinationConfig,
      create(config): Destination {
        const s = store(config.store);
        const router = compileRouter({ parameter: 'collection', template: config.collection });
        return {
          async open() {},
          async write(records) {
            for (const r of records) {
              // Broken: everything lands in the first record's collection.
              const to = broken === 'routing' ? router.route(records[0]!) : router.route(r);
              // Upsert by key: an identical key in the same collection is not written twice.
              const key = JSON.stringify(r.key);
              if (broken !== 'duplicates' && s.has(to, key)) continue;
              s.append(to, r);
            }
          },
          async teardown() {},
        };
      },
    },
  });
}
