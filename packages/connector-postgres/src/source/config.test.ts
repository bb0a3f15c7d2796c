import { describe, expect, it } from 'vitest';
import { connector } from '../index.js';
import { sourceConfig } from './config.js';

const url = 'postgres://u:p@localhost:5432/db';

describe('postgres source config: Conduit parameters', () => {
  it('accepts logrepl.withAvroSchema false and refuses true (no schema registry)', () => {
    expect(
      sourceConfig.parse({ url, 'logrepl.withAvroSchema': 'false' })['logrepl.withAvroSchema'],
    ).toBe(false);
    expect(() => sourceConfig.parse({ url, 'logrepl.withAvroSchema': 'true' })).toThrow(
      /schema registry/,
    );
  });

  it("accepts the sdk middleware parameters of Conduit's reference (B12) with extraction off", () => {
    const side = connector.source!;
    expect(() =>
      side.config.parse({
        url,
        'sdk.batch.delay': '0',
        'sdk.batch.size': '0',
        'sdk.schema.context.enabled': 'true',
        'sdk.schema.context.name': '',
        'sdk.schema.extract.key.enabled': 'false',
        'sdk.schema.extract.key.subject': 'key',
        'sdk.schema.extract.payload.enabled': 'false',
        'sdk.schema.extract.payload.subject': 'payload',
        'sdk.schema.extract.type': 'avro',
      }),
    ).not.toThrow();
  });
});
