import { describe, expect, it } from 'vitest';
import { formatSigned, signOf, sumDecimals } from './format.js';

describe('formatSigned keeps the full precision of a P&L', () => {
  it('shows small values instead of rounding them to 0.00', () => {
    expect(formatSigned('0.004')).toBe('+0.004');
    expect(formatSigned('-0.0045')).toBe('-0.0045');
    expect(formatSigned('0.00000001')).toBe('+0.00000001');
  });
  it('pads to two decimals and never drops digits', () => {
    expect(formatSigned('12.5')).toBe('+12.50');
    expect(formatSigned('-3')).toBe('-3.00');
    expect(formatSigned('1234567.891234')).toBe('+1234567.891234');
    expect(formatSigned('1e-7')).toBe('+0.0000001');
  });
  it('shows zero (also negative zero) as 0.00 without a sign', () => {
    expect(formatSigned('0')).toBe('0.00');
    expect(formatSigned('-0')).toBe('0.00');
    expect(formatSigned('-0.000')).toBe('0.00');
  });
});

describe('signOf gives the tone the number really has', () => {
  it('is neg only for values below zero, however small', () => {
    expect(signOf('-0.0045')).toBe('neg');
    expect(signOf('0.004')).toBe('pos');
    expect(signOf('-0')).toBe('zero');
    expect(signOf(undefined)).toBe('zero');
  });
});

describe('sumDecimals adds exactly', () => {
  it('keeps the digits a 2-decimal sum would lose', () => {
    expect(sumDecimals(['0.004', '0.004', '-0.0045'])).toBe('0.0035');
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(signOf(sumDecimals(['0.004', '-0.0045']))).toBe('neg');
  });
  it('is undefined when no value is given', () => {
    expect(sumDecimals([undefined, ''])).toBeUndefined();
  });
});
