// The header's P&L badge: the day's P&L the agent reports per account (GET /api/positions `days`: equity − the
// equity the day is measured from, the figure the daily loss limit uses), summed per currency. Only when the agent
// cannot know it (no account's equity could be read, or an agent too old to report it) does the badge fall back to
// the open positions' unrealised P&L, labelled "Open P&L" and saying why.
import Decimal from 'decimal.js';
import type { AccountDayView, PositionsView } from '../../../shared/api-types.js';
import { formatSigned, signOf, sumDecimals } from './format.js';
import { formatTime } from './format-time.js';

export interface PnlBadgeModel {
  /** "Day P&L", "Day P&L (2 of 3 accounts)" or "Open P&L". */
  label: string;
  /** The figure shown (one per currency, "+12.50 USD · -3.00 EUR" when the accounts' currencies differ); undefined
   *  while nothing is known. */
  value?: string;
  tone: 'pos' | 'neg' | 'zero';
  /** What the figure is, account by account, and what it leaves out. */
  title: string;
  /** The figure is the open positions' P&L, not the day's. */
  fallback: boolean;
}

const SOURCE: Record<AccountDayView['startFrom'], string> = {
  broker: "the broker's own start-of-day equity",
  first_reading: "the agent's first equity reading of the day",
  carried: 'the day that was running when the trading-day setting changed',
};

function line(d: AccountDayView, name: string): string {
  const read = d.startFrom !== 'broker' && d.startReadAt ? ` at ${formatTime(d.startReadAt)}` : '';
  return `${name}: ${formatSigned(d.dayPnl)} ${d.currency} since ${formatTime(d.dayStart)} (day starting ${d.startsAt} ${d.timeZone}), from ${d.dayStartEquity}, ${SOURCE[d.startFrom]}${read}`;
}

/** The badge for the positions answer (undefined while it loads); `names` by account id, for the explanation. */
export function pnlBadge(view: PositionsView | undefined, names: Readonly<Record<string, string>> = {}): PnlBadgeModel {
  const name = (id: string) => names[id] ?? id;
  if (!view) return { label: 'Day P&L', tone: 'zero', title: 'Loading…', fallback: false };
  const days = view.days ?? [];
  const counted = new Set(days.map((d) => d.accountId));
  const notCounted = [...new Set([...view.errors.map((e) => e.accountId), ...view.items.map((p) => p.accountId)])].filter((id) => !counted.has(id));
  if (days.length > 0) {
    const byCurrency = new Map<string, Decimal>();
    for (const d of days) byCurrency.set(d.currency, (byCurrency.get(d.currency) ?? new Decimal(0)).plus(d.dayPnl));
    const sums = [...byCurrency].map(([currency, sum]) => ({ currency, sum: sum.toFixed() }));
    const one = sums.length === 1 ? sums[0]!.sum : undefined;
    const tones = new Set(sums.map((s) => signOf(s.sum)));
    const lines = days.map((d) => line(d, name(d.accountId)));
    if (notCounted.length > 0) lines.push(`Not counted, their equity could not be read: ${notCounted.map(name).join(', ')}.`);
    return {
      label: notCounted.length > 0 ? `Day P&L (${days.length} of ${days.length + notCounted.length} accounts)` : 'Day P&L',
      value: one !== undefined ? formatSigned(one) : sums.map((s) => `${formatSigned(s.sum)} ${s.currency}`).join(' · '),
      tone: tones.size === 1 ? [...tones][0]! : 'zero',
      title: lines.join('\n'),
      fallback: false,
    };
  }
  const open = sumDecimals(view.items.map((p) => p.unrealizedPnl));
  const why =
    view.days === undefined
      ? "This agent does not report the day's P&L"
      : notCounted.length > 0
        ? `The day's P&L is not known: no account's equity could be read (${notCounted.map(name).join(', ')})`
        : "No broker account is connected, so there is no day's P&L";
  return { label: 'Open P&L', value: open === undefined ? undefined : formatSigned(open), tone: signOf(open), title: `${why}; this is the unrealised P&L of open positions.`, fallback: true };
}
