/**
 * A chain of processors run in order over a batch, as a Conduit pipeline runs its `processors:`:
 * each step only on the records its `condition` selects (the others pass it unchanged), with
 * `workers` running parts of the batch in parallel (order kept). The outcome is one
 * `ProcessedRecord` per INPUT record, composed across steps: a record split and then partly
 * filtered is `{ records: [the rest] }`; an error at any step is `{ error }` for that input.
 */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import {
  type Condition,
  ConfigError,
  ConfigErrors,
  compileCondition,
  isFiltered,
  isProcessError,
  isProcessor,
  isSplit,
  type Logger,
  type ProcessedRecord,
  type Processor,
  type ProcessorFunction,
  type ProcessorInstance,
  TemplateSyntaxError,
} from '@opencdc-ts/sdk';
import { functionInstance } from './outcome.js';
import { type ModuleRef, startWorkerPool } from './workers.js';

export interface ChainStep {
  /** The processor's id in its pipeline; errors name it. */
  id: string;
  processor: Processor | ProcessorFunction;
  /** Raw settings as in the pipeline file (strings); parsed with the processor's config. */
  settings: { [k: string]: string };
  /** A Go template over the record; the step runs on a record only where it renders `true`. */
  condition?: string;
  /** Records processed in parallel (order kept); default 1. */
  workers?: number;
  /**
   * Where the processor can be imported from, so `workers > 1` runs it in worker threads (for
   * CPU-heavy processors). Without it, workers share this thread (fine for I/O-bound ones).
   */
  module?: ModuleRef;
}

export interface ChainOptions {
  logger: Logger;
  pipelineId?: string;
}

export interface Chain {
  process(records: readonly OpenCDCRecord[], signal?: AbortSignal): Promise<ProcessedRecord[]>;
  teardown(): Promise<void>;
}

interface RunningStep {
  id: string;
  name: string;
  condition: Condition | undefined;
  run(records: readonly OpenCDCRecord[], signal?: AbortSignal): Promise<readonly ProcessedRecord[]>;
  teardown(): Promise<void>;
}

/** The setting a step's error is reported under, e.g. `processors.mask.settings.field`. */
function settingName(id: string, parameter: string): string {
  return parameter === 'condition' || parameter === 'workers' || parameter === 'plugin'
    ? `processors.${id}.${parameter}`
    : `processors.${id}.settings.${parameter}`;
}

function renamed(id: string, name: string, e: ConfigError): ConfigError {
  return new ConfigError(
    {
      parameter: settingName(id, e.parameter),
      value: e.value,
      rule: e.rule,
      fix: `${e.fix} (processor ${JSON.stringify(id)}, ${name})`,
    },
    { cause: e },
  );
}

/**
 * Configures every step (parsing settings, compiling conditions, creating instances) and returns
 * the chain. All configuration problems of all steps are thrown together as `ConfigErrors`, each
 * naming the processor id, the setting, the value and the fix.
 */
export async function createChain(
  steps: readonly ChainStep[],
  options: ChainOptions,
): Promise<Chain> {
  const errors: ConfigError[] = [];
  const running: RunningStep[] = [];
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id))
      errors.push(
        new ConfigError({
          parameter: `processors.${step.id}`,
          value: step.id,
          rule: 'unique id',
          fix: 'give each processor of a pipeline its own id',
        }),
      );
    ids.add(step.id);
    try {
      running.push(await startStep(step, options));
    } catch (e) {
      const name = stepName(step);
      if (e instanceof ConfigErrors) errors.push(...e.errors.map((c) => renamed(step.id, name, c)));
      else if (e instanceof ConfigError) errors.push(renamed(step.id, name, e));
      else {
        await Promise.allSettled(running.map((r) => r.teardown()));
        throw new Error(
          `processor ${JSON.stringify(step.id)} (${name}) failed to start: ${(e as Error)?.message ?? String(e)}`,
          { cause: e },
        );
      }
    }
  }
  if (errors.length > 0) {
    await Promise.allSettled(running.map((r) => r.teardown()));
    throw new ConfigErrors(errors);
  }
  return {
    process: (records, signal) => runChain(running, records, signal),
    async teardown() {
      const results = await Promise.allSettled(running.map((r) => r.teardown()));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
  };
}

function stepName(step: ChainStep): string {
  return isProcessor(step.processor) ? step.processor.specification.name : 'function';
}

async function startStep(step: ChainStep, options: ChainOptions): Promise<RunningStep> {
  const name = stepName(step);
  let condition: Condition | undefined;
  if (step.condition !== undefined && step.condition.trim() !== '') {
    try {
      condition = compileCondition(step.condition);
    } catch (e) {
      if (!(e instanceof TemplateSyntaxError)) throw e;
      throw new ConfigError({
        parameter: 'condition',
        value: step.condition,
        rule: `template syntax: ${e.message}`,
        fix: 'write a Go template that renders true or false, e.g. {{ eq .Metadata.table "users" }}',
      });
    }
  }
  const workers = step.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1)
    throw new ConfigError({
      parameter: 'workers',
      value: String(step.workers),
      rule: 'greater-than 0',
      fix: 'set workers to a whole number of at least 1',
    });
  const logger = options.logger;
  const ctx = { processorId: step.id, logger };
  let instance: ProcessorInstance;
  if (isProcessor(step.processor)) {
    const config = step.processor.config.parse(step.settings);
    if (workers > 1 && step.module) {
      const pool = await startWorkerPool(step.module, step.settings, ctx, workers);
      return { id: step.id, name, condition, run: pool.process, teardown: pool.teardown };
    }
    instance = await step.processor.create(config, ctx);
  } else if (typeof step.processor === 'function') {
    if (Object.keys(step.settings).length > 0)
      throw new ConfigError({
        parameter: Object.keys(step.settings)[0]!,
        value: Object.values(step.settings)[0],
        rule: 'a function processor takes no settings',
        fix: 'remove the settings, or declare them with defineProcessor',
      });
    if (workers > 1 && step.module) {
      const pool = await startWorkerPool(step.module, {}, ctx, workers);
      return { id: step.id, name, condition, run: pool.process, teardown: pool.teardown };
    }
    instance = functionInstance(step.processor);
  } else {
    throw new ConfigError({
      parameter: 'plugin',
      value: String(step.processor),
      rule: 'a processor',
      fix: 'pass a processor made with defineProcessor, or a function (records) => records',
    });
  }
  const run = workers > 1 ? inParallel(instance, workers) : sequential(instance);
  return {
    id: step.id,
    name,
    condition,
    run,
    teardown: async () => {
      await instance.teardown?.();
    },
  };
}

function sequential(instance: ProcessorInstance): RunningStep['run'] {
  return async (records, signal) => instance.process(records, signal);
}

/** `workers` slices of the batch processed concurrently by one instance, results in order. */
function inParallel(instance: ProcessorInstance, workers: number): RunningStep['run'] {
  return async (records, signal) => {
    if (records.length < 2) return instance.process(records, signal);
    const size = Math.ceil(records.length / workers);
    const parts: Promise<readonly ProcessedRecord[]>[] = [];
    for (let i = 0; i < records.length; i += size) {
      const slice = records.slice(i, i + size);
      parts.push(
        Promise.resolve(instance.process(slice, signal)).then((out) => padded(out, slice.length)),
      );
    }
    return (await Promise.all(parts)).flat();
  };
}

const NOT_PROCESSED = new Error('the processor returned no outcome for this record');

/** Outcomes for a slice: a short answer fails the rest (the contract's rule). */
function padded(out: readonly ProcessedRecord[], n: number): readonly ProcessedRecord[] {
  if (out.length >= n) return out;
  return [...out, ...Array.from({ length: n - out.length }, () => ({ error: NOT_PROCESSED }))];
}

/** Wraps a step's record error so it names the processor. */
/**
 * A step's failure, named in its message and tagged with `processorId` so a runtime can name the
 * failing processor (its dead-letter node) without parsing the message.
 */
function stepError(step: RunningStep, e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  return Object.assign(
    new Error(`processor ${JSON.stringify(step.id)} (${step.name}): ${err.message}`, {
      cause: err,
    }),
    { processorId: step.id },
  );
}

async function runChain(
  steps: readonly RunningStep[],
  inputs: readonly OpenCDCRecord[],
  signal?: AbortSignal,
): Promise<ProcessedRecord[]> {
  // The live records, each with the index of the input it came from (ascending).
  let records: readonly OpenCDCRecord[] = inputs;
  let owners: number[] | undefined; // undefined: records[i] came from inputs[i]
  const errors: (Error | undefined)[] = [];
  let split: boolean[] | undefined;
  for (const step of steps) {
    if (records.length === 0) break;
    signal?.throwIfAborted();
    const owner = (i: number) => (owners ? owners[i]! : i);
    // The condition picks the records the step sees; the others pass through.
    let selected: number[] | undefined;
    if (step.condition) {
      selected = [];
      for (let i = 0; i < records.length; i++) {
        try {
          if (step.condition(records[i]!)) selected.push(i);
        } catch (e) {
          errors[owner(i)] ??= stepError(step, e);
        }
      }
    }
    const batch = selected ? selected.map((i) => records[i]!) : records;
    let out: readonly ProcessedRecord[];
    try {
      out = batch.length === 0 ? [] : await step.run(batch, signal);
    } catch (e) {
      signal?.throwIfAborted();
      const err = stepError(step, e);
      out = batch.map(() => ({ error: err }));
    }
    // Fast path: every record processed, none dropped or multiplied, no errors.
    if (!selected && out.length === records.length && errors.length === 0 && allRecords(out)) {
      records = out as readonly OpenCDCRecord[];
      continue;
    }
    const nextRecords: OpenCDCRecord[] = [];
    const nextOwners: number[] = [];
    let s = 0; // position in `selected`/`out`
    for (let i = 0; i < records.length; i++) {
      const o = owner(i);
      const picked = selected ? selected[s] === i : true;
      if (!picked) {
        if (errors[o] === undefined) {
          nextRecords.push(records[i]!);
          nextOwners.push(o);
        }
        continue;
      }
      const result: ProcessedRecord = s < out.length ? out[s]! : { error: NOT_PROCESSED };
      s++;
      if (errors[o] !== undefined) continue;
      if (isProcessError(result)) errors[o] = stepError(step, result.error);
      else if (isFiltered(result)) continue;
      else if (isSplit(result)) {
        split ??= [];
        split[o] = true;
        for (const r of result.records) {
          nextRecords.push(r);
          nextOwners.push(o);
        }
      } else {
        nextRecords.push(result as OpenCDCRecord);
        nextOwners.push(o);
      }
    }
    records = nextRecords;
    owners = nextOwners;
  }
  return compose(inputs.length, records, owners, errors, split);
}

function allRecords(out: readonly ProcessedRecord[]): boolean {
  for (const o of out) if (!('position' in o)) return false;
  return true;
}

/** One outcome per input from the surviving records and their owners. */
function compose(
  n: number,
  records: readonly OpenCDCRecord[],
  owners: number[] | undefined,
  errors: (Error | undefined)[],
  split: boolean[] | undefined,
): ProcessedRecord[] {
  if (!owners && errors.length === 0) return records.slice();
  const groups: OpenCDCRecord[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < records.length; i++) groups[owners ? owners[i]! : i]!.push(records[i]!);
  const out: ProcessedRecord[] = new Array(n);
  for (let o = 0; o < n; o++) {
    const err = errors[o];
    const group = groups[o]!;
    if (err) out[o] = { error: err };
    else if (group.length === 0) out[o] = { filter: true };
    else if (group.length === 1 && !split?.[o]) out[o] = group[0]!;
    else out[o] = { records: group };
  }
  return out;
}
