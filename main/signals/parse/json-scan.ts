// One linear pass over a JSON alert that JSON.parse has already accepted, for the two things JSON.parse loses:
// - a key repeated in one object ({"action":"buy", …, "action":"sell"}): JSON.parse keeps the last value without
//   a trace, so the alert would trade whichever came last; it is refused instead, at every level;
// - the exact text of an unquoted number with more significant digits than a double holds
//   (0.123456789012345678): JSON.parse rounds it; such a number is put in quotes here, so it is read as written,
//   exactly like the same number sent in quotes.
// The pass touches every character once and allocates only for keys and the rare over-long number.

import { normaliseDecimal } from './decimal.js';

export type JsonScan =
  /** `text` is the input, or the input with its over-precise numbers in quotes. */
  | { ok: true; text: string }
  /** `key` is repeated in one object; `path` names it with its parents ("order.amount"). */
  | { ok: false; key: string; path: string };

interface Frame {
  /** Keys seen so far in this object; undefined for an array. */
  keys: Set<string> | undefined;
  path: string;
  /** The key whose value comes next (objects) or the index of the current item (arrays). */
  at: string;
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const MINUS = 0x2d;

/** A double holds every decimal of up to 15 significant digits exactly (round trip through String()). */
const DOUBLE_SAFE_DIGITS = 15;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isNumberChar(c: number): boolean {
  return isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}

/** True when JSON.parse would read this number token as another value than the one written. */
function losesDigits(token: string): boolean {
  let digits = 0;
  for (let k = 0; k < token.length; k++) {
    const c = token.charCodeAt(k);
    if (c === 0x65 || c === 0x45) break; // the exponent's digits do not count
    if (isDigit(c)) digits++;
  }
  if (digits <= DOUBLE_SAFE_DIGITS) return false;
  const exact = normaliseDecimal(token);
  // Not a decimal here (a long numeric id, a bot id, an exponent beyond range): read as written, like the quoted
  // form, when the double would show other digits.
  if (!exact.ok) return String(Number(token)) !== token;
  const read = normaliseDecimal(Number(token));
  return !read.ok || exact.value !== read.value;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Scans JSON text that JSON.parse accepted (on other text the answer means nothing). */
export function scanJson(text: string): JsonScan {
  const n = text.length;
  const stack: Frame[] = [];
  let expectKey = false;
  let pieces: string[] | undefined;
  let copied = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === BACKSLASH) {
          escaped = true;
          j += 2;
        } else if (d === QUOTE) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys !== undefined) {
        // "\u0061ction" is the key "action" to JSON.parse, so escapes are decoded before comparing.
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.keys.has(key)) return { ok: false, key, path: join(top.path, key) };
        top.keys.add(key);
        top.at = key;
        expectKey = false;
      }
      i = j + 1;
    } else if (c === LBRACE || c === LBRACKET) {
      const top = stack[stack.length - 1];
      const path = top === undefined ? '' : join(top.path, top.keys !== undefined ? top.at : String(top.index));
      stack.push({ keys: c === LBRACE ? new Set() : undefined, path, at: '', index: 0 });
      expectKey = c === LBRACE;
      i++;
    } else if (c === RBRACE || c === RBRACKET) {
      stack.pop();
      expectKey = false;
      i++;
    } else if (c === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.keys !== undefined) expectKey = true;
      else if (top !== undefined) top.index++;
      i++;
    } else if (c === MINUS || isDigit(c)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const token = text.slice(i, j);
      if (losesDigits(token)) {
        pieces ??= [];
        pieces.push(text.slice(copied, i), '"', token, '"');
        copied = j;
      }
      i = j;
    } else {
      i++;
    }
  }
  if (pieces === undefined) return { ok: true, text };
  pieces.push(text.slice(copied));
  return { ok: true, text: pieces.join('') };
}
