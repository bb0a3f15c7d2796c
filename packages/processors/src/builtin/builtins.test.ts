import { createRecord, Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import { ConfigErrors, type Logger, type ProcessedRecord } from '@opencdc-ts/sdk';
import { describe, expect, it } from 'vitest';
import { createChain } from '../chain.js';
import { builtinProcessors } from './index.js';

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const enc = new TextEncoder();

async function run(name: string, settings: { [k: string]: string }, r: OpenCDCRecord) {
  const chain = await createChain(
    [{ id: 'p', processor: builtinProcessors.get(name)!, settings }],
    {
      logger,
    },
  );
  return (await chain.process([r]))[0]!;
}
const configError = (name: string, settings: { [k: string]: string }) =>
  expect(
    createChain([{ id: 'p', processor: builtinProcessors.get(name)!, settings }], { logger }),
  ).rejects.toThrow(ConfigErrors);
const message = (p: ProcessedRecord) => ('error' in p ? p.error.message : '');

const structured = () =>
  createRecord({
    position: enc.encode('p'),
    metadata: new Metadata([['table', 'users']]),
    key: { id: 7 },
    after: { name: 'Ada', n: '42', nested: { x: 1 }, flag: true },
  });
const raw = () => createRecord({ position: enc.encode('p'), after: enc.encode('{"a":1}') });

describe('field.set', () => {
  it('renders a template over the record into a new nested field', async () => {
    const out = (await run(
      'field.set',
      { field: '.Payload.After.meta.from', value: '{{ .Metadata.table }}-{{ .Key.id }}' },
      structured(),
    )) as OpenCDCRecord;
    expect(out.payload.after).toMatchObject({ meta: { from: 'users-7' } });
  });
  it('fails a record whose payload is raw data, and a bad operation', async () => {
    expect(
      message(await run('field.set', { field: '.Payload.After.x', value: 'v' }, raw())),
    ).toMatch(/structured data/);
    expect(
      message(await run('field.set', { field: '.Operation', value: 'upsert' }, raw())),
    ).toMatch(/not create/);
  });
  it('refuses .Position and a bad template at configure time', async () => {
    await configError('field.set', { field: '.Position', value: 'x' });
    await configError('field.set', { field: '.Payload.After.x', value: '{{ .Nope }}' });
  });
});

describe('field.rename / field.exclude', () => {
  it('renames metadata and nested fields; refuses top-level fields and bad pairs', async () => {
    const out = (await run(
      'field.rename',
      { mapping: '.Metadata.table:collection, .Payload.After.nested.x:y' },
      structured(),
    )) as OpenCDCRecord;
    expect(Object.fromEntries(out.metadata)).toEqual({ collection: 'users' });
    expect(out.payload.after).toMatchObject({ nested: { y: 1 } });
    await configError('field.rename', { mapping: '.Payload.After:x' });
    await configError('field.rename', { mapping: '.Payload.After.a' });
    await configError('field.rename', { mapping: '.Payload.After.a:' });
  });
  it('excludes fields and whole subtrees; refuses .Position and .Operation', async () => {
    const out = (await run(
      'field.exclude',
      { fields: '.Payload.After.nested,.Key,.Metadata.missing' },
      structured(),
    )) as OpenCDCRecord;
    expect(out.payload.after).toEqual({ name: 'Ada', n: '42', flag: true });
    expect(out.key).toBeNull();
    await configError('field.exclude', { fields: '.Operation' });
  });
});

describe('field.convert', () => {
  it.each([
    ['.Payload.After.n', 'int', 42],
    ['.Payload.After.n', 'float', 42],
    ['.Payload.After.flag', 'int', 1],
    ['.Payload.After.flag', 'string', 'true'],
    ['.Key.id', 'bool', undefined],
    ['.Payload.After.n', 'time', '1970-01-01T00:00:00.000000042Z'],
  ])('%s to %s', async (field, type, want) => {
    const out = await run('field.convert', { field, type }, structured());
    if (want === undefined) return expect(message(out)).toMatch(/ParseBool/);
    const r = out as OpenCDCRecord;
    const [root, name] = field
      .split('.')
      .slice(1)
      .filter((p) => p !== 'After');
    const data = (root === 'Key' ? r.key : r.payload.after) as { [k: string]: unknown };
    expect(data[name!]).toEqual(want);
  });
  it('refuses fields outside .Key/.Payload and unknown types', async () => {
    await configError('field.convert', { field: '.Metadata.table', type: 'int' });
    await configError('field.convert', { field: '.Key.id', type: 'uuid' });
  });
});

describe('encodings', () => {
  it('json.decode raw data, then json.encode it back with sorted keys', async () => {
    const decoded = (await run('json.decode', { field: '.Payload.After' }, raw())) as OpenCDCRecord;
    expect(decoded.payload.after).toEqual({ a: 1 });
    const bad = createRecord({ position: enc.encode('p'), after: enc.encode('{oops') });
    expect(message(await run('json.decode', { field: '.Payload.After' }, bad))).toMatch(/JSON/);
    const encoded = (await run(
      'json.encode',
      { field: '.Payload.After' },
      createRecord({ position: enc.encode('p'), after: { b: '<&>', a: [1, 2n ** 60n] } }),
    )) as OpenCDCRecord;
    expect(new TextDecoder().decode(encoded.payload.after as Uint8Array)).toBe(
      `{"a":[1,${2n ** 60n}],"b":"\\u003c\\u0026\\u003e"}`,
    );
  });
  it('base64 round trip, numbers encoded as text, invalid base64 is a record error', async () => {
    const e = (await run(
      'base64.encode',
      { field: '.Payload.After.n' },
      structured(),
    )) as OpenCDCRecord;
    expect((e.payload.after as { n: string }).n).toBe('NDI=');
    const d = (await run('base64.decode', { field: '.Payload.After.n' }, e)) as OpenCDCRecord;
    expect((d.payload.after as { n: string }).n).toBe('42');
    expect(
      message(await run('base64.decode', { field: '.Payload.After.name' }, structured())),
    ).toMatch(/illegal base64/);
  });
});

describe('unwrap', () => {
  it('unwrap.opencdc takes a JSON-wrapped record and keeps the outer position', async () => {
    const inner = {
      operation: 'delete',
      metadata: { k: 'v' },
      key: 'aWQ=',
      payload: { before: { a: 1 }, after: null },
    };
    const wrapped = createRecord({
      position: enc.encode('outer'),
      after: enc.encode(JSON.stringify(inner)),
    });
    const out = (await run('unwrap.opencdc', {}, wrapped)) as OpenCDCRecord;
    expect(out.operation).toBe('delete');
    expect(new TextDecoder().decode(out.position)).toBe('outer');
    expect(new TextDecoder().decode(out.key as Uint8Array)).toBe('id');
    expect(out.payload).toEqual({ before: { a: 1 }, after: null });
    expect(message(await run('unwrap.opencdc', {}, structured()))).toMatch(/no operation/);
  });
  it('unwrap.debezium maps operations and refuses events without source', async () => {
    const event = (op: string, extra: object = {}) =>
      createRecord({
        position: enc.encode('p'),
        key: enc.encode('{"payload":{"id":1}}'),
        after: {
          payload: { before: null, after: { id: 1 }, op, source: { db: 'shop' }, ...extra },
        } as never,
      });
    const out = (await run('unwrap.debezium', {}, event('r'))) as OpenCDCRecord;
    expect(out.operation).toBe('snapshot');
    expect(out.key).toEqual({ id: 1 });
    expect(out.metadata.get('db')).toBe('shop');
    expect(message(await run('unwrap.debezium', {}, event('x')))).toMatch(/invalid operation/);
    const noSource = createRecord({
      position: enc.encode('p'),
      after: { payload: { after: {}, op: 'c' } },
    });
    expect(message(await run('unwrap.debezium', {}, noSource))).toMatch(
      /"source" field is missing/,
    );
  });
});
