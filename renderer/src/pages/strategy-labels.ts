// Plain words for the strategy settings' values, shared by the editor and the settings summary.
export const SIDES_LABELS: Record<string, string> = { both: 'Long and short', long: 'Long only', short: 'Short only' };
export const OPPOSITE_LABELS: Record<string, string> = {
  exit_and_reverse: 'Close, then open the other side',
  exit_only: 'Close only',
};
export const SIZING_LABELS: Record<string, string> = {
  fixed_quantity: 'Fixed quantity (shares / contracts / units)',
  dollar_amount: 'Amount of money',
  risk_dollar_amount: 'Money at risk (needs a stop loss)',
  percent_of_equity: 'Percent of equity',
  percent_of_position: 'Percent of the position',
};
export const ORDER_TYPE_LABELS: Record<string, string> = { market: 'Market', limit: 'Limit', stop: 'Stop', stop_limit: 'Stop limit', trailing_stop: 'Trailing stop' };
export const TIF_LABELS: Record<string, string> = {
  day: 'Day',
  gtc: 'Good till canceled',
  opg: 'At the open',
  cls: 'At the close',
  ioc: 'Immediate or cancel',
  fok: 'Fill or kill',
};
export const APPROVAL_LABELS: Record<string, string> = { auto: 'Automatic: orders are sent at once', manual: 'Manual: each order waits for my approval' };

export function label(map: Record<string, string>, value: string): string {
  return map[value] ?? value;
}
