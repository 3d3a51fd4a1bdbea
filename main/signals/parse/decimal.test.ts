import { describe, expect, it } from 'vitest';
import { normaliseDecimal } from './decimal.js';

describe('normaliseDecimal turns alert numbers into canonical decimal strings without floats', () => {
  it.each([
    ['10', '10'],
    [' 189.42 ', '189.42'],
    ['0.1', '0.1'],
    [0.1, '0.1'],
    [10, '10'],
    ['189.420', '189.42'],
    ['+5', '5'],
    ['007.50', '7.5'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['-0', '0'],
    ['-0.000', '0'],
    ['-12.5', '-12.5'],
    ['1e-7', '0.0000001'],
    [1e-7, '0.0000001'],
    ['1.5E3', '1500'],
    ['0.00000001', '0.00000001'],
    ['123456789012345', '123456789012345'],
    ['0.123456789012345678', '0.123456789012345678'],
    ['1.10000000000000000000', '1.1'],
  ])('%j → %s', (input, out) => {
    expect(normaliseDecimal(input)).toEqual({ ok: true, value: out });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['NaN', 'nan'],
    ['nan', 'nan'],
    ['Infinity', 'nan'],
    ['-Infinity', 'nan'],
    [Number.NaN, 'nan'],
    [Number.POSITIVE_INFINITY, 'nan'],
    ['0x1A', 'not_a_number'],
    ['1,000', 'not_a_number'],
    ['10 USD', 'not_a_number'],
    ['1e400', 'too_large'],
    ['1e16', 'too_large'],
    ['1234567890123456', 'too_large'],
    ['1e-400', 'too_precise'],
    ['0.1234567890123456789', 'too_precise'],
    ['.', 'not_a_number'],
    ['--1', 'not_a_number'],
    ['١٢', 'not_a_number'],
    [true, 'not_a_number'],
    [null, 'not_a_number'],
  ])('%j is refused as %s', (input, problem) => {
    expect(normaliseDecimal(input)).toEqual({ ok: false, problem });
  });

  it('keeps every digit of a long decimal string that a float would round', () => {
    expect(normaliseDecimal('0.30000000000000004')).toEqual({ ok: true, value: '0.30000000000000004' });
    expect(normaliseDecimal('100000000000000.1')).toEqual({ ok: true, value: '100000000000000.1' });
  });
});
