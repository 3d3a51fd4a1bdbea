// The alert-template check behind POST /api/alerts/check: takes a TradingView message TEMPLATE (with
// {{placeholders}}) or a sample alert, reports EVERY problem it can find (not only the first, as the webhook
// does), fills known placeholders with plausible sample values and shows the signal the alert would become.

import { Decimal } from 'decimal.js';
import type { Code } from '../../../shared/codes.js';
import type { Signal } from '../../../shared/signal.js';
import { buildBrackets } from '../../strategy/brackets.js';
import { duplicateKey, parseAlert } from './index.js';
import { scanJson } from './json-scan.js';
import { CURLY_QUOTES, diagnoseJson } from './json-diagnose.js';
import { PLACEHOLDER_PATTERN, PLACEHOLDERS, placeholderInfo } from './placeholders.js';

export interface TemplateProblem {
  code: Code;
  message: string;
  field?: string;
}

export interface TemplateCheck {
  problems: TemplateProblem[];
  /** The signal the sample alert became; absent when the sample alert itself cannot be parsed. */
  signal?: Signal;
  /** Notes from the parser (unknown fields kept in extras, synonyms read, …); not problems. */
  warnings: string[];
  /** The template with sample values substituted, as it was parsed. It holds what the trader typed (a
   *  passphrase included), so it is for the trader's own screen: the check is served on the loopback API only. */
  rendered: string;
}

export interface CheckOptions {
  /** Strategy alerts fill {{strategy.*}}; indicator and drawing alerts do not. Unknown: warn about strategy.*. */
  alertType?: 'strategy' | 'indicator';
}

/** The JSON key or key= name a position in the template belongs to (mask: inside-a-JSON-string flags). */
function fieldAt(text: string, index: number, mask: Uint8Array | undefined): string | undefined {
  if (mask !== undefined) {
    // Inside a string: the key is the one before that string's opening quote.
    let start = index;
    while (start > 0 && mask[start - 1] === 1) start--;
    const valueAt = mask[index] === 1 ? start - 1 : index;
    const head = text.slice(Math.max(0, valueAt - 200), valueAt);
    return /"((?:[^"\\]|\\.){1,64})"\s*:\s*$/.exec(head)?.[1];
  }
  const head = text.slice(Math.max(0, index - 200), index);
  const kv = /([A-Za-z_][\w.]{0,63})\s*=\s*["']?[^\s=,;"']*$/.exec(head);
  return kv?.[1];
}

/** For each index of the text: inside a JSON string? (Only meaningful for JSON templates.) */
function stringMask(text: string): Uint8Array {
  const mask = new Uint8Array(text.length);
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      mask[i] = 1;
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    }
  }
  return mask;
}


const MAX_PASSES = 25;

export function checkAlertTemplate(text: string, options: CheckOptions = {}): TemplateCheck {
  const problems: TemplateProblem[] = [];
  const add = (p: TemplateProblem): void => {
    if (!problems.some((q) => q.code === p.code && q.field === p.field && q.message === p.message)) problems.push(p);
  };
  const body = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  if (body === '') {
    return { problems: [{ code: 'EMPTY_BODY', message: 'The alert message is empty. Paste the alert JSON from the strategy page into the TradingView "Message" box.' }], warnings: [], rendered: '' };
  }
  if (body === '{{strategy.order.alert_message}}') {
    return {
      problems: [{ code: 'UNFILLED_PLACEHOLDER', message: 'The whole message is {{strategy.order.alert_message}}: its text comes from the Pine script (alert_message=), which this check cannot see. Check a sample of the alert that text produces instead.' }],
      warnings: [],
      rendered: '',
    };
  }
  const isJson = body.startsWith('{') && !body.startsWith('{{');
  // Placeholders are blanked first: {{plot("Name")}} has quotes of its own that are gone once it renders.
  const mask = isJson ? stringMask(body.replace(PLACEHOLDER_PATTERN, (m) => '#'.repeat(m.length))) : undefined;
  const unknownFields = new Set<string>();
  /** A placeholder sits in a field that can move a price or the side: the bracket check would judge samples. */
  let pricePlaceholder = false;
  const unknownTexts = new Set<string>();
  const strategyOnly: string[] = [];
  /** The id's template has {{timenow}}, which makes every firing's id its own. */
  let idHasTimenow = false;
  /** A field read as the alert's time holds {{time}} (the bar's open time, not the firing time). */
  let timeFromBar: string | undefined;
  let rendered = '';
  let last = 0;
  for (const m of body.matchAll(PLACEHOLDER_PATTERN)) {
    const at = m.index;
    const name = m[1]!;
    const field = fieldAt(body, at, mask);
    if (field === undefined || !NOT_PRICE_FIELDS.has(field.toLowerCase())) pricePlaceholder = true;
    const known = placeholderInfo(name);
    const loose = field?.toLowerCase().replace(/[_\s-]/g, '');
    if (loose === 'id' && name === 'timenow') idHasTimenow = true;
    if (name === 'time' && (loose === 'time' || loose === 'timestamp' || loose === 'timenow')) timeFromBar = field;
    // Between curly quotes (“{{ticker}}”, pasted through a word processor or chat) it was meant to be quoted: the
    // curly quotes are the problem, reported once with the JSON's, not an unquoted placeholder.
    const curly = CURLY_QUOTES.test(body[at - 1] ?? '') && CURLY_QUOTES.test(body[at + m[0].length] ?? '');
    const quoted = mask === undefined || mask[at] === 1 || curly;
    let sample: string;
    if (known === undefined) {
      const near = [...PLACEHOLDERS.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
      const hint = near !== undefined ? ` Placeholders are case-sensitive: write {{${near}}}.` : ' See TradingView\'s list: {{ticker}}, {{exchange}}, {{close}}, {{timenow}}, {{strategy.order.action}}, …';
      add({ code: 'UNFILLED_PLACEHOLDER', message: `${m[0]} is not a TradingView placeholder, so it would arrive unfilled and the alert would be rejected.${hint}`, ...(field !== undefined ? { field } : {}) });
      if (field !== undefined) unknownFields.add(field);
      unknownTexts.add(m[0]);
      sample = m[0];
    } else {
      if (known.strategyOnly && options.alertType !== 'strategy') strategyOnly.push(m[0]);
      if (name === 'strategy.order.alert_message') {
        add({ code: 'UNFILLED_PLACEHOLDER', message: '{{strategy.order.alert_message}} is replaced by text from the Pine script (alert_message=), which this check cannot see. Check a sample of the alert that text produces instead.', ...(field !== undefined ? { field } : {}) });
      }
      sample = known.sample;
      if (!quoted) {
        if (known.kind === 'number') {
          add({ code: 'UNQUOTED_NAN', message: `${m[0]} is not in quotes${field !== undefined ? ` in "${field}"` : ''}. When the value is undefined TradingView writes NaN, which is not JSON, and the alert is rejected. Write "${field ?? 'price'}": "${m[0]}".`, ...(field !== undefined ? { field } : {}) });
        } else {
          add({ code: 'INVALID_JSON', message: `${m[0]} is not in quotes${field !== undefined ? ` in "${field}"` : ''}; it renders as text without quotes, which is not JSON. Write "${field ?? 'field'}": "${m[0]}".`, ...(field !== undefined ? { field } : {}) });
          sample = JSON.stringify(sample);
        }
      }
    }
    rendered += body.slice(last, at) + sample;
    last = at + m[0].length;
  }
  rendered += body.slice(last);
  if (strategyOnly.length > 0) {
    const names = [...new Set(strategyOnly)];
    const list = `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'}`;
    add({
      code: 'UNFILLED_PLACEHOLDER',
      message: options.alertType === 'indicator'
        ? `${list} only filled in alerts created from a strategy; in this indicator alert they arrive unfilled and the alert is rejected. Create the alert on the strategy, or use fixed values.`
        : `${list} only filled in alerts created from a strategy (not from an indicator or drawing). Make sure the TradingView alert's condition is the strategy.`,
    });
  }

  const warnings: string[] = [];
  let signal: Signal | undefined;
  if (isJson) {
    let value: unknown;
    try {
      value = JSON.parse(rendered);
    } catch (error) {
      const r = diagnoseJson(rendered, error);
      add({ code: r.code, message: r.message, ...(r.field !== undefined ? { field: r.field } : {}) });
      return { problems, warnings, rendered };
    }
    // A repeated key: JSON.parse (and the re-serialised sample below) would keep only the last one.
    const scan = scanJson(rendered);
    if (!scan.ok) {
      const r = duplicateKey(scan.key, scan.path);
      if (!r.ok) add({ code: r.code, message: r.message, field: scan.path });
    } else if (scan.text !== rendered) value = JSON.parse(scan.text);
    // Report every field's problem: drop the field that failed and parse again.
    let obj = value;
    let clean = true;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const r = parseAlert(JSON.stringify(obj), 'application/json');
      if (r.ok) {
        warnings.push(...r.warnings);
        if (clean) signal = r.signal;
        break;
      }
      // An unknown placeholder was reported for the template already; the sample parse finds it again.
      const duplicate = r.code === 'UNFILLED_PLACEHOLDER' && ((r.field !== undefined && unknownFields.has(r.field)) || [...unknownTexts].some((t) => r.message.includes(t)));
      if (!duplicate) add({ code: r.code, message: r.message, ...(r.field !== undefined ? { field: r.field } : {}) });
      clean = false;
      const next = withoutField(obj, r.code, r.field);
      if (next === undefined) break;
      obj = next;
    }
  } else {
    const r = parseAlert(rendered, 'text/plain');
    if (r.ok) {
      warnings.push(...r.warnings);
      signal = r.signal;
    } else {
      const duplicate = r.code === 'UNFILLED_PLACEHOLDER' && problems.some((p) => p.code === 'UNFILLED_PLACEHOLDER');
      if (!duplicate) add({ code: r.code, message: r.message, ...(r.field !== undefined ? { field: r.field } : {}) });
    }
  }
  if (signal !== undefined && !pricePlaceholder) {
    for (const p of bracketProblems(signal)) add(p);
  }
  // An alert that gets the same id at every firing ("Long Entry" from {{strategy.order.id}}, or a fixed text) is a
  // duplicate whenever it repeats the content of an earlier firing: answered 200 and not traded for 30 days.
  if (signal?.id !== undefined && !idHasTimenow) {
    warnings.push(`"id" has no {{timenow}}, so it is the same at every firing (here "${signal.id}"): an alert that repeats an earlier one's id and content within 30 days is taken for a re-send (answered "duplicate", not traded). Add {{timenow}} to it, e.g. "id": "{{strategy.order.id}} {{timenow}}", or leave "id" out.`);
  }
  if (timeFromBar !== undefined) {
    warnings.push(`"${timeFromBar}" uses {{time}}, the open time of the bar the alert fired on, not the time it fired: on a 1-hour chart it is up to an hour old, and entries are refused STALE_ALERT. Use {{timenow}}.`);
  }
  return signal === undefined ? { problems, warnings, rendered } : { problems, signal, warnings, rendered };
}

/** Fields whose placeholders change neither a price nor the side, so literal brackets can still be judged. */
const NOT_PRICE_FIELDS = new Set(['ticker', 'symbol', 'exchange', 'quantity', 'time', 'timenow', 'id', 'comment', 'passphrase', 'positionsize', 'marketposition', 'marketpositionsize', 'prevmarketposition', 'prevmarketpositionsize']);

/**
 * A take profit or stop loss on the wrong side of the entry price (BRACKET_WRONG_SIDE), judged as the strategy
 * engine will: the alert's limit price for a limit entry, otherwise its price. The agent plans a market entry
 * from the last price when it knows one, so this is the alert's own view; without a price nothing is judged.
 */
function bracketProblems(signal: Signal): TemplateProblem[] {
  if (signal.action !== 'buy' && signal.action !== 'sell') return [];
  const side = signal.action;
  // A buy that is bearish or flat (a sell that is bullish or flat) reduces or exits: it has no brackets.
  if (signal.sentiment === 'flat' || signal.sentiment === (side === 'buy' ? 'bearish' : 'bullish')) return [];
  const type = signal.orderType;
  const candidates = type === 'limit' || type === 'stop_limit' ? [signal.limitPrice, signal.price] : type === 'stop' ? [signal.stopPrice, signal.price] : [signal.price];
  const found = candidates.find((c) => c !== undefined && new Decimal(c).gt(0));
  if (found === undefined) return [];
  const reference = new Decimal(found);
  const problems: TemplateProblem[] = [];
  for (const [tp, sl] of [[signal.takeProfit, undefined], [undefined, signal.stopLoss]] as const) {
    if (tp === undefined && sl === undefined) continue;
    const r = buildBrackets(side, reference, new Decimal(0), tp, sl);
    if (r.ok || !('wrongSide' in r)) continue;
    const w = r.wrongSide;
    const leg = w.field.startsWith('takeProfit') ? 'take profit' : 'stop loss';
    const what = w.field.endsWith('.percent') || w.field.endsWith('.amount') ? `${w.field} puts the ${leg} at ${w.price}` : `${w.field} is ${w.price}`;
    problems.push({
      code: 'BRACKET_WRONG_SIDE',
      field: w.field,
      message: `${what}, but this ${side} (${w.side}) enters at ${w.entryPrice}: a ${w.side}'s ${leg} must be ${w.expected} the entry price, or it fills at once. Set ${w.field} so the ${leg} is ${w.expected} ${w.entryPrice}.`,
    });
  }
  return problems;
}

/** A copy of the alert without the failed field (missing ticker / action get a sample so the rest is checked). */
function withoutField(value: unknown, code: Code, field: string | undefined): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const obj = { ...(value as Record<string, unknown>) };
  if (code === 'MISSING_TICKER') return { ...obj, ticker: 'AAPL' };
  if (code === 'MISSING_ACTION') return { ...obj, action: 'buy' };
  if (field === undefined || field === '') return undefined;
  const path = field.split('.');
  const loose = (k: string): string => k.toLowerCase().replace(/[_\s-]/g, '');
  const remove = (o: Record<string, unknown>, parts: string[]): boolean => {
    const key = Object.keys(o).find((k) => k === parts[0]) ?? Object.keys(o).find((k) => loose(k) === loose(parts[0]!));
    if (key === undefined) return false;
    if (parts.length === 1) {
      if (key === 'ticker' || loose(key) === 'ticker') o[key] = 'AAPL';
      else if (loose(key) === 'action') o[key] = 'buy';
      else delete o[key];
      return true;
    }
    const child = o[key];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) {
      delete o[key];
      return true;
    }
    const copy = { ...(child as Record<string, unknown>) };
    o[key] = copy;
    return remove(copy, parts.slice(1));
  };
  return remove(obj, path) ? obj : undefined;
}
