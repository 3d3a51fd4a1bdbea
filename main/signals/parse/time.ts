// Alert times: ISO-8601 (with or without a zone), TradingView's {{timenow}} / {{time}} text
// (yyyy-MM-ddTHH:mm:ssZ), or epoch seconds / milliseconds. Always answered as ISO UTC with milliseconds.

export type TimeResult = { ok: true; value: string; warning?: string } | { ok: false };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^\d{9,13}(?:\.\d+)?$/;
/** Alerts from before 2000 or after 2200 are typing or unit accidents, not real alert times. */
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

export function normaliseTime(input: unknown): TimeResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) return { ok: false };
    text = String(input);
  } else if (typeof input === 'string') {
    text = input.trim();
  } else {
    return { ok: false };
  }
  if (EPOCH.test(text)) {
    const n = Number(text);
    // Ten digits are seconds until the year 2286; thirteen are milliseconds.
    const ms = text.split('.')[0]!.length <= 11 ? n * 1000 : n;
    return inRange(Math.floor(ms)) ? { ok: true, value: new Date(Math.floor(ms)).toISOString() } : { ok: false };
  }
  const m = ISO.exec(text);
  if (!m) return { ok: false };
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return { ok: false };
  const millis = Number(frac.padEnd(3, '0').slice(0, 3));
  let ms = Date.UTC(Number(y), month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 31 February into March; a real timestamp never needs that.
  if (new Date(ms).getUTCDate() !== day) return { ok: false };
  let warning: string | undefined;
  if (zone === undefined) {
    warning = 'time has no time zone; it was read as UTC (TradingView times end in Z).';
  } else if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offH = Number(digits.slice(0, 2));
    const offM = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offH > 14 || offM > 59) return { ok: false };
    ms -= sign * (offH * 60 + offM) * 60_000;
  }
  if (!inRange(ms)) return { ok: false };
  const value = new Date(ms).toISOString();
  return warning === undefined ? { ok: true, value } : { ok: true, value, warning };
}

function inRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_MS && ms < MAX_MS;
}
