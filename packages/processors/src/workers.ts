/**
 * `workers: N` for a processor that can be imported by module: N worker threads each import it
 * and create their own instance, and a batch is cut into N slices processed at once, so a
 * CPU-heavy TypeScript processor uses N cores. Records cross threads as OpenCDC protobuf bytes.
 */
import { Worker } from 'node:worker_threads';
import { fromProto, type OpenCDCRecord, toProto } from '@opencdc-ts/commons';
import type { Logger, ProcessedRecord } from '@opencdc-ts/sdk';

/** Where a processor is imported from: a specifier `import()` accepts, and the export name. */
export interface ModuleRef {
  /** An absolute path, a `file:` URL or a package name resolvable from this package. */
  specifier: string;
  /** The export holding the processor; default: `default`, then `processor`. */
  export?: string;
}

/** What a worker sends back for one record. */
export type WireOutcome = { r: Uint8Array } | { f: true } | { s: Uint8Array[] } | { e: string };

export type ToWorker = { id: number; records: Uint8Array[] };
export type FromWorker =
  | { ready: true }
  | { startError: string }
  | { id: number; outcomes: WireOutcome[] }
  | { id: number; error: string }
  | { log: keyof Logger; msg: string; fields?: { [k: string]: unknown } };

export interface WorkerPool {
  process(records: readonly OpenCDCRecord[]): Promise<ProcessedRecord[]>;
  teardown(): Promise<void>;
}

export function toWire(p: ProcessedRecord): WireOutcome {
  if ('position' in p) return { r: toProto(p) };
  if ('filter' in p) return { f: true };
  if ('records' in p) return { s: p.records.map(toProto) };
  return { e: p.error.message };
}

function fromWire(w: WireOutcome): ProcessedRecord {
  if ('r' in w) return fromProto(w.r);
  if ('f' in w) return { filter: true };
  if ('s' in w) return { records: w.s.map((b) => fromProto(b)) };
  return { error: new Error(w.e) };
}

export async function startWorkerPool(
  module: ModuleRef,
  settings: { [k: string]: string },
  ctx: { processorId: string; logger: Logger },
  size: number,
): Promise<WorkerPool> {
  const url = new URL('./worker-thread.js', import.meta.url);
  const workers: Worker[] = [];
  const pending = new Map<
    number,
    { resolve: (o: WireOutcome[]) => void; reject: (e: Error) => void }
  >();
  let next = 0;
  const start = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const w = new Worker(url, {
        workerData: { module, settings, processorId: ctx.processorId },
      });
      w.on('message', (m: FromWorker) => {
        if ('ready' in m) resolve(w);
        else if ('startError' in m) reject(new Error(m.startError));
        else if ('log' in m) ctx.logger[m.log](m.msg, m.fields);
        else {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if ('error' in m) p?.reject(new Error(m.error));
          else p?.resolve(m.outcomes);
        }
      });
      w.on('error', (e) => {
        reject(e);
        for (const p of pending.values()) p.reject(e);
        pending.clear();
      });
    });
  try {
    for (let i = 0; i < size; i++) workers.push(await start());
  } catch (e) {
    await Promise.allSettled(workers.map((w) => w.terminate()));
    throw e;
  }
  const send = (w: Worker, records: readonly OpenCDCRecord[]) =>
    new Promise<WireOutcome[]>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      const msg: ToWorker = { id, records: records.map(toProto) };
      w.postMessage(msg);
    });
  return {
    async process(records) {
      if (records.length === 0) return [];
      const size = Math.ceil(records.length / workers.length);
      const parts: Promise<WireOutcome[]>[] = [];
      for (let i = 0, k = 0; i < records.length; i += size, k++)
        parts.push(send(workers[k]!, records.slice(i, i + size)));
      return (await Promise.all(parts)).flat().map(fromWire);
    },
    async teardown() {
      await Promise.allSettled(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.postMessage('teardown');
            }),
        ),
      );
    },
  };
}
