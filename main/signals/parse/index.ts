// parseAlert: the raw webhook body → a Signal (or one rejection code saying how to fix the alert).
// Runs on every webhook request before the answer, so it is pure and does no I/O; schemas compile at load.
//
// Order: BOM/whitespace stripped → empty? → JSON first (whatever the content type: TradingView labels valid
// JSON application/json and everything else text/plain) → text dialects (PineConnector, key=value).

import { diagnoseJson } from './json-diagnose.js';
import { scanJson } from './json-scan.js';
import { parseKeyValue, looksLikeKeyValue } from './keyvalue.js';
import { normaliseAlert, type RawAlert } from './native.js';
import { isSecretName, withoutBearerTokens } from '../../secret-names.js';
import { looksLikePineConnector, parsePineConnector } from './pineconnector.js';
import { REDACTED, secretValues } from './redact-body.js';
import { reject, type ParseResult } from './result.js';
import { looksLikeThreeCommas, parseThreeCommas } from './threecommas.js';

export type { ParseResult } from './result.js';

export function parseAlert(body: string, contentType?: string): ParseResult {
  const text = stripBody(body);
  const result = parseText(text, contentType);
  return redact(withoutSecretValues(result, text), text);
}

function stripBody(body: string): string {
  const s = typeof body === 'string' ? body : '';
  return (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s).trim();
}

// The content type only shapes the hint of a rejection: TradingView sends text/plain for anything that is not
// valid JSON, so the body decides how it is read.
function parseText(text: string, contentType: string | undefined): ParseResult {
  if (text === '') {
    return reject('EMPTY_BODY', 'The alert message is empty. Put the alert JSON (or a supported text format) into the TradingView "Message" box.');
  }
  const first = text[0];
  if (first === '{' || first === '[' || first === '"') return parseJsonText(text);
  if (looksLikePineConnector(text)) return parsePineConnector(text);
  if (looksLikeKeyValue(text)) return parseKeyValue(text);
  const at = text.indexOf('{{');
  if (at >= 0) {
    const end = text.indexOf('}}', at);
    const name = end > at && end - at < 60 ? text.slice(at, end + 2) : '{{...}}';
    return reject('UNFILLED_PLACEHOLDER', `The alert contains ${name}, which TradingView did not fill, and is not in a format the agent understands. Use the JSON from the strategy's alert builder (see docs/alerts.md).`);
  }
  const comma = commaNumber(text);
  if (comma !== undefined) return comma;
  const jsonHint = contentType !== undefined && /json/i.test(contentType) ? ' It was sent as JSON but does not start with {.' : '';
  return reject(
    'UNRECOGNISED_FORMAT',
    `The alert message is not in a format the agent understands.${jsonHint} Use the JSON from the strategy's alert builder, e.g. {"ticker": "{{ticker}}", "action": "{{strategy.order.action}}"}, or PineConnector / key=value text (see docs/alerts.md).`,
  );
}

const COMMA_NUMBER = /(?:^|[\s,;|])([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*=\s*"?([+-]?\d+(?:,\d+)+)/;

/**
 * A number written with a comma (risk=0,5 or quantity=1,000) in PineConnector or key=value text, where commas
 * separate the parts: the alert cannot be read, and the message says why rather than only that it cannot.
 */
function commaNumber(text: string): ParseResult | undefined {
  const m = COMMA_NUMBER.exec(text);
  if (!m || isSecretName(m[1]!)) return undefined;
  const [, key, value] = m as unknown as [string, string, string];
  return reject(
    'UNRECOGNISED_FORMAT',
    `${key}=${value} has a comma in its number, and commas separate the parts of the alert. Write numbers with a dot for decimals and without thousands separators (${key}=0.5, ${key}=1000).`,
    key,
  );
}

function parseJsonText(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return diagnoseJson(text, error);
  }
  if (typeof value === 'string') {
    const inner = value.trim();
    if (inner.startsWith('{')) {
      return reject('ESCAPED_JSON', 'The alert is JSON wrapped in a quoted string (its quotes are backslash-escaped, \\"). Paste the message again so it starts with { and uses plain quotes.');
    }
    return reject('UNRECOGNISED_FORMAT', 'The alert is a quoted string, not an alert object. Send the JSON object itself, e.g. {"ticker": "{{ticker}}", "action": "buy"}.');
  }
  if (Array.isArray(value)) {
    return reject('UNRECOGNISED_FORMAT', 'The alert is a JSON list; send one alert object per alert, e.g. {"ticker": "{{ticker}}", "action": "buy"}.');
  }
  if (value === null || typeof value !== 'object') {
    return reject('UNRECOGNISED_FORMAT', 'The alert is a bare JSON value, not an alert object. Send e.g. {"ticker": "{{ticker}}", "action": "buy"}.');
  }
  // JSON.parse keeps the last of a repeated key and rounds over-long numbers: one pass finds the first and reads
  // the second as written (json-scan.ts).
  const scan = scanJson(text);
  if (!scan.ok) return duplicateKey(scan.key, scan.path);
  if (scan.text !== text) value = JSON.parse(scan.text);
  const obj = value as RawAlert;
  if (looksLikeThreeCommas(obj)) return parseThreeCommas(obj);
  return normaliseAlert(obj, { dialect: 'native', warnings: [] });
}

/** A key given twice in one object: one alert is one order, so neither value is guessed. */
export function duplicateKey(key: string, path: string): ParseResult {
  return reject('INVALID_FIELD', `${JSON.stringify(key)} is given twice${path !== key ? ` in "${path.slice(0, path.length - key.length - 1)}"` : ''} in the alert, so it is not clear which value you meant. Remove one of them (one alert is one order).`, path);
}

const JSON_SECRET = /"([A-Za-z_ ]{1,20})"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/g;
const TEXT_SECRET = /(?:^|[\s,;|])([A-Za-z_]{1,20})\s*=\s*("[^"]*"|'[^']*'|[^\s,;|]+)/g;

/**
 * The values of secret-named fields in the body, found by pattern so it also works on unparseable text; the
 * scan the stored body is redacted with (escaped, cut-off, any spelling the parsers accept) adds its own.
 */
function secretsIn(text: string): string[] {
  const out: string[] = [];
  for (const re of [JSON_SECRET, TEXT_SECRET]) {
    for (const m of text.matchAll(re)) {
      if (!isSecretName(m[1]!)) continue;
      let v = m[2]!;
      if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
      if (v !== '') out.push(v);
    }
  }
  return [...out, ...secretValues(text)];
}

function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) {
    // Short secrets would match ordinary words; they can only be echoed as a quoted value.
    if (s.length >= 4) out = out.split(s).join('[redacted]');
    out = out.split(JSON.stringify(s)).join('"[redacted]"');
  }
  return out;
}

/** Nothing a caller logs or answers may contain a secret from the body, even when the sender misplaced it. */
function redact(result: ParseResult, text: string): ParseResult {
  if (result.ok && result.warnings.length === 0) return result;
  if (!text.includes('=') && !text.includes(':')) return result;
  const secrets = result.ok && result.passphrase !== undefined ? [result.passphrase, ...secretsIn(text)] : secretsIn(text);
  if (secrets.length === 0) return result;
  if (result.ok) {
    return { ...result, warnings: result.warnings.map((w) => scrub(w, secrets)) };
  }
  return { ...result, message: scrub(result.message, secrets) };
}

/**
 * The parsed signal is stored (signals.parsed) and answered (/api/signals) as the raw body is, so what the raw body
 * has redacted is redacted in it too: the passphrase's value wherever it was pasted (any length, as in the body),
 * the values of secret-named fields found by the body scan (4 characters or more, as in the body) and "Bearer"
 * tokens, in the free-text parts of the signal: `extras` (values and names, at every level) and `id`.
 */
function withoutSecretValues(result: ParseResult, text: string): ParseResult {
  if (!result.ok) return result;
  const { signal } = result;
  if (signal.extras === undefined && signal.id === undefined) return result;
  const secrets = [...new Set([...(result.passphrase ? [result.passphrase] : []), ...secretValues(text).filter((v) => v.length >= 4 && !REDACTED.includes(v))])];
  const clean = (s: string): string => withoutBearerTokens(secrets.reduce((out, v) => (out.includes(v) ? out.split(v).join(REDACTED) : out), s), REDACTED);
  const deep = (v: unknown): unknown => {
    if (typeof v === 'string') return clean(v);
    if (Array.isArray(v)) return v.map(deep);
    if (v === null || typeof v !== 'object') return v;
    // fromEntries defines own properties, so a "__proto__" key stays data.
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k), deep(x)]));
  };
  const next = { ...signal };
  if (next.extras !== undefined) next.extras = deep(next.extras) as Record<string, unknown>;
  if (next.id !== undefined) next.id = clean(next.id);
  return { ...result, signal: next };
}
