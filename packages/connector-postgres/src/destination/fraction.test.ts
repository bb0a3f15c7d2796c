import { describe, expect, it } from 'vitest';
import { RecordProblem } from '../errors.js';
import { fractionToDecimal, isFraction } from './fraction.js';

describe('fractions (Go big.Rat text) to decimals', () => {
  it('recognises fractions only', () => {
    expect(isFraction('3/2')).toBe(true);
    expect(isFraction('-12345678901/1000000')).toBe(true);
    expect(isFraction('1.50')).toBe(false);
    expect(isFraction('1/2/3')).toBe(false);
    expect(isFraction('a/b')).toBe(false);
  });

  it('converts finite decimals exactly, whatever the column scale', () => {
    expect(fractionToDecimal('3/2', undefined)).toBe('1.5');
    expect(fractionToDecimal('3/2', 2)).toBe('1.5');
    expect(fractionToDecimal('12345678901/1000000', undefined)).toBe('12345.678901');
    expect(fractionToDecimal('-12345678901/1000000', 0)).toBe('-12345.678901');
    expect(fractionToDecimal('29292929/100', undefined)).toBe('292929.29');
    expect(fractionToDecimal('1/1024', undefined)).toBe('0.0009765625');
    expect(fractionToDecimal('-1/8', undefined)).toBe('-0.125');
    expect(fractionToDecimal('6/4', undefined)).toBe('1.5');
    expect(fractionToDecimal('0/7', undefined)).toBe('0');
    expect(fractionToDecimal('-0/1', undefined)).toBe('0');
    const big = `${'9'.repeat(40)}1/${'1'.padEnd(31, '0')}`;
    expect(fractionToDecimal(big, undefined)).toBe(`${'9'.repeat(11)}.${'9'.repeat(29)}1`);
  });

  it('rounds other fractions to the declared scale, half away from zero, else refuses', () => {
    expect(fractionToDecimal('1/3', 2)).toBe('0.33');
    expect(fractionToDecimal('2/3', 2)).toBe('0.67');
    expect(fractionToDecimal('-2/3', 0)).toBe('-1');
    expect(fractionToDecimal('-1/3000', 2)).toBe('0.00');
    expect(fractionToDecimal('5/6', 1)).toBe('0.8');
    expect(fractionToDecimal('1/6', 1)).toBe('0.2');
    expect(fractionToDecimal('15001/3', -3)).toBe('5000');
    expect(fractionToDecimal('14999/3', -3)).toBe('5000');
    expect(fractionToDecimal('1/3', -3)).toBe('0');
    expect(() => fractionToDecimal('1/3', undefined)).toThrow(RecordProblem);
    expect(() => fractionToDecimal('1/3', undefined)).toThrow(/no exact decimal form/);
    expect(() => fractionToDecimal('1/0', 2)).toThrow(/divides by zero/);
  });
});
