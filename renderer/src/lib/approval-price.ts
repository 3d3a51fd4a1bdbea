// The price a held order would be sent at, in words for the approvals table: its limit or stop price, or for a
// market order "market" with the alert's own price, so the trader never approves without seeing a price.
import type { ApprovalView } from '../../../shared/api-types.js';

export function approvalPrice(a: Pick<ApprovalView, 'type' | 'limitPrice' | 'stopPrice'>, alertPrice?: string): string {
  const parts: string[] = [];
  if (a.stopPrice) parts.push(`stop ${a.stopPrice}`);
  if (a.limitPrice) parts.push(`limit ${a.limitPrice}`);
  if (parts.length > 0) return parts.join(', ');
  const words = a.type === 'market' || a.type === '' ? 'market' : a.type.replace(/_/g, ' ');
  return alertPrice ? `${words} (alert price ${alertPrice})` : `${words} (the alert gave no price)`;
}

/** The alert's price from a stored signal's parsed form (decimal strings in the API), if it has one. */
export function alertPriceOf(parsed: unknown): string | undefined {
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const p = parsed as Record<string, unknown>;
  for (const k of ['price', 'signalPrice']) {
    const v = p[k];
    if ((typeof v === 'string' && v !== '') || typeof v === 'number') return String(v);
  }
  return undefined;
}
