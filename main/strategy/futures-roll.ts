// Continuous futures (`ES1!`, `NQ2!`) are chart symbols, not tradable contracts: the N-th contract is picked by
// a roll rule and the date. The contract rolls `rollDaysBefore` calendar days before its expiry (the exchange's
// last trading day, or the first notice day for physically delivered contracts), so the agent moves to the next
// contract before liquidity leaves the old one. Dates are UTC calendar dates.
import type { FuturesRollRule } from '../../shared/strategy-config.js';
import { businessDayOnOrBefore, businessDaysBefore, isBusinessDay, nthWeekday } from './exchange-calendar.js';

export const MONTH_CODES = 'FGHJKMNQUVXZ';

const DAY_MS = 86_400_000;

export interface ContractMonth {
  year: number;
  /** 1..12 */
  month: number;
  code: string;
  expiry: string;
  rollDate: string;
}

export function parseContinuous(symbol: string): { root: string; n: number } | undefined {
  const m = /^([A-Z0-9]{1,6}?)([1-9])!$/.exec(symbol);
  if (!m || !m[1] || !m[2]) return undefined;
  return { root: m[1], n: Number(m[2]) };
}

/** The last business day of a month (month 0 is December of the year before). */
const lastBusinessDayOf = (year: number, month: number) => businessDayOnOrBefore(Date.UTC(year, month, 0));

/**
 * The date (UTC midnight, ms) the agent must be out of the year/month contract by, under the rule's exchange
 * rule. Business days skip weekends and the exchange holidays of exchange-calendar.ts.
 */
export function expiryOf(year: number, month: number, rule: FuturesRollRule): number {
  switch (rule.expiry) {
    case 'third_friday':
      return nthWeekday(year, month, 5, 3);
    case 'last_business_day':
      return lastBusinessDayOf(year, month);
    case 'crude_oil_25th': {
      // NYMEX CL: 3 business days before the 25th of the month before the contract month; when the 25th is not
      // a business day, 3 business days before the business day preceding the 25th.
      const the25th = Date.UTC(year, month - 2, 25);
      const anchor = isBusinessDay(the25th) ? the25th : businessDayOnOrBefore(the25th - DAY_MS);
      return businessDaysBefore(anchor, 3);
    }
    case 'third_last_business_day_prior_month':
      return businessDaysBefore(lastBusinessDayOf(year, month - 1), 2);
    case 'fx_third_wednesday':
      return businessDaysBefore(nthWeekday(year, month, 3, 3), 2);
    case 'first_notice_day':
      return lastBusinessDayOf(year, month - 1);
  }
}

/** The n-th (1 = front) contract that has not yet rolled at `now`. */
export function nthContract(rule: FuturesRollRule, now: string, n: number): ContractMonth | undefined {
  const t = Date.parse(now);
  if (Number.isNaN(t) || n < 1) return undefined;
  const today = new Date(t);
  const todayStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  let found = 0;
  let year = today.getUTCFullYear();
  let month = today.getUTCMonth() + 1;
  for (let i = 0; i < 48; i++) {
    const code = MONTH_CODES[month - 1] ?? '';
    if (rule.months.includes(code)) {
      const expiry = expiryOf(year, month, rule);
      const roll = expiry - rule.rollDaysBefore * DAY_MS;
      // On the roll date itself the next contract is already the front one.
      if (todayStart < roll) {
        found += 1;
        if (found === n) {
          return { year, month, code, expiry: new Date(expiry).toISOString().slice(0, 10), rollDate: new Date(roll).toISOString().slice(0, 10) };
        }
      }
    }
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return undefined;
}

export function formatContract(root: string, contract: ContractMonth, format: string): string {
  const yyyy = String(contract.year);
  return format
    .replaceAll('{root}', root)
    .replaceAll('{month}', contract.code)
    .replaceAll('{yyyy}', yyyy)
    .replaceAll('{yy}', yyyy.slice(-2))
    .replaceAll('{y}', yyyy.slice(-1));
}
