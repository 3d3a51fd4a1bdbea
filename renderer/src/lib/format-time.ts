// Dates and counts for tables: local time as YYYY-MM-DD HH:MM:SS, the same on every machine and unambiguous
// (a trader compares these with broker statements and TradingView's alert log). Plain Date getters, no Intl: the
// first Intl formatter of a page loads the browser's locale data, about 130 ms of the main thread on a slow
// machine, and the orders table would pay for it before its first rows.

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

function parse(iso: string | undefined): Date | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** `2026-03-02 14:31:05` in the machine's time zone; the input unchanged when it is not a date. */
export function formatTime(iso: string | undefined): string {
  const d = parse(iso);
  if (!d) return iso ?? '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClockOf(d)}`;
}

/** `14:31:05` in the machine's time zone. */
export function formatClock(iso: string | undefined): string {
  const d = parse(iso);
  return d ? formatClockOf(d) : (iso ?? '');
}

function formatClockOf(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 100000 → `100,000`. */
export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.trunc(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+$)/g, ',');
}
