// When an alert that looks like JSON does not parse, say WHY in the trader's terms: the usual causes are an
// unfilled placeholder, an unquoted number that rendered NaN, a cut-off message, or a backslash-escaped
// copy-paste. Runs only on the failure path, so it may take a second pass over the text.

import { reject, type Rejection } from './result.js';

interface Scan {
  /** The text with string contents replaced by spaces, so tokens inside strings are not mistaken for values. */
  blanked: string;
  /** The text ends inside a string or with brackets still open, and nothing was mismatched before. */
  truncated: boolean;
}

function scan(text: string): Scan {
  const out: string[] = [];
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  let mismatched = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      out.push(c === '"' && !inString ? c : ' ');
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) mismatched = true;
    }
    out.push(c);
  }
  return { blanked: out.join(''), truncated: !mismatched && (inString || stack.length > 0) };
}

/** The quoted key just before a value that starts at `index` ("price": NaN → price). */
function keyBefore(text: string, index: number): string | undefined {
  const head = text.slice(Math.max(0, index - 200), index);
  const m = /"((?:[^"\\]|\\.){1,64})"\s*:\s*$/.exec(head);
  return m?.[1];
}

const NAN_VALUE = /[:[,]\s*([-+]?(?:NaN|Infinity|nan|inf|na|undefined))\s*(?=[,}\]]|$)/;
const ESCAPED_KEY = /[{,]\s*\\+"/;

export function diagnoseJson(text: string, error: unknown): Rejection {
  if (ESCAPED_KEY.test(text) || /^"\s*\{/.test(text)) {
    return reject(
      'ESCAPED_JSON',
      'The alert JSON has backslash-escaped quotes (\\") — it was copied from a place that escapes JSON. Paste the message again so it reads {"ticker": ...} with plain quotes.',
    );
  }
  const s = scan(text);
  const placeholderAt = s.blanked.indexOf('{{');
  if (placeholderAt >= 0) {
    const field = keyBefore(text, placeholderAt);
    const end = text.indexOf('}}', placeholderAt);
    const name = end > 0 && end - placeholderAt < 60 ? text.slice(placeholderAt, end + 2) : '{{...}}';
    const where = field === undefined ? '' : ` in "${field}"`;
    return reject(
      'UNFILLED_PLACEHOLDER',
      `The alert contains ${name}${where} that TradingView did not fill (and it is not quoted, so the JSON is broken). Use a placeholder TradingView knows for this alert type — strategy.* ones only work in strategy alerts — and put it in quotes: "${field ?? 'field'}": "${name}".`,
      field,
    );
  }
  const nan = NAN_VALUE.exec(s.blanked);
  if (nan) {
    const valueAt = nan.index + nan[0].indexOf(nan[1]!);
    const field = keyBefore(text, valueAt);
    const where = field === undefined ? 'A number' : `"${field}"`;
    return reject(
      'UNQUOTED_NAN',
      `${where} rendered as ${nan[1]}, which is not valid JSON, so TradingView sent the alert as text. Quote the placeholder ("${field ?? 'price'}": "{{close}}") or make sure the value is defined on every bar.`,
      field,
    );
  }
  if (s.truncated) {
    return reject(
      'TRUNCATED_JSON',
      'The alert JSON ends early: a closing quote or brace is missing. Copy the whole alert message again and check that it ends with }.',
    );
  }
  const pos = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  const at = pos ? ` near character ${Number(pos[1]) + 1}` : '';
  const cause = likelyCause(s.blanked);
  return reject(
    'INVALID_JSON',
    `The alert looks like JSON but cannot be read${at}.${cause !== undefined ? ` ${cause}` : ''} Check for a missing comma, quote or brace, or a trailing comma; the alert check in the app shows the problem.`,
  );
}

/** Quotes a word processor, chat or e-mail app puts in place of straight ones. */
export const CURLY_QUOTES = /[\u201C\u201D\u201E\u2018\u2019\u00AB\u00BB]/;

/** The copy-paste mistakes that break JSON, named in the trader's terms (looked for outside strings only). */
function likelyCause(blanked: string): string | undefined {
  if (CURLY_QUOTES.test(blanked)) {
    return 'It has curly quotes (“ ” or ‘ ’), which a word processor, chat or e-mail app puts in place of straight ones: retype them as plain double quotes (").';
  }
  if (/[{,]\s*'|:\s*'/.test(blanked)) return "It uses single quotes ('ticker'); JSON needs double quotes (\"ticker\").";
  if (/,\s*[}\]]/.test(blanked)) return 'It has a comma before a closing } or ]; remove that trailing comma.';
  if (/\/\/|\/\*/.test(blanked)) return 'It has a comment (// or /* */); JSON has no comments: remove it.';
  return undefined;
}
