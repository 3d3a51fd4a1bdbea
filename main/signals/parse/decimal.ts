// Numbers in alerts become canonical decimal strings by string manipulation only: a value is never passed
// through a binary float here, so "0.1" stays "0.1" and "189.420" becomes "189.42".

export type DecimalProblem = 'empty' | 'nan' | 'not_a_number' | 'too_large' | 'too_precise';
export type DecimalResult = { ok: true; value: string } | { ok: false; problem: DecimalProblem };

/** Limits that no real quantity or price reaches; beyond them the value is a rendering or typing accident. */
export const MAX_INTEGER_DIGITS = 15;
export const MAX_FRACTION_DIGITS = 18;

const NUMBER_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;
const NOT_A_NUMBER_WORDS = /^[+-]?(nan|inf|infinity|na|null|undefined|none)$/i;

export function normaliseDecimal(input: unknown): DecimalResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, problem: 'nan' };
    // JSON.parse already produced a double; String() gives its shortest round-trip text, which is what the
    // sender wrote for any value with at most 15 significant digits.
    text = String(input);
  } else if (typeof input === 'string') {
    text = input.trim();
  } else {
    return { ok: false, problem: 'not_a_number' };
  }
  if (text === '') return { ok: false, problem: 'empty' };
  if (NOT_A_NUMBER_WORDS.test(text)) return { ok: false, problem: 'nan' };
  const m = NUMBER_TEXT.exec(text);
  if (!m) return { ok: false, problem: 'not_a_number' };
  const negative = m[1] === '-';
  let intDigits = m[2] ?? '';
  let fracDigits = m[3] ?? '';
  if (intDigits === '' && fracDigits === '') return { ok: false, problem: 'not_a_number' };
  if (m[4] !== undefined) {
    const exponent = Number(m[4]);
    // Shift the decimal point by the exponent, refusing shifts that would build absurdly long strings.
    if (exponent > MAX_INTEGER_DIGITS + 1) {
      if (/[1-9]/.test(intDigits + fracDigits)) return { ok: false, problem: 'too_large' };
    } else if (exponent < -(MAX_FRACTION_DIGITS + 1)) {
      if (/[1-9]/.test(intDigits + fracDigits)) return { ok: false, problem: 'too_precise' };
      intDigits = '0';
      fracDigits = '';
    } else if (exponent > 0) {
      const padded = fracDigits.padEnd(exponent, '0');
      intDigits += padded.slice(0, exponent);
      fracDigits = padded.slice(exponent);
    } else if (exponent < 0) {
      const padded = intDigits.padStart(-exponent, '0');
      fracDigits = padded.slice(padded.length + exponent) + fracDigits;
      intDigits = padded.slice(0, padded.length + exponent);
    }
  }
  intDigits = intDigits.replace(/^0+/, '');
  fracDigits = fracDigits.replace(/0+$/, '');
  if (intDigits.length > MAX_INTEGER_DIGITS) return { ok: false, problem: 'too_large' };
  if (fracDigits.length > MAX_FRACTION_DIGITS) return { ok: false, problem: 'too_precise' };
  const body = (intDigits === '' ? '0' : intDigits) + (fracDigits === '' ? '' : `.${fracDigits}`);
  const isZero = body === '0';
  return { ok: true, value: negative && !isZero ? `-${body}` : body };
}

export function isZero(decimal: string): boolean {
  return decimal === '0';
}

export function isNegative(decimal: string): boolean {
  return decimal.startsWith('-');
}

/** What to tell the trader about a number that could not be read. */
export function describeDecimalProblem(problem: DecimalProblem): string {
  switch (problem) {
    case 'empty':
      return 'is empty';
    case 'nan':
      return 'is not a number (NaN / Infinity usually means a TradingView value was undefined on that bar)';
    case 'not_a_number':
      return 'is not a plain decimal number (use digits and a dot, e.g. "189.42"; no commas, units or hex)';
    case 'too_large':
      return `is too large (more than ${MAX_INTEGER_DIGITS} digits before the dot)`;
    case 'too_precise':
      return `has more than ${MAX_FRACTION_DIGITS} decimal places`;
  }
}
