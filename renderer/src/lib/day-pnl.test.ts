import { describe, expect, it } from 'vitest';
import { pnlBadge } from './day-pnl.js';
import { formatTime } from './format-time.js';
import type { AccountDayView, PositionsView } from '../../../shared/api-types.js';

const day = (accountId: string, fields: Partial<AccountDayView> = {}): AccountDayView => ({
  accountId,
  currency: 'USD',
  equity: '99900',
  dayPnl: '-100',
  dayStartEquity: '100000',
  dayHighEquity: '100000',
  dayStart: '2026-01-06T22:00:00.000Z',
  dayEnd: '2026-01-07T22:00:00.000Z',
  timeZone: 'America/New_York',
  startsAt: '17:00',
  startFrom: 'first_reading',
  startReadAt: '2026-01-06T22:04:00.000Z',
  ...fields,
});
const position = (accountId: string, unrealizedPnl: string) => ({ accountId, symbol: 'ES', quantity: '1', averagePrice: '5000', unrealizedPnl });
const names = { acc1: 'Futures', acc2: 'Alpaca', acc3: 'OANDA' };

describe('the P&L badge', () => {
  it('shows the day\'s P&L the agent reports, not the open P&L, and says what it is measured from', () => {
    const view: PositionsView = { items: [position('acc1', '250')], errors: [], days: [day('acc1'), day('acc2', { dayPnl: '40.5', startFrom: 'broker', timeZone: 'UTC', startsAt: '00:00' })] };
    const badge = pnlBadge(view, names);
    expect(badge).toMatchObject({ label: 'Day P&L', value: '-59.50', tone: 'neg', fallback: false });
    expect(badge.title.split('\n')).toEqual([
      `Futures: -100.00 USD since ${formatTime('2026-01-06T22:00:00.000Z')} (day starting 17:00 America/New_York), from 100000, the agent's first equity reading of the day at ${formatTime('2026-01-06T22:04:00.000Z')}`,
      `Alpaca: +40.50 USD since ${formatTime('2026-01-06T22:00:00.000Z')} (day starting 00:00 UTC), from 100000, the broker's own start-of-day equity`,
    ]);
  });

  it('a day carried over a change of the setting says so', () => {
    expect(pnlBadge({ items: [], errors: [], days: [day('acc1', { startFrom: 'carried' })] }, names).title).toMatch(/the day that was running when the trading-day setting changed/);
  });

  it('names the accounts it could not count, and keeps currencies apart', () => {
    const view: PositionsView = {
      items: [position('acc3', '-5')],
      errors: [{ accountId: 'acc2', code: 'BROKER_UNREACHABLE', message: 'down' }],
      days: [day('acc1', { dayPnl: '12.5' }), day('acc4', { dayPnl: '-3', currency: 'EUR' })],
    };
    const badge = pnlBadge(view, names);
    expect(badge).toMatchObject({ label: 'Day P&L (2 of 4 accounts)', value: '+12.50 USD · -3.00 EUR', tone: 'zero' });
    expect(badge.title).toMatch(/Not counted, their equity could not be read: Alpaca, OANDA\.$/);
  });

  it('falls back to the open P&L only when the agent cannot know the day\'s, and says why', () => {
    const old = pnlBadge({ items: [position('acc1', '25'), position('acc2', '-5')], errors: [] }, names);
    expect(old).toMatchObject({ label: 'Open P&L', value: '+20.00', tone: 'pos', fallback: true });
    expect(old.title).toBe("This agent does not report the day's P&L; this is the unrealised P&L of open positions.");
    const unread = pnlBadge({ items: [position('acc1', '-7')], errors: [{ accountId: 'acc2', code: 'BROKER_UNREACHABLE', message: 'down' }], days: [] }, names);
    expect(unread).toMatchObject({ label: 'Open P&L', value: '-7.00', tone: 'neg', fallback: true });
    expect(unread.title).toBe("The day's P&L is not known: no account's equity could be read (Alpaca, Futures); this is the unrealised P&L of open positions.");
    expect(pnlBadge({ items: [], errors: [], days: [] }).title).toMatch(/^No broker account is connected/);
  });

  it('a flat day is 0.00, without a sign or a colour', () => {
    expect(pnlBadge({ items: [], errors: [], days: [day('acc1', { dayPnl: '0', equity: '100000' })] })).toMatchObject({ label: 'Day P&L', value: '0.00', tone: 'zero' });
  });

  it('shows nothing yet while the positions load', () => {
    const loading = pnlBadge(undefined);
    expect([loading.value, loading.fallback, loading.label]).toEqual([undefined, false, 'Day P&L']);
  });
});
