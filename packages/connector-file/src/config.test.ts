import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigErrors } from '@opencdc-ts/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connector } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-config-'));
  await writeFile(join(dir, 'a-file'), '');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('file connector config', () => {
  const sides = { source: connector.source!, destination: connector.destination! };

  it.each(Object.keys(sides) as (keyof typeof sides)[])('%s: path is required', (side) => {
    expect(() => sides[side].config.parse({})).toThrow(/path/);
  });

  it.each(Object.keys(sides) as (keyof typeof sides)[])(
    '%s: accepts a file that does not exist yet, refuses a directory or an unreachable path',
    (side) => {
      const parse = (path: string) => sides[side].config.parse({ path });
      expect(parse(join(dir, 'not-yet.txt'))).toMatchObject({ path: join(dir, 'not-yet.txt') });
      expect(() => parse(dir)).toThrow(ConfigErrors);
      expect(() => parse(dir)).toThrow(/not of a directory/);
      expect(() => parse(join(dir, 'a-file', 'below'))).toThrow(/can be accessed/);
    },
  );

  it("has Conduit's parameters: path and the sdk middleware's", () => {
    const spec = connector.specification;
    expect(spec.name).toBe('file');
    expect(Object.keys(spec.sourceParams)).toEqual(
      expect.arrayContaining([
        'path',
        'sdk.batch.size',
        'sdk.batch.delay',
        'sdk.schema.extract.payload.enabled',
      ]),
    );
    expect(Object.keys(spec.destinationParams)).toEqual(
      expect.arrayContaining([
        'path',
        'sdk.record.format',
        'sdk.record.format.options',
        'sdk.rate.perSecond',
      ]),
    );
    expect(spec.destinationParams['sdk.record.format']?.default).toBe('opencdc/json');
    expect(spec.features).toEqual({ source: { resume: true } });
  });
});
