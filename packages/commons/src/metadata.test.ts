import { describe, expect, it } from 'vitest';
import { MetadataKeys, OPENCDC_VERSION } from './constants.js';
import { MetadataValueError } from './errors.js';
import { Metadata } from './metadata.js';

const strings: [string, string][] = [
  ['Collection', MetadataKeys.collection],
  ['OpenCDCVersion', MetadataKeys.version],
  ['KeySchemaSubject', MetadataKeys.keySchemaSubject],
  ['PayloadSchemaSubject', MetadataKeys.payloadSchemaSubject],
  ['FileName', MetadataKeys.fileName],
  ['FileHash', MetadataKeys.fileHash],
  ['ConduitSourcePluginName', MetadataKeys.conduitSourcePluginName],
  ['ConduitSourcePluginVersion', MetadataKeys.conduitSourcePluginVersion],
  ['ConduitDestinationPluginName', MetadataKeys.conduitDestinationPluginName],
  ['ConduitDestinationPluginVersion', MetadataKeys.conduitDestinationPluginVersion],
  ['ConduitSourceConnectorId', MetadataKeys.conduitSourceConnectorId],
  ['ConduitDlqNackError', MetadataKeys.conduitDlqNackError],
  ['ConduitDlqNackNodeId', MetadataKeys.conduitDlqNackNodeId],
];
const integers: [string, string][] = [
  ['KeySchemaVersion', MetadataKeys.keySchemaVersion],
  ['PayloadSchemaVersion', MetadataKeys.payloadSchemaVersion],
  ['FileSize', MetadataKeys.fileSize],
  ['FileChunkIndex', MetadataKeys.fileChunkIndex],
  ['FileChunkCount', MetadataKeys.fileChunkCount],
];
const timestamps: [string, string][] = [
  ['CreatedAt', MetadataKeys.createdAt],
  ['ReadAt', MetadataKeys.readAt],
];

// Calls `get<Name>` / `set<Name>` by name so one table drives the tests of every helper.
type Dynamic = { [method: string]: (...args: unknown[]) => unknown };
const call = (m: Metadata, method: string, ...args: unknown[]) =>
  (m as unknown as Dynamic)[method]!.call(m, ...args);

describe('Metadata helpers', () => {
  it('getCollection / setCollection', () => {
    const m = new Metadata();
    expect(m.getCollection()).toBeUndefined();
    expect(m.setCollection('users')).toBe(m);
    expect(m.get('opencdc.collection')).toBe('users');
    expect(m.getCollection()).toBe('users');
    m.set('opencdc.collection', '');
    expect(m.getCollection()).toBeUndefined();
  });

  it('has a getter and a setter for every key', () => {
    const covered = [...strings, ...integers, ...timestamps, ['FileChunked', '']];
    expect(covered).toHaveLength(Object.keys(MetadataKeys).length);
    for (const [name] of covered) {
      expect(typeof (Metadata.prototype as unknown as Dynamic)[`get${name}`]).toBe('function');
      expect(typeof (Metadata.prototype as unknown as Dynamic)[`set${name}`]).toBe('function');
    }
  });

  it.each(strings)('string helper %s (%s): set, get, not found', (name, key) => {
    const m = new Metadata();
    expect(call(m, `get${name}`)).toBeUndefined();
    call(m, `set${name}`, 'some value');
    expect(m.get(key)).toBe('some value');
    expect(call(m, `get${name}`)).toBe('some value');
    m.set(key, '');
    expect(call(m, `get${name}`)).toBeUndefined();
  });

  it('setOpenCDCVersion defaults to the version of the protos', () => {
    expect(new Metadata().setOpenCDCVersion().getOpenCDCVersion()).toBe(OPENCDC_VERSION);
  });

  it.each(integers)('integer helper %s (%s)', (name, key) => {
    const m = new Metadata();
    expect(call(m, `get${name}`)).toBeUndefined();
    call(m, `set${name}`, 42);
    expect(m.get(key)).toBe('42');
    expect(call(m, `get${name}`)).toBe(42);
    m.set(key, '+7');
    expect(call(m, `get${name}`)).toBe(7);
    m.set(key, '-3');
    expect(call(m, `get${name}`)).toBe(-3);
    m.set(key, '');
    expect(call(m, `get${name}`)).toBeUndefined();
    for (const bad of ['abc', '1.5', ' 1', '1e3', '0x10']) {
      m.set(key, bad);
      expect(() => call(m, `get${name}`)).toThrow(
        new MetadataValueError(key, bad, 'a decimal integer'),
      );
    }
    // The whole int64 range Go reads, as a bigint beyond what a number holds exactly.
    m.set(key, '9223372036854775807');
    expect(call(m, `get${name}`)).toBe(9223372036854775807n);
    m.set(key, '-9007199254740993');
    expect(call(m, `get${name}`)).toBe(-9007199254740993n);
    m.set(key, '9223372036854775808');
    expect(() => call(m, `get${name}`)).toThrow(
      new MetadataValueError(key, '9223372036854775808', 'a decimal 64-bit integer'),
    );
    call(m, `set${name}`, -9223372036854775808n);
    expect(m.get(key)).toBe('-9223372036854775808');
    expect(() => call(m, `set${name}`, 1.5)).toThrow(RangeError);
    expect(() => call(m, `set${name}`, 2 ** 53)).toThrow(RangeError);
    expect(() => call(m, `set${name}`, 2n ** 63n)).toThrow(RangeError);
  });

  it('the value error names the key and the bad value', () => {
    const m = new Metadata([[MetadataKeys.fileSize, 'big']]);
    expect(() => m.getFileSize()).toThrow(
      'metadata "opencdc.file.size" holds "big", which is not a decimal integer',
    );
    try {
      m.getFileSize();
    } catch (e) {
      expect(e).toBeInstanceOf(MetadataValueError);
      expect(e).toMatchObject({ key: 'opencdc.file.size', value: 'big' });
    }
  });

  it('boolean helper FileChunked', () => {
    const m = new Metadata();
    expect(m.getFileChunked()).toBeUndefined();
    expect(m.setFileChunked(true).get(MetadataKeys.fileChunked)).toBe('true');
    expect(m.getFileChunked()).toBe(true);
    m.setFileChunked(false);
    expect(m.get(MetadataKeys.fileChunked)).toBe('false');
    expect(m.getFileChunked()).toBe(false);
    for (const t of ['1', 't', 'T', 'TRUE', 'True']) {
      expect(m.set(MetadataKeys.fileChunked, t).getFileChunked()).toBe(true);
    }
    for (const f of ['0', 'f', 'F', 'FALSE', 'False']) {
      expect(m.set(MetadataKeys.fileChunked, f).getFileChunked()).toBe(false);
    }
    m.set(MetadataKeys.fileChunked, '');
    expect(m.getFileChunked()).toBeUndefined();
    m.set(MetadataKeys.fileChunked, 'yes');
    expect(() => m.getFileChunked()).toThrow(/"opencdc.file.chunked" holds "yes"/);
  });

  it.each(timestamps)('timestamp helper %s (%s)', (name, key) => {
    const m = new Metadata();
    expect(call(m, `get${name}`)).toBeUndefined();
    expect(call(m, `get${name}Date`)).toBeUndefined();

    call(m, `set${name}`, 1713950000123456789n);
    expect(m.get(key)).toBe('1713950000123456789');
    expect(call(m, `get${name}`)).toBe(1713950000123456789n);
    expect(call(m, `get${name}Date`)).toEqual(new Date(1713950000123));

    call(m, `set${name}`, new Date(1713950000123));
    expect(m.get(key)).toBe('1713950000123000000');
    expect(call(m, `get${name}`)).toBe(1713950000123000000n);

    call(m, `set${name}`, -1n); // before 1970: rounds towards the past
    expect(call(m, `get${name}Date`)).toEqual(new Date(-1));

    m.set(key, '');
    expect(call(m, `get${name}`)).toBeUndefined();
    expect(call(m, `get${name}Date`)).toBeUndefined();

    for (const bad of ['2024-01-01T00:00:00Z', '1.5', '99999999999999999999']) {
      m.set(key, bad);
      expect(() => call(m, `get${name}`)).toThrow(MetadataValueError);
      expect(() => call(m, `get${name}Date`)).toThrow(new RegExp(`"${key}" holds`));
    }
    expect(() => call(m, `set${name}`, new Date(Number.NaN))).toThrow(RangeError);
    // Outside int64 (what Go's strconv.ParseInt reads): refused, not stored unreadable.
    m.set(key, '1');
    call(m, `set${name}`, 9223372036854775807n);
    expect(call(m, `get${name}`)).toBe(9223372036854775807n);
    call(m, `set${name}`, -9223372036854775808n);
    expect(call(m, `get${name}`)).toBe(-9223372036854775808n);
    expect(() => call(m, `set${name}`, 9223372036854775808n)).toThrow(
      new RegExp(`"${key}": 9223372036854775808 is outside .* 64-bit`),
    );
    expect(() => call(m, `set${name}`, -9223372036854775809n)).toThrow(RangeError);
    expect(() => call(m, `set${name}`, new Date('2300-01-01T00:00:00Z'))).toThrow(
      /2300-01-01T00:00:00.000Z is outside/,
    );
    expect(m.get(key)).toBe('-9223372036854775808'); // unchanged by the refused calls
  });

  it('stays a Map of strings', () => {
    const m = new Metadata(Object.entries({ a: 'b' }));
    expect(m).toBeInstanceOf(Map);
    expect([...m]).toEqual([['a', 'b']]);
  });
});
