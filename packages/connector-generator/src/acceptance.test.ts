/**
 * The sdk's acceptance suite against the generator. There is no upstream to write to: the
 * "expected data" is what a reference generator with the same seed and config produces, so the
 * suite checks that the source, through its public interface (open/read/ack/resume), yields
 * exactly the predicted records per collection.
 */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { AcceptanceContext } from '@opencdc-ts/sdk/acceptance';
import { runAcceptanceTests } from '@opencdc-ts/sdk/acceptance';
import { parseConfig } from './config.js';
import { RecordGenerator } from './generator.js';
import { connector } from './index.js';

const SEED = '7';

function settings(ctx: AcceptanceContext): { [k: string]: string } {
  // Single-collection tests use collections[0] only; the multiple-collections test all three.
  const multiple = ctx.testName.includes('multiple collections');
  const names = multiple ? ctx.collections : ctx.collections.slice(0, 1);
  const s: { [k: string]: string } = { seed: SEED, operations: 'create,update,delete' };
  names.forEach((c, i) => {
    s[`collections.${c}.format.type`] = i === 1 ? 'raw' : 'structured';
    s[`collections.${c}.format.options.id`] = 'int';
    s[`collections.${c}.format.options.name`] = 'person.fullName';
    s[`collections.${c}.format.options.at`] = 'time';
    // Equal own rates interleave the collections exactly (c0, c1, c2, c0, ...), so any prefix
    // of 3n records holds n of each, as the suite expects; weights would only be statistical.
    if (multiple) s[`collections.${c}.rate`] = '100000';
  });
  // An "empty" generator: its first record is due in ~3 hours.
  if (ctx.testName.includes('empty source')) s.rate = '0.0001';
  return s;
}

/** Expected records per test and collection, from a reference generator. */
const expected = new Map<string, Map<string, OpenCDCRecord[]>>();

function expectedRecord(ctx: AcceptanceContext, collection: string, i: number): OpenCDCRecord {
  let perCollection = expected.get(ctx.id);
  if (!perCollection) {
    perCollection = new Map();
    expected.set(ctx.id, perCollection);
  }
  const config = parseConfig(settings(ctx));
  let list = perCollection.get(collection);
  if (!list || list.length <= i) {
    const gen = new RecordGenerator(config, Number(SEED));
    const all = new Map<string, OpenCDCRecord[]>();
    while ((all.get(collection)?.length ?? 0) <= i) {
      const r = gen.next(0, true);
      const c = r.metadata.get('opencdc.collection')!;
      all.set(c, [...(all.get(c) ?? []), r]);
    }
    list = all.get(collection)!;
    perCollection.set(collection, list);
  }
  return list[i]!;
}

runAcceptanceTests({
  connector,
  sourceConfig: settings,
  // Nothing to write upstream: the records are determined by the seed.
  writeExpectedData: async () => {},
  generateRecord: expectedRecord,
  cleanup: async (ctx) => {
    expected.delete(ctx.id);
  },
  readTimeout: 5_000,
  emptyReadTimeout: 500,
});
