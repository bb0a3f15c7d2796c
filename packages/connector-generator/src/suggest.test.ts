import { expect, test } from 'vitest';
import { editDistance, nearest } from './suggest.js';

test('edit distance', () => {
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('Person', 'person')).toBe(0);
  expect(editDistance('', 'abc')).toBe(3);
});

test('nearest ranks typos and right methods in a wrong module first', () => {
  const names = ['person.fullName', 'person.firstName', 'internet.email', 'string.uuid', 'int'];
  expect(nearest('persn.fullName', names, 1)).toEqual(['person.fullName']);
  expect(nearest('internet.emial', names, 1)).toEqual(['internet.email']);
  expect(nearest('datatype.uuid', names, 1)).toEqual(['string.uuid']);
  expect(nearest('itn', names, 1)).toEqual(['int']);
});
