import { describe, expect, it } from 'vitest';
import { decodePosition, encodePosition } from './position.js';

describe('file source position', () => {
  it('is the byte offset in decimal ASCII, as Conduit writes it', () => {
    expect(new TextDecoder().decode(encodePosition(1234))).toBe('1234');
    expect(decodePosition(new TextEncoder().encode('1234'))).toBe(1234);
    expect(decodePosition(encodePosition(0))).toBe(0);
  });

  it.each(['', 'abc', '-1', '1.5', '{"offset":1}', '99999999999999999999'])(
    'refuses %j',
    (text) => {
      expect(() => decodePosition(new TextEncoder().encode(text))).toThrow(
        /expected a byte offset/,
      );
    },
  );
});
