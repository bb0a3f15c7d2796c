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
  type Pending = { resolve: (o: WireOutcome[]) => void; reject: (e: Error) => void };
  let closing = false;
  let next = 0;
  /** Starts one worker; its requests fail if it dies, and the slot restarts on next use. */
  const start = (): Promise<{ worker: Worker; pending: Map<number, Pending> }> =>
    new Promise((resolve, reject) => {
      const pending = new Map<number, Pending>();
      const worker = new Worker(url, {
        workerData: { module, settings, processorId: ctx.processorId },
      });
      const failAll = (e: Error) => {
        reject(e);
        for (const p of pending.values()) p.reject(e);
        pending.clear();
      };
      worker.on('message', (m: FromWorker) => {
        if ('ready' in m) resolve({ worker, pending });
        else if ('startError' in m) reject(new Error(m.startError));
        else if ('log' in m) ctx.logger[m.log](m.msg, m.fields);
        else {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if ('error' in m) p?.reject(new Error(m.error));
          else p?.resolve(m.outcomes);
        }
      });
      worker.on('error', failAll);
      worker.on('exit', (code) => {
        if (closing) return;
        failAll(new Error(`processor worker thread exited (code ${code})`));
        const k = slots.indexOf(worker);
        if (k >= 0) slots[k] = undefined;
        handles.delete(worker);
      });
    });
  const slots: (Worker | undefined)[] = [];
  const handles = new Map<Worker, Map<number, Pending>>();
  const ensure = async (k: number): Promise<Worker> => {
    const w = slots[k];
    if (w) return w;
    const { worker, pending } = await start();
    slots[k] = worker;
    handles.set(worker, pending);
    return worker;
  };
  try {
    for (let k = 0; k < size; k++) await ensure(k);
  } catch (e) {
    closing = true;
    await Promise.allSettled(slots.map((w) => w?.terminate()));
    throw e;
  }
  const send = async (k: number, records: readonly OpenCDCRecord[]) => {
    const w = await ensure(k);
    const pending = handles.get(w)!;
    return new Promise<WireOutcome[]>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      const msg: ToWorker = { id, records: records.map(toProto) };
      w.postMessage(msg);
    });
  };
  return {
    async process(records) {
      if (records.length === 0) return [];
      const part = Math.ceil(records.length / size);
      const parts: Promise<WireOutcome[]>[] = [];
      const sizes: number[] = [];
      for (let i = 0, k = 0; i < records.length; i += part, k++) {
        const slice = records.slice(i, i + part);
        sizes.push(slice.length);
        parts.push(send(k, slice));
      }
      // A slice whose thread failed is an error for its records only.
      const settled = await Promise.allSettled(parts);
      return settled.flatMap((s, k): ProcessedRecord[] => {
        if (s.status === 'fulfilled') return s.value.map(fromWire);
        const error = s.reason instanceof Error ? s.reason : new Error(String(s.reason));
        return Array.from({ length: sizes[k]! }, () => ({ error }));
      });
    },
    async teardown() {
      closing = true;
      await Promise.allSettled(
        slots.map(
          (w) =>
            w &&
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.postMessage('teardown');
            }),
        ),
      );
    },
  };
}
