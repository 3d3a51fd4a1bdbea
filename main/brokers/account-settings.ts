// What an account of each real broker needs in its settings (docs/brokers.md). Checked when the account is
// created, so a missing setting is answered 400 VALIDATION_FAILED naming the field, before anything is stored or
// any broker is called. Kept apart from factory.ts, which loads every adapter (CCXT among them).

/** A problem with one field, in the control API's validation shape (`{path, message}`). */
export interface SettingsIssue {
  path: string;
  message: string;
}

/** Environment names each broker accepts (lower case), and what the adapter calls them. */
export const ALPACA_ENVIRONMENTS = { paper: 'paper', live: 'live' } as const;
export const OANDA_ENVIRONMENTS = { practice: 'practice', demo: 'practice', live: 'live' } as const;
export const CCXT_ENVIRONMENTS = { live: 'live', sandbox: 'sandbox', testnet: 'sandbox' } as const;

const ENVIRONMENTS: Record<string, Readonly<Record<string, string>>> = {
  alpaca: ALPACA_ENVIRONMENTS,
  oanda: OANDA_ENVIRONMENTS,
  ccxt: CCXT_ENVIRONMENTS,
};

/** Settings (`config` fields) a broker cannot work without, with what the trader should put there. */
const REQUIRED_SETTINGS: Record<string, readonly { field: string; what: string }[]> = {
  oanda: [{ field: 'accountId', what: 'the OANDA v20 account id, e.g. 101-001-1234567-001' }],
  ccxt: [{ field: 'exchange', what: 'a CCXT exchange id, e.g. binance' }],
};

const filled = (v: unknown): boolean => typeof v === 'string' && v.trim().length > 0;

/** Every problem with a real broker account's environment and settings; empty for a usable account (and for paper). */
export function accountSettingsIssues(broker: string, environment: string, config: Record<string, unknown>): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  const environments = ENVIRONMENTS[broker];
  if (environments && !Object.prototype.hasOwnProperty.call(environments, environment.toLowerCase())) {
    issues.push({ path: '/environment', message: `must be one of ${Object.keys(environments).join(', ')} for ${broker}` });
  }
  for (const { field, what } of REQUIRED_SETTINGS[broker] ?? []) {
    if (!filled(config[field])) issues.push({ path: `/config/${field}`, message: `is required for ${broker}: ${what}` });
  }
  return issues;
}
