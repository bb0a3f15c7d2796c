import {
  createRecord,
  deleteRecord,
  fromOpenCDCJSON,
  type OpenCDCRecord,
  toOpenCDCJSON,
} from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { recordFormatter } from './index.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

// The record of Conduit's output-format page (docs/1-using/5-connectors/9-configuration-
// parameters/0-output-format.mdx, example 1, the pipeline of ../shared/conduit-pipelines/B14).
const employee = (): OpenCDCRecord =>
  createRecord({
    position: new TextEncoder().encode('1'),
    metadata: {
      'conduit.source.connector.id': 'pipeline1:source1',
      'opencdc.readAt': '1680796794653155968',
      'opencdc.version': 'v1',
    },
    after: {
      company: 'string 3cea28f1-8ec2-4035-b4d3-790a9239feb3',
      name: 'string 8fbbbf0c-aaaa-499f-b145-ac5345c8c067',
    },
  });

describe('recordFormatter', () => {
  it('opencdc/json (the default) is the OpenCDC JSON record', () => {
    const r = employee();
    expect(text(recordFormatter()(r))).toBe(toOpenCDCJSON(r));
    expect(
      fromOpenCDCJSON(text(recordFormatter({ 'sdk.record.format': 'opencdc/json' })(r))),
    ).toEqual(r);
  });

  it("debezium/json gives the payload Conduit's documentation shows", () => {
    const f = recordFormatter({
      'sdk.record.format': 'debezium/json',
      'sdk.record.format.options': 'debezium.schema.name=employee',
    });
    const out = JSON.parse(text(f(employee())));
    expect(out.payload).toEqual({
      before: null,
      after: {
        company: 'string 3cea28f1-8ec2-4035-b4d3-790a9239feb3',
        name: 'string 8fbbbf0c-aaaa-499f-b145-ac5345c8c067',
      },
      source: {
        'conduit.source.connector.id': 'pipeline1:source1',
        'opencdc.readAt': '1680796794653155968',
        'opencdc.version': 'v1',
      },
      op: 'c',
      ts_ms: 1680796794653,
      transaction: null,
    });
    expect(out.schema.type).toBe('struct');
    expect(out.schema.name).toBe('employee');
    expect(out.schema.fields.map((f: { field: string }) => f.field)).toEqual([
      'before',
      'after',
      'source',
      'op',
      'ts_ms',
      'transaction',
    ]);
  });

  it('debezium/json: the schema as the SDK reflects it, key order as Go writes it', () => {
    const r = createRecord({
      position: new Uint8Array(),
      after: { id: 7, price: 1.5, ok: true, tags: ['a'], blob: new Uint8Array([1]), n: null },
    });
    const out = text(recordFormatter({ 'sdk.record.format': 'debezium/json' })(r));
    expect(out).toBe(
      '{"schema":{"type":"struct","fields":[' +
        '{"type":"struct","optional":true,"fields":[{"type":"bytes","optional":true,"field":"blob"},{"type":"int64","field":"id"},{"type":"string","optional":true,"field":"n"},{"type":"boolean","field":"ok"},{"type":"double","field":"price"},{"type":"array","optional":true,"items":{"type":"string"},"field":"tags"}],"field":"before"},' +
        '{"type":"struct","optional":true,"fields":[{"type":"bytes","optional":true,"field":"blob"},{"type":"int64","field":"id"},{"type":"string","optional":true,"field":"n"},{"type":"boolean","field":"ok"},{"type":"double","field":"price"},{"type":"array","optional":true,"items":{"type":"string"},"field":"tags"}],"field":"after"},' +
        '{"type":"struct","optional":true,"field":"source"},' +
        '{"type":"string","field":"op"},' +
        '{"type":"int64","optional":true,"field":"ts_ms"},' +
        '{"type":"struct","optional":true,"fields":[{"type":"string","field":"id"},{"type":"int64","field":"total_order"},{"type":"int64","field":"data_collection_order"}],"field":"transaction"}]},' +
        '"payload":{"before":null,"after":{"blob":"AQ==","id":7,"n":null,"ok":true,"price":1.5,"tags":["a"]},"source":{},"op":"c","transaction":null}}',
    );
  });

  it('debezium/json: raw JSON is parsed, other raw data hoisted under debezium.rawData.key', () => {
    const f = recordFormatter({
      'sdk.record.format': 'debezium/json',
      'sdk.record.format.options': 'debezium.rawData.key=raw',
    });
    const json = deleteRecord({
      position: new Uint8Array(),
      before: new TextEncoder().encode('{"a":1}'),
    });
    expect(JSON.parse(text(f(json))).payload).toMatchObject({ before: { a: 1 }, op: 'd' });
    const raw = createRecord({ position: new Uint8Array(), after: new Uint8Array([0xff]) });
    expect(JSON.parse(text(f(raw))).payload.after).toEqual({ raw: '/w==' });
  });

  it("template renders Conduit's documented example", () => {
    const f = recordFormatter({
      'sdk.record.format': 'template',
      'sdk.record.format.options': '{{ printf "employee ID %d" .Payload.After.id }}',
    });
    const r = createRecord({ position: new Uint8Array(), after: { id: 636561854, name: 'x' } });
    expect(text(f(r))).toBe('employee ID 636561854');
  });

  it('refuses an unknown format and a template that does not parse', () => {
    expect(() => recordFormatter({ 'sdk.record.format': 'avro/json' })).toThrow(ConfigError);
    expect(() =>
      recordFormatter({ 'sdk.record.format': 'template', 'sdk.record.format.options': '{{ .X ' }),
    ).toThrow(/sdk.record.format.options/);
  });
});
