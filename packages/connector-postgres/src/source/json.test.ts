import { describe, expect, it } from 'vitest';
import { decodeJson } from './json.js';

describe('json/jsonb values, numbers exact', () => {
  it('parses values whose numbers survive a JS number', () => {
    expect(decodeJson('{"a": 1, "b": [1.5, -2, 0.1, 1.23e-7], "c": "1.0"}')).toEqual({
      a: 1,
      b: [1.5, -2, 0.1, 1.23e-7],
      c: '1.0',
    });
    expect(decodeJson('"x"')).toBe('x');
    expect(decodeJson('{"s": "12345678901234567890 \\" 1.0"}')).toEqual({
      s: '12345678901234567890 " 1.0',
    });
  });

  it('keeps integers beyond 2^53 as bigint', () => {
    expect(decodeJson('{"big": 12345678901234567890, "neg": -9007199254740993, "n": 1}')).toEqual({
      big: 12345678901234567890n,
      neg: -9007199254740993n,
      n: 1,
    });
    expect(
      decodeJson('[9007199254740993, {"k": "v\\\\", "t": true, "f": false, "z": null}]'),
    ).toEqual([9007199254740993n, { k: 'v\\', t: true, f: false, z: null }]);
    expect(decodeJson('12345678901234567890')).toBe(12345678901234567890n);
    expect(decodeJson('{"a":{"a":1},"a":12345678901234567890}')).toEqual({
      a: 12345678901234567890n,
    });
    const proto = decodeJson('{"__proto__": 12345678901234567890}') as object;
    expect(Object.keys(proto)).toEqual(['__proto__']);
  });

  it('keeps the JSON text when a number would change', () => {
    for (const text of [
      '{"a": 1.0}',
      '[12.50]',
      '{"x": 1e5}',
      '-0',
      '{"p": 0.1000000000000000055511151231257827, "big": 12345678901234567890}',
    ]) {
      expect(decodeJson(text)).toBe(text);
    }
  });

  it('keeps the JSON text of a string a destination would read as JSON', () => {
    expect(decodeJson('"1.0"')).toBe('"1.0"');
    expect(decodeJson('"{}"')).toBe('"{}"');
    expect(decodeJson('"e30="')).toBe('"e30="'); // base64 of {}
    expect(decodeJson('"hello"')).toBe('hello');
  });

  it('keeps too-deep text as text rather than recursing', () => {
    const deep = `${'['.repeat(5000)}12345678901234567890${']'.repeat(5000)}`;
    expect(decodeJson(deep)).toBe(deep);
    const deep64 = JSON.stringify(
      Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`).toString('base64'),
    );
    expect(decodeJson(deep64)).toBe(deep64);
  });
});
