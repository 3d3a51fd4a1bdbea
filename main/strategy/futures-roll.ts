// Continuous futures (`ES1!`, `NQ2!`) are chart symbols, not tradable contracts: the N-th contract is picked by
// a roll rule and the date. The contract rolls `rollDaysBefore` calendar days before its expiry, so the agent
// moves to the next contract before liquidity leaves the old one. Dates are UTC calendar dates.
import type { FuturesRollRule } from '../../shared/strategy-config.js';

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

/** Expiry date (UTC midnight, ms) of the contract for year/month under the rule. */
export function expiryOf(year: number, month: number, rule: FuturesRollRule): number {
  if (rule.expiry === 'third_friday') {
    const firstDow = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    const firstFriday = 1 + ((5 - firstDow + 7) % 7);
    return Date.UTC(year, month - 1, firstFriday + 14);
  }
  let day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  for (;;) {
    const dow = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    if (dow !== 0 && dow !== 6) return Date.UTC(year, month - 1, day);
    day -= 1;
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
