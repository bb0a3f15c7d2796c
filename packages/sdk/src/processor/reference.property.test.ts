import { createRecord, Metadata, type StructuredData } from '@opencdc-ts/commons';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldReferenceError, parseReference } from './reference.js';

const name = fc.constantFrom('a', 'b', 'c', 'x.y');
const leaf = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null));
const data = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('object')),
  object: fc.dictionary(name, tie('value'), { maxKeys: 4 }),
})).object as fc.Arbitrary<StructuredData>;
const path = fc
  .tuple(
    fc.constantFrom('.Payload.After', '.Payload.Before', '.Key'),
    fc.array(name, { minLength: 1, maxLength: 3 }),
  )
  .map(([root, fields]) => root + fields.map((f) => `[${JSON.stringify(f)}]`).join(''));

describe('references: properties', () => {
  it('set, delete and rename never change the input; set then get reads the value back', () => {
    fc.assert(
      fc.property(data, data, path, leaf, (after, key, p, value) => {
        const r = createRecord({
          position: new Uint8Array([1]),
          metadata: new Metadata([['m', 'v']]),
          key,
          after,
        });
        const snapshot = structuredClone({
          key: r.key,
          payload: r.payload,
          metadata: [...r.metadata],
        });
        const ref = parseReference(p);
        for (const op of [
          () => ref.set(r, value),
          () => ref.delete(r),
          () => ref.rename(r, 'renamed'),
        ]) {
          try {
            const out = op();
            expect(out).not.toBe(undefined);
          } catch (e) {
            expect(e).toBeInstanceOf(FieldReferenceError);
          }
        }
        expect({ key: r.key, payload: r.payload, metadata: [...r.metadata] }).toEqual(snapshot);
        try {
          expect(ref.get(ref.set(r, value))).toEqual(value);
        } catch (e) {
          expect(e).toBeInstanceOf(FieldReferenceError);
        }
      }),
    );
  });
});
