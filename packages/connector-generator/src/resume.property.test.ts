import type { OpenCDCRecord } from '@opencdc-ts/commons';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { parseConfig } from './config.js';
import { decodePosition, RecordGenerator } from './generator.js';

const text = new TextDecoder();
const show = (r: OpenCDCRecord) =>
  JSON.stringify([
    text.decode(r.position),
    r.operation,
    [...r.metadata],
    r.key instanceof Uint8Array ? text.decode(r.key) : r.key,
    [r.payload.before, r.payload.after].map((d) => (d instanceof Uint8Array ? text.decode(d) : d)),
  ]);

const collection = fc.record({
  format: fc.constantFrom('structured', 'raw'),
  fields: fc.uniqueArray(
    fc.tuple(
      fc.constantFrom('a', 'b', 'c', 'd'),
      fc.constantFrom(
        'int',
        'string',
        'time',
        'bool',
        'duration',
        'string.uuid',
        'person.firstName',
      ),
    ),
    { minLength: 1, maxLength: 3, selector: ([name]) => name },
  ),
  operations: fc.subarray(['create', 'update', 'delete', 'snapshot'], { minLength: 1 }),
  weight: fc.integer({ min: 1, max: 5 }),
  rate: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
});

test('for any config, resuming at any record continues exactly (property)', () => {
  fc.assert(
    fc.property(
      fc.array(collection, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.integer({ min: 1, max: 120 }),
      (collections, seed, cut) => {
        const settings: { [k: string]: string } = { seed: String(seed), rate: '50' };
        collections.forEach((c, i) => {
          const p = `collections.c${i}.`;
          settings[`${p}format.type`] = c.format;
          for (const [name, type] of c.fields) settings[`${p}format.options.${name}`] = type;
          settings[`${p}operations`] = c.operations.join(',');
          if (c.rate === undefined) settings[`${p}weight`] = String(c.weight);
          else settings[`${p}rate`] = String(c.rate);
        });
        if (collections.every((c) => c.rate !== undefined)) delete settings.rate;
        const config = parseConfig(settings);
        const take = (g: RecordGenerator, n: number) =>
          Array.from({ length: n }, () => show(g.next(0, true)));
        const all = take(new RecordGenerator(config, seed), 150);
        const first = new RecordGenerator(config, seed);
        let last: OpenCDCRecord | undefined;
        for (let i = 0; i < cut; i++) last = first.next(0, true);
        const resumed = new RecordGenerator(config, seed, decodePosition(last!.position, config));
        expect(take(resumed, 150 - cut)).toEqual(all.slice(cut));
      },
    ),
    { numRuns: 60 },
  );
});
