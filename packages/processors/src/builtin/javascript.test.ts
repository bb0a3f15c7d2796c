import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecord, Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import { ConfigErrors, type Logger } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { customJavascript } from './javascript.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const logs: unknown[][] = [];
const logger: Logger = {
  debug: (...a) => logs.push(['debug', ...a]),
  info: (...a) => logs.push(['info', ...a]),
  warn: (...a) => logs.push(['warn', ...a]),
  error: (...a) => logs.push(['error', ...a]),
};

const run = async (
  settings: { [k: string]: string },
  records: OpenCDCRecord[],
  condition?: string,
) => {
  const chain = await createChain(
    [{ id: 'js', processor: customJavascript, settings, ...(condition ? { condition } : {}) }],
    { logger },
  );
  return chain.process(records);
};

const raw = (text: string, metadata: [string, string][] = []) =>
  createRecord({
    position: enc.encode('p'),
    metadata: new Metadata(metadata),
    after: enc.encode(text),
  });

describe('custom.javascript', () => {
  it("runs the script of Conduit's javascript pipeline example (A02)", async () => {
    const script = `function process(rec) {
      rec.Payload.After = RawData("hi there " + String.fromCharCode.apply(String, rec.Payload.After));
      return rec;
    }`;
    const [out] = (await run({ script }, [raw('you')])) as OpenCDCRecord[];
    expect(dec.decode(out!.payload.after as Uint8Array)).toBe('hi there you');
    expect(out!.payload.after).toBeInstanceOf(Uint8Array);
  });

  it('runs only where the condition holds (B02), filters on null, builds Record()s', async () => {
    const script = `function process(record) {
      if (record.Metadata.drop === "yes") return null;
      const r = Record();
      r.Operation = "update";
      r.Position = record.Position;
      r.Metadata = { from: record.Operation };
      r.Key = StructuredData();
      r.Key.id = record.Metadata.id;
      r.Payload.After = { n: Number(record.Metadata.id) * 2, nested: { ok: true } };
      logger.Info().Str("id", record.Metadata.id).Msg("rebuilt");
      return r;
    }`;
    const out = await run(
      { script },
      [
        raw('a', [
          ['foo', 'bar'],
          ['id', '1'],
        ]),
        raw('b', [
          ['foo', 'baz'],
          ['id', '2'],
        ]),
        raw('c', [
          ['foo', 'bar'],
          ['id', '3'],
          ['drop', 'yes'],
        ]),
      ],
      '{{ eq .Metadata.foo "bar" }}',
    );
    const first = out[0] as OpenCDCRecord;
    expect(first.operation).toBe('update');
    expect(Object.fromEntries(first.metadata)).toEqual({ from: 'create' });
    expect(first.key).toEqual({ id: '1' });
    expect(first.payload.after).toEqual({ n: 2, nested: { ok: true } });
    expect(dec.decode((out[1] as OpenCDCRecord).payload.after as Uint8Array)).toBe('b');
    expect(out[2]).toEqual({ filter: true });
    expect(logs).toContainEqual(['info', 'rebuilt', { id: '1' }]);
  });

  it('never changes the input record', async () => {
    const input = createRecord({ position: enc.encode('p'), after: { a: { b: 1 } } });
    await run(
      { script: 'function process(r) { r.Payload.After.a.b = 2; r.Metadata.x = "y"; return r; }' },
      [input],
    );
    expect(input.payload.after).toEqual({ a: { b: 1 } });
    expect(input.metadata.size).toBe(0);
  });

  it('is isolated from the host (no require, no host process)', async () => {
    const out = await run(
      {
        script:
          'function process(r) { r.Metadata.t = typeof require + "," + typeof globalThis.Buffer; return r; }',
      },
      [raw('x')],
    );
    expect((out[0] as OpenCDCRecord).metadata.get('t')).toBe('undefined,undefined');
  });

  it('reads script.path; a thrown error or a bad operation is a record error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'js-proc-'));
    const path = join(dir, 'p.js');
    writeFileSync(
      path,
      'function process(r) { if (r.Metadata.bad) throw new Error("nope"); r.Operation = r.Metadata.op || r.Operation; return r; }',
    );
    const out = await run({ 'script.path': path }, [
      raw('a', [['bad', '1']]),
      raw('b', [['op', 'upsert']]),
      raw('c'),
    ]);
    expect('error' in out[0]! && out[0].error.message).toMatch(/nope/);
    expect('error' in out[1]! && out[1].error.message).toMatch(/unknown operation "upsert"/);
    expect((out[2] as OpenCDCRecord).operation).toBe('create');
  });

  it('configuration errors: none or both scripts, no process(), a syntax error', async () => {
    for (const [settings, rule] of [
      [{}, /needs to be provided/],
      [{ script: 'function process(r){return r}', 'script.path': '/x.js' }, /only one of/],
      [{ script: 'function other(r) { return r; }' }, /function process/],
      [{ script: 'function process(r) { return r' }, /compiles/],
      [{ 'script.path': '/nonexistent/p.js' }, /readable file/],
    ] as const) {
      await expect(run(settings, [])).rejects.toThrow(ConfigErrors);
      await expect(run(settings, [])).rejects.toThrow(rule);
    }
  });
});
