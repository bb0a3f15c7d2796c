/** The body of one processor worker thread (see workers.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { fromProto } from '@opencdc-ts/commons';
import {
  isProcessor,
  type Logger,
  type ProcessorFunction,
  type ProcessorInstance,
} from '@opencdc-ts/sdk';
import { functionInstance } from './outcome.js';
import { type FromWorker, type ModuleRef, type ToWorker, toWire } from './workers.js';

const data = workerData as {
  module: ModuleRef;
  settings: { [k: string]: string };
  processorId: string;
};
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const log =
  (level: keyof Logger) =>
  (msg: string, fields?: { [k: string]: unknown }): void =>
    post({ log: level, msg, ...(fields ? { fields } : {}) });
const logger: Logger = {
  debug: log('debug'),
  info: log('info'),
  warn: log('warn'),
  error: log('error'),
};

async function load(): Promise<ProcessorInstance> {
  const mod = (await import(data.module.specifier)) as { [k: string]: unknown };
  const exported = data.module.export ? mod[data.module.export] : (mod.default ?? mod.processor);
  if (isProcessor(exported)) {
    const config = exported.config.parse(data.settings);
    return exported.create(config, { processorId: data.processorId, logger });
  }
  if (typeof exported === 'function') return functionInstance(exported as ProcessorFunction);
  throw new Error(`${data.module.specifier} exports no processor`);
}

load().then(
  (instance) => {
    port.on('message', async (m: ToWorker | 'teardown') => {
      if (m === 'teardown') {
        await instance.teardown?.();
        process.exit(0);
      }
      try {
        const out = await instance.process(m.records.map((b) => fromProto(b)));
        post({ id: m.id, outcomes: out.map(toWire) });
      } catch (e) {
        post({ id: m.id, error: (e as Error)?.message ?? String(e) });
      }
    });
    post({ ready: true });
  },
  (e: unknown) => post({ startError: (e as Error)?.message ?? String(e) }),
);
