import type { Logger } from '@opencdc-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { actual, expected, loadSpecs, toRecord } from './examples.test-helper.js';
import { builtinProcessors } from './index.js';
import { startExampleServer } from './webhook.test-helper.js';

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const specs = loadSpecs();
let server: Awaited<ReturnType<typeof startExampleServer>>;

beforeAll(async () => {
  server = await startExampleServer();
});
afterAll(() => server.close());

/** Error messages here name the processor; Conduit's are the bare message. */
function bare(outcome: unknown): unknown {
  if (outcome && typeof outcome === 'object' && 'error' in outcome) {
    const m = String((outcome as { error: string }).error);
    return { error: m.replace(/^processor "[^"]+" \([^)]+\): /, '') };
  }
  return outcome;
}

describe.each(specs.map((s) => [s.specification.name, s] as const))('%s', (name, spec) => {
  const processor = builtinProcessors.get(name);

  it("is built in with Conduit's parameters, types, defaults and validations", () => {
    expect(processor, `${name} is missing`).toBeDefined();
    const ours = processor!.specification.parameters;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(spec.specification.parameters).sort());
    for (const [p, theirs] of Object.entries(spec.specification.parameters)) {
      expect(ours[p]!.type, p).toBe(theirs.type);
      // Without a schema registry the sdk.schema.* switches default to false (true is refused).
      expect(ours[p]!.default, p).toBe(p.startsWith('sdk.schema.') ? 'false' : theirs.default);
      const v = (theirs.validations ?? []).map((x) => x.type).sort();
      expect(ours[p]!.validations.map((x) => x.type).sort(), p).toEqual(v);
    }
  });

  it.each((spec.examples ?? []).map((e) => [e.summary, e] as const))(
    'example: %s',
    async (_, e) => {
      const settings = server.rewrite(e.config);
      const chain = await createChain([{ id: 'p', processor: processor!, settings }], { logger });
      const [out] = await chain.process([toRecord(e.have)]);
      await chain.teardown();
      expect(bare(actual(out!))).toEqual(expected(e.want));
    },
  );
});
