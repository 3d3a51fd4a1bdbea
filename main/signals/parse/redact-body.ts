// The raw body as it may be stored: the value of every secret-named field replaced by a fixed marker, whatever
// shape the body is in. A rejected body is stored so the trader can see why the alert failed, and the usual
// reasons (a backslash-escaped copy-paste, a cut-off message, a stray quote) are exactly the bodies no parser
// reads, so the values are found by a tolerant scan of the text instead of by the parsers:
//   - a key is any name before ":" or "=", bare or quoted with ", ' or backslash-escaped quotes (\", \\\"),
//     read the way the parsers read names (any case, "_", "-" and spaces ignored: "Pass_Phrase", "pass phrase"),
//     and it is secret when main/secret-names.ts says so (passphrase, secret, email_token, api-key, pin, auth…);
//   - the value is read by the rules of the body's dialect, chosen the way parseAlert chooses it: JSON (quoted
//     values at any escape level; a missing closing quote runs to the end of the body), PineConnector (up to
//     the next comma outside double quotes) or key=value (one token; quotes may wrap any part of it);
//   - a found value of 4 characters or more is also replaced wherever else it appears (pasted into another
//     field), as the parsed passphrase is;
//   - a "Bearer <token>" anywhere has its token replaced, whatever the field's name.
// Only the value is replaced: quotes, braces and what follows stay, so a cut-off or escaped body still shows
// what was wrong with it. Where the end of a value is ambiguous, more is replaced, never less.
// Pure, and linear in the length of the body (it runs on every alert, before the answer).

import { isSecretName, withoutBearerTokens } from '../../secret-names.js';
import { looksLikePineConnector } from './pineconnector.js';

/** What a secret value is replaced by in a stored body. */
export const REDACTED = '[REDACTED]';

type Dialect = 'json' | 'pineconnector' | 'keyvalue';

/** How many distinct secret values are looked for in the rest of the body. */
const MAX_ELSEWHERE = 16;

interface Span {
  start: number;
  end: number;
  /** JSON only: where the value most likely ends (≤ end), the copy to look for elsewhere in the body. */
  likely?: number;
}

/**
 * The body with every secret value replaced by REDACTED. `passphrase` is the one the parser returned, if any:
 * it is replaced wherever it appears, and the scan then covers what the parser did not read.
 */
export function redactBody(raw: string, passphrase?: string): string {
  const text = passphrase ? raw.split(passphrase).join(REDACTED) : raw;
  const spans = secretSpans(text);
  if (spans.length === 0) return withoutBearerTokens(text, REDACTED);
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + REDACTED;
    at = s.end;
  }
  out += text.slice(at);
  // An alert has a secret or two; a body made of thousands of them gets its first copies looked for elsewhere,
  // so the time stays linear in the body (every secret field's own value is replaced regardless).
  const elsewhere = [...new Set(copies(text, spans))].filter((v) => v.length >= 4 && !REDACTED.includes(v));
  for (const v of elsewhere.slice(0, MAX_ELSEWHERE)) out = out.split(v).join(REDACTED);
  return withoutBearerTokens(out, REDACTED);
}

/** The secret values in a body, as written in it and as the parsers would read them, for scrubbing messages. */
export function secretValues(text: string): string[] {
  const out = new Set<string>();
  for (const v of copies(text, secretSpans(text))) {
    if (v.trim() !== '') out.add(v.trim());
    // One level of backslash escapes removed, as JSON.parse reads a value.
    const read = v.replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\(.)/g, '$1');
    if (read.trim() !== '') out.add(read.trim());
  }
  return [...out];
}

function copies(text: string, spans: readonly Span[]): string[] {
  const out: string[] = [];
  for (const s of spans) {
    const value = text.slice(s.start, s.end);
    out.push(value);
    // A list or object sent as a secret: the words inside it are what may be pasted elsewhere. (A quoted string
    // that merely starts with a bracket is not one: its span may run on to the end of an ambiguous body, over
    // the names of other fields, which must not be taken for words of the secret.)
    const bracketed = (value[0] === '[' || value[0] === '{') && !isQuote(text[s.start - 1]);
    if (bracketed) out.push(...(value.match(/[^"'\\\s,:{}[\]]{4,}/g) ?? []));
    if (s.likely !== undefined && s.likely < s.end) out.push(text.slice(s.start, s.likely));
  }
  return out;
}

function dialectOf(text: string): Dialect {
  const t = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  const first = t[0];
  if (first === '{' || first === '[' || first === '"') return 'json';
  return looksLikePineConnector(t) ? 'pineconnector' : 'keyvalue';
}

/** The value ranges of secret-named fields, in order and not overlapping. */
function secretSpans(text: string): Span[] {
  const dialect = dialectOf(text);
  // An escaped copy of a JSON body may have its white space escaped too (\n, \\t); text dialects have none.
  const escapes = dialect === 'json';
  const spans: Span[] = [];
  let covered = 0;
  for (let p = 0; p < text.length; p++) {
    const c = text[p];
    if ((c !== ':' && c !== '=') || p < covered) continue;
    const key = keyBefore(text, p, escapes);
    // The shortest secret names ("pin", "pwd", "sig", "key") have 3 letters: shorter names are not read further.
    if (key === undefined || key.length < 3 || !isSecretName(key.includes('\\') ? decodeKey(key) : key)) continue;
    const start = spaceAfter(text, p + 1, escapes);
    const span = dialect === 'json' ? jsonValue(text, start) : dialect === 'pineconnector' ? pineValue(text, start) : keyValueToken(text, start);
    if (span.end > span.start) {
      spans.push(span);
      covered = span.end;
    }
  }
  return spans;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isKeyChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_.-]/.test(c);
const isQuote = (c: string | undefined): c is '"' | "'" => c === '"' || c === "'";
const isEscapedSpace = (c: string | undefined): boolean => c === 'n' || c === 't' || c === 'r';

/** The start of the white space that ends before `i`. */
function spaceBefore(text: string, i: number, escapes: boolean): number {
  for (;;) {
    if (i > 0 && isSpace(text[i - 1])) i--;
    else if (escapes && i > 1 && isEscapedSpace(text[i - 1]) && text[i - 2] === '\\') {
      i -= 2;
      while (i > 0 && text[i - 1] === '\\') i--;
    } else return i;
  }
}

/** The first character at or after `i` that is not white space. */
function spaceAfter(text: string, i: number, escapes = true): number {
  for (;;) {
    if (isSpace(text[i])) i++;
    else if (escapes && text[i] === '\\') {
      let j = i;
      while (text[j] === '\\') j++;
      if (!isEscapedSpace(text[j])) return i;
      i = j + 1;
    } else return i;
  }
}

/** The name before the separator at `p`: quoted (at any escape level) or bare; undefined when there is none. */
function keyBefore(text: string, p: number, escapes: boolean): string | undefined {
  const end = spaceBefore(text, p, escapes);
  const q = text[end - 1];
  if (isQuote(q)) {
    // Each closing quote is looked back from once, and only as far as the quote before it: linear overall.
    const open = end >= 2 ? text.lastIndexOf(q, end - 2) : -1;
    return open < 0 ? undefined : text.slice(open + 1, end - 1);
  }
  let start = end;
  while (start > 0 && isKeyChar(text[start - 1])) start--;
  return start === end ? undefined : text.slice(start, end);
}

/** A name as written → as the parsers read it: \u escapes decoded, escaping backslashes dropped. */
function decodeKey(key: string): string {
  return key.replace(/\\+u([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\/g, '');
}

/**
 * A JSON value: a quoted string at any escape level (the backslashes before the opening quote say which), a list
 * or an object (a passphrase sent as ["…"] or {"v": "…"} is still a secret: all of it is the value), else a bare
 * word up to a separator.
 */
function jsonValue(text: string, start: number): Span {
  let k = 0;
  while (text[start + k] === '\\') k++;
  const q = text[start + k];
  if (!isQuote(q)) {
    if (k === 0 && (text[start] === '{' || text[start] === '[')) return bracketValue(text, start);
    if (k > 0) return { start, end: start };
    let end = start;
    while (end < text.length && !isSpace(text[end]) && !',}]\\"\''.includes(text[end]!)) end++;
    return { start, end };
  }
  // At escape level L the opening quote has k = 2^L - 1 backslashes before it, and so has the closing one; a
  // quote inside the value has more (\" in plain JSON, \\\" once escaped). A quote with more backslashes can
  // also close a value that ends in a backslash (exactly when their number is k modulo 2^(L+1)): that end is
  // only `likely`, and the value is redacted on to a quote with exactly k. A quote not followed by what
  // follows a string is a stray quote inside the value (a secret containing one pasted unescaped, a body
  // escaped only in part): the value goes on. No closing quote: the value runs to the end of the body.
  const from = start + k + 1;
  let likely: number | undefined;
  let run = 0;
  for (let j = from; j < text.length; j++) {
    const c = text[j]!;
    if (c === '\\') {
      run++;
      continue;
    }
    if (c === q && run % (2 * k + 2) === k && endsString(text, j + 1)) {
      likely ??= j - k;
      if (run === k) return { start: from, end: j - k, likely };
    }
    run = 0;
  }
  return { start: from, end: text.length, likely };
}

/**
 * A list or object from its opening bracket to the matching one. Brackets inside strings do not count: a string
 * opens at a quote with some number of backslashes before it (its escape level) and closes at the next quote with
 * exactly as many. Unbalanced (a cut-off body, a stray quote): the value runs to the end of the body.
 */
function bracketValue(text: string, start: number): Span {
  let depth = 0;
  for (let j = start; j < text.length; j++) {
    const c = text[j]!;
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return { start, end: j + 1 };
    } else if (isQuote(c)) {
      let run = 0;
      while (text[j - 1 - run] === '\\') run++;
      let close = j + 1;
      for (; close < text.length; close++) {
        if (text[close] !== c) continue;
        let r = 0;
        while (text[close - 1 - r] === '\\') r++;
        if (r === run) break;
      }
      j = close;
    }
  }
  return { start, end: text.length };
}

/** What may follow a string: the end, a closing bracket, a colon, the next string, or a comma and a next item. */
function endsString(text: string, i: number): boolean {
  const at = spaceAfter(text, i);
  const next = text[at];
  if (next === undefined || '}]:"\'\\'.includes(next)) return true;
  if (next !== ',') return false;
  const item = spaceAfter(text, at + 1);
  const after = text[item];
  if (after === undefined || '{[}]"\'\\'.includes(after)) return true;
  // A bare name and a colon (a key written without quotes).
  let end = item;
  while (isKeyChar(text[end])) end++;
  return end > item && text[spaceAfter(text, end)] === ':';
}

/** A PineConnector parameter: up to the next comma outside double quotes. */
function pineValue(text: string, start: number): Span {
  let quoted = false;
  let end = start;
  for (; end < text.length; end++) {
    const c = text[end];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) break;
  }
  while (end > start && isSpace(text[end - 1])) end--;
  return inQuotes(text, start, end);
}

/** A key=value token: up to a separator outside quotes; a quote may open anywhere and runs to the same quote. */
function keyValueToken(text: string, start: number): Span {
  let end = start;
  while (end < text.length) {
    const c = text[end]!;
    if (isQuote(c)) {
      const close = text.indexOf(c, end + 1);
      end = close < 0 ? text.length : close + 1;
    } else if (isSpace(c) || c === ',' || c === ';' || c === '|') break;
    else end++;
  }
  const first = text[start];
  // Quotes inside the token ("ab"cd is read as abcd): all of it is the value.
  if (isQuote(first) && text.indexOf(first, start + 1) < end - 1 && text.indexOf(first, start + 1) >= 0) return { start, end };
  return inQuotes(text, start, end);
}

/** The quotes around a value stay (or the opening one of a quote never closed); what is inside is the value. */
function inQuotes(text: string, start: number, end: number): Span {
  const q = text[start];
  if (!isQuote(q) || end <= start) return { start, end };
  return end - start >= 2 && text[end - 1] === q ? { start: start + 1, end: end - 1 } : { start: start + 1, end };
}
