import { createRecord, Metadata } from '@opencdc-ts/commons';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../params/duration.js';
import { compileRouter } from './router.js';

const noBraces = fc.string().filter((s) => !s.includes('{') && !s.includes('}'));

describe('properties', () => {
  it('text without "{{" is a static route, returned unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !s.includes('{{') && s.trim() !== ''),
        (s) => {
          const r = compileRouter({ parameter: 't', template: s });
          expect(r.staticRoute).toBe(s);
        },
      ),
    );
  });

  it('literal text around an action is kept and values are never escaped', () => {
    fc.assert(
      fc.property(noBraces, noBraces, fc.string({ minLength: 1 }), (before, after, value) => {
        const router = compileRouter({
          parameter: 't',
          template: `${before}{{ .Metadata.k }}${after}`,
        });
        const rec = createRecord({
          position: new Uint8Array(),
          metadata: new Metadata([['k', value]]),
          after: null,
        });
        expect(router.route(rec)).toBe(`${before}${value}${after}`);
        const mustache = compileRouter({
          parameter: 't',
          template: `${before}{{metadata.k}}${after}`,
        });
        expect(mustache.route(rec)).toBe(`${before}${value}${after}`);
      }),
    );
  });

  it('any quoted metadata key is read exactly', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (key, value) => {
        const quoted = JSON.stringify(key);
        const rec = createRecord({
          position: new Uint8Array(),
          metadata: new Metadata([[key, value]]),
          after: null,
        });
        for (const t of [`{{ index .Metadata ${quoted} }}`, `{{ .Metadata[${quoted}] }}`]) {
          // JSON escapes beyond \n \t \r \\ \" (e.g. \u0001) are outside the template grammar.
          if (/\\u|\\b|\\f|\\\//.test(quoted)) continue;
          expect(compileRouter({ parameter: 't', template: t }).route(rec)).toBe(value);
        }
      }),
    );
  });

  it('Go durations round-trip through formatDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBeCloseTo(ms, 6);
      }),
    );
  });
});
