// createChain's composition against a model: per step, each live record is kept, filtered, split
// in parts or failed (chosen at random by step and record id), possibly under a condition; the
// outcome of each input must be what the model says.
import { createRecord, Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import { defineConfig, defineProcessor, type Logger, type ProcessedRecord } from '@opencdc-ts/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChain } from './chain.js';

type Action =
  | { kind: 'keep' }
  | { kind: 'filter' }
  | { kind: 'error' }
  | { kind: 'split'; n: number };
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.constant({ kind: 'keep' as const }),
  fc.constant({ kind: 'filter' as const }),
  fc.constant({ kind: 'error' as const }),
  fc.integer({ min: 0, max: 3 }).map((n) => ({ kind: 'split' as const, n })),
);
const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const id = (r: OpenCDCRecord) => r.metadata.get('id')!;
const hash = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);

/** A conditional step only sees records whose id has an even hash (metadata `sel` says so). */
const selected = (r: OpenCDCRecord) => r.metadata.get('sel') === 'yes';

function withId(r: OpenCDCRecord, value: string): OpenCDCRecord {
  const sel = hash(value) % 2 === 0 ? 'yes' : 'no';
  return { ...r, metadata: new Metadata([...r.metadata, ['id', value], ['sel', sel]]) };
}

/** A step that applies `actions[hash(id) % length]` to each record it sees. */
function step(actions: Action[]) {
  const pick = (r: OpenCDCRecord) => actions[hash(id(r)) % actions.length]!;
  return defineProcessor({
    name: 'test.model',
    summary: '',
    description: '',
    version: '1.0.0',
    author: '',
    config: defineConfig({}),
    create: () => ({
      process: (records) =>
        records.map((r): ProcessedRecord => {
          const a = pick(r);
          if (a.kind === 'keep') return withId(r, `${id(r)}k`);
          if (a.kind === 'filter') return { filter: true };
          if (a.kind === 'error') return { error: new Error(`e${id(r)}`) };
          return { records: Array.from({ length: a.n }, (_, j) => withId(r, `${id(r)}.${j}`)) };
        }),
    }),
  });
}

describe('createChain composition (property)', () => {
  it('matches the model for any mix of keep, filter, split and error under conditions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            actions: fc.array(action, { minLength: 1, maxLength: 4 }),
            conditional: fc.boolean(),
          }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.integer({ min: 1, max: 6 }),
        async (steps, n) => {
          const chain = await createChain(
            steps.map((s, i) => ({
              id: `s${i}`,
              processor: step(s.actions),
              settings: {},
              ...(s.conditional ? { condition: '{{ eq (index .Metadata "sel") "yes" }}' } : {}),
            })),
            { logger },
          );
          const inputs = Array.from({ length: n }, (_, i) =>
            withId(createRecord({ position: new Uint8Array([i]), after: null }), String(i)),
          );
          // Model.
          const want = inputs.map((input) => {
            let live = [input];
            let split = false;
            for (const s of steps) {
              const next: OpenCDCRecord[] = [];
              for (const r of live) {
                if (s.conditional && !selected(r)) {
                  next.push(r);
                  continue;
                }
                const a = s.actions[hash(id(r)) % s.actions.length]!;
                if (a.kind === 'keep') next.push(withId(r, `${id(r)}k`));
                else if (a.kind === 'error') return `error e${id(r)}`;
                else if (a.kind === 'split') {
                  split = true;
                  for (let j = 0; j < a.n; j++) next.push(withId(r, `${id(r)}.${j}`));
                }
              }
              live = next;
            }
            if (live.length === 0) return 'filter';
            return live.length === 1 && !split ? id(live[0]!) : live.map(id);
          });
          const got = (await chain.process(inputs)).map((o) => {
            if ('error' in o)
              return `error ${o.error.message.replace(/^processor "s\d+" \(test.model\): /, '')}`;
            if ('filter' in o) return 'filter';
            if ('records' in o) return o.records.map(id);
            return id(o);
          });
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 150 },
    );
  });
});
