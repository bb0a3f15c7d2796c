import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRecord,
  fromOpenCDCJSON,
  type OpenCDCRecord,
  toOpenCDCJSON,
} from '@opencdc-ts/commons';
import { RecordError } from '@opencdc-ts/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connector } from '../index.js';
import { FileDestination } from './destination.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-destination-'));
  path = join(dir, 'out.txt');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const utf8 = new TextEncoder();
const warnings: string[] = [];
const ctx = {
  connectorId: 'p:out',
  logger: { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} },
};
const record = (i: number): OpenCDCRecord =>
  createRecord({
    position: utf8.encode(String(i)),
    metadata: { 'file.path': 'in.txt' },
    key: utf8.encode(String(i + 1)),
    after: utf8.encode(`line ${i}`),
  });

describe('FileDestination', () => {
  it('creates the file and appends one OpenCDC JSON line per record', async () => {
    const d = new FileDestination({ path }, ctx);
    await d.open();
    await d.write([record(0), record(1)]);
    await d.write([record(2)]);
    await d.teardown();
    const text = await readFile(path, 'utf8');
    expect(text).toBe(`${[0, 1, 2].map((i) => toOpenCDCJSON(record(i))).join('\n')}\n`);
    const back = text.trimEnd().split('\n').map(fromOpenCDCJSON);
    expect(new TextDecoder().decode(back[2]!.payload.after as Uint8Array)).toBe('line 2');
  });

  it('writes to a device such as /dev/null (Conduit examples do), which cannot be synced', async () => {
    const d = new FileDestination({ path: '/dev/null' }, ctx);
    await d.open();
    await d.write([record(0), record(1)]);
    await d.teardown();
  });

  it('appends to an existing file, keeping what it holds', async () => {
    await writeFile(path, 'kept\n');
    const d = new FileDestination({ path }, ctx);
    await d.open();
    await d.write([record(0)]);
    await d.teardown();
    expect(await readFile(path, 'utf8')).toBe(`kept\n${toOpenCDCJSON(record(0))}\n`);
  });

  it('starts on a new line when the file ends with a cut-short line', async () => {
    await writeFile(path, `${toOpenCDCJSON(record(0))}\n{"position":"MQ==","oper`);
    const d = new FileDestination({ path }, ctx);
    await d.open();
    await d.write([record(1)]);
    await d.teardown();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toEqual([
      toOpenCDCJSON(record(0)),
      '{"position":"MQ==","oper',
      toOpenCDCJSON(record(1)),
      '',
    ]);
    expect(warnings.at(-1)).toMatch(/does not end with a newline/);
  });

  it('fails to open when the directory does not exist', async () => {
    const d = new FileDestination({ path: join(dir, 'missing', 'out.txt') }, ctx);
    await expect(d.open()).rejects.toThrow(/ENOENT/);
  });

  it('writes records in the sdk.record.format given (template)', async () => {
    const side = connector.destination!;
    const d = side.create(
      side.config.parse({
        path,
        'sdk.record.format': 'template',
        'sdk.record.format.options':
          '{{ printf "%s" .Payload.After }}|{{ index .Metadata "must" }}',
      }),
      ctx,
    );
    await d.open();
    const ok = record(0);
    ok.metadata.set('must', 'x');
    await d.write([ok, record(1)]);
    await d.teardown();
    expect(await readFile(path, 'utf8')).toBe('line 0|x\nline 1|\n');
  });

  it('throws RecordError with the index of a record it cannot format, after writing those before', async () => {
    const d = new FileDestination({ path }, ctx);
    await d.open();
    const bad = record(1);
    // A structured payload holding a value OpenCDC JSON cannot encode.
    bad.payload.after = { f: Symbol('x') as unknown as string };
    const err = await d.write([record(0), bad, record(2)]).catch((e: unknown) => e);
    await d.teardown();
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).index).toBe(1);
    expect(await readFile(path, 'utf8')).toBe(`${toOpenCDCJSON(record(0))}\n`);
  });
});
