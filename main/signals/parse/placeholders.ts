// TradingView's alert placeholders: which exist, which only strategy alerts fill, which render numbers
// (and so NaN when undefined), and a plausible sample value for each, used by the template check.
// Placeholders are case-sensitive in TradingView: {{Ticker}} is not filled.

export type PlaceholderKind = 'text' | 'number' | 'time';

export interface PlaceholderInfo {
  readonly kind: PlaceholderKind;
  readonly strategyOnly: boolean;
  /** What the check substitutes to show the signal the template would become. */
  readonly sample: string;
}

const info = (kind: PlaceholderKind, sample: string, strategyOnly = false): PlaceholderInfo => ({ kind, sample, strategyOnly });

const SAMPLE_TIME = '2026-03-02T14:31:00Z';

export const PLACEHOLDERS: ReadonlyMap<string, PlaceholderInfo> = new Map<string, PlaceholderInfo>([
  ['ticker', info('text', 'AAPL')],
  ['exchange', info('text', 'NASDAQ')],
  ['close', info('number', '189.42')],
  ['open', info('number', '188.9')],
  ['high', info('number', '189.9')],
  ['low', info('number', '188.5')],
  ['volume', info('number', '120345')],
  ['time', info('time', SAMPLE_TIME)],
  ['timenow', info('time', SAMPLE_TIME)],
  ['interval', info('text', '15')],
  ['syminfo.currency', info('text', 'USD')],
  ['syminfo.basecurrency', info('text', 'AAPL')],
  ['strategy.order.action', info('text', 'buy', true)],
  ['strategy.order.contracts', info('number', '10', true)],
  ['strategy.order.price', info('number', '189.42', true)],
  ['strategy.order.id', info('text', 'Long Entry', true)],
  ['strategy.order.comment', info('text', 'Long Entry', true)],
  ['strategy.order.alert_message', info('text', '', true)],
  ['strategy.position_size', info('number', '10', true)],
  ['strategy.market_position', info('text', 'long', true)],
  ['strategy.market_position_size', info('number', '10', true)],
  ['strategy.prev_market_position', info('text', 'flat', true)],
  ['strategy.prev_market_position_size', info('number', '0', true)],
]);

const PLOT_INDEX = /^plot_(\d{1,2})$/;
const PLOT_NAMED = /^plot\("[^"]+"\)$/;

/** Known placeholder by its inner name (without braces), including {{plot_0}}..{{plot_19}} and {{plot("Name")}}. */
export function placeholderInfo(name: string): PlaceholderInfo | undefined {
  const known = PLACEHOLDERS.get(name);
  if (known) return known;
  const idx = PLOT_INDEX.exec(name);
  if (idx && Number(idx[1]) <= 19) return info('number', '1.5');
  if (PLOT_NAMED.test(name)) return info('number', '1.5');
  return undefined;
}

/** Finds `{{...}}` (also with spaces inside the braces). Global: reset lastIndex or use matchAll. */
export const PLACEHOLDER_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The first `{{...}}` in a text, or undefined. A lone "{{" counts too: TradingView leaves both unfilled. */
export function findPlaceholder(text: string): string | undefined {
  const at = text.indexOf('{{');
  if (at < 0) return undefined;
  const end = text.indexOf('}}', at + 2);
  const raw = end < 0 ? text.slice(at, at + 40) : text.slice(at, Math.min(end + 2, at + 60));
  return raw;
}
