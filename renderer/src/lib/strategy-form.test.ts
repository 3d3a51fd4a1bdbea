import { describe, expect, it } from 'vitest';
import type { StrategyView } from '../../../shared/api-types.js';
import { errorsByField, formToUpdate, mergeConfig, newStrategyBody, riskSummary, strategyToForm } from './strategy-form.js';

const strategy = (extra: Partial<StrategyView> = {}): StrategyView => ({
  id: 'str_1',
  name: 'Trend',
  webhookId: 'wh_1',
  webhookUrl: 'http://127.0.0.1:1/webhook/wh_1',
  accountIds: ['acc_a'],
  enabled: true,
  hasPassphrase: true,
  config: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

// A config with keys the form never shows: per-account overrides, intake limits, trading windows, brackets and a
// risk rule without an input.
const rich = {
  strategy: {
    sides: 'long',
    tradingWindows: { timezone: 'Europe/Berlin', windows: [{ days: ['mon'], start: '09:00', end: '17:00' }], allowExitsOutside: true },
    stopLoss: { percent: '2' },
    approval: { mode: 'auto', timeoutSeconds: 120 },
  },
  accounts: { acc_a: { allowAdd: true } },
  risk: { blockedSymbols: ['GME'], maxDailyLoss: '500', cooldownAfterExitSeconds: 30 },
  intake: { ipAllowlist: ['52.89.214.238'], rateLimit: { perSecond: 5, burst: 10 } },
};

describe('strategy form ↔ PUT /api/strategies/:id', () => {
  it('an unchanged form sends nothing (the agent refuses an empty PUT)', () => {
    const s = strategy({ config: rich });
    expect(formToUpdate(s, strategyToForm(s))).toEqual({ body: {}, errors: [] });
    const bare = strategy();
    expect(formToUpdate(bare, strategyToForm(bare))).toEqual({ body: {}, errors: [] });
  });

  it('saving keeps every config key the form does not show, exactly as it was', () => {
    const s = strategy({ config: structuredClone(rich) });
    const f = { ...strategyToForm(s), approvalMode: 'manual' as const, risk: { ...strategyToForm(s).risk, maxPositionPerSymbol: '100' } };
    const { body, errors } = formToUpdate(s, f);
    expect(errors).toEqual([]);
    expect(body.config).toEqual({
      strategy: { ...rich.strategy, approval: { mode: 'manual', timeoutSeconds: 120 } },
      accounts: rich.accounts,
      risk: { ...rich.risk, maxPositionPerSymbol: '100' },
      intake: rich.intake,
    });
    // The strategy shown is not changed in place.
    expect(s.config).toEqual(rich);
  });

  it('empty number inputs never send "": a cleared risk limit is removed (the account rule applies), cleared ages go back to the default', () => {
    const s = strategy({ config: { strategy: { maxAlertAgeSeconds: 30 }, risk: { maxDailyLoss: '500', maxOrdersPerMinute: 5 } } });
    const form = strategyToForm(s);
    expect(form.risk.maxDailyLoss).toBe('500');
    expect(form.risk.maxOrdersPerMinute).toBe('5');
    const { body, errors } = formToUpdate(s, { ...form, maxAlertAgeSeconds: '', approvalTimeoutSeconds: '  ', risk: { ...form.risk, maxDailyLoss: '', maxOrdersPerMinute: ' ' } });
    expect(errors).toEqual([]);
    expect(body.config).toEqual({ strategy: {}, risk: {} });
    expect(JSON.stringify(body)).not.toContain('""');
  });

  it('integers go as JSON numbers and decimals as decimal strings, trimmed', () => {
    const s = strategy();
    const form = strategyToForm(s);
    const { body, errors } = formToUpdate(s, { ...form, maxAlertAgeSeconds: ' 15 ', sizingMethod: 'dollar_amount', sizingAmount: '250.50', risk: { ...form.risk, maxOrdersPerMinute: '3', maxDailyLoss: ' 1000.25 ' } });
    expect(errors).toEqual([]);
    expect(body.config).toEqual({ strategy: { sizing: { method: 'dollar_amount', amount: '250.50' }, maxAlertAgeSeconds: 15 }, risk: { maxOrdersPerMinute: 3, maxDailyLoss: '1000.25' } });
  });

  it('bad numbers are refused before sending, each with the API path of its field', () => {
    const s = strategy();
    const form = strategyToForm(s);
    const { errors } = formToUpdate(s, { ...form, sizingAmount: '', maxAlertAgeSeconds: '1.5', risk: { ...form.risk, maxDailyLoss: '-5', maxOrdersPerMinute: 'ten', maxPositionPerSymbol: '1,000' } });
    expect(errors.map((e) => e.path).sort()).toEqual(['/config/risk/maxDailyLoss', '/config/risk/maxOrdersPerMinute', '/config/risk/maxPositionPerSymbol', '/config/strategy/maxAlertAgeSeconds', '/config/strategy/sizing/amount']);
  });

  it('only changed top-level fields are sent; defaults the trader did not change are not written into the config', () => {
    const s = strategy({ accountIds: ['acc_a', 'acc_b'] });
    const form = strategyToForm(s);
    const { body } = formToUpdate(s, { ...form, name: ' Trend v2 ', accountIds: ['acc_b', 'acc_a'], enabled: false, approvalMode: 'manual' });
    expect(body).toEqual({ name: 'Trend v2', enabled: false, config: { strategy: { approval: { mode: 'manual', timeoutSeconds: 300 } } } });
  });

  it('passphrase: kept unless set (8+ characters) or removed (null); an empty name or no account is refused', () => {
    const s = strategy();
    const form = strategyToForm(s);
    expect(form.passphrase).toBe('');
    expect(formToUpdate(s, { ...form, passphraseAction: 'set', passphrase: 'new-secret-1' }).body).toEqual({ passphrase: 'new-secret-1' });
    expect(formToUpdate(s, { ...form, passphraseAction: 'set', passphrase: 'short' }).errors).toEqual([{ path: '/passphrase', message: 'must be at least 8 characters' }]);
    expect(formToUpdate(s, { ...form, passphraseAction: 'set', passphrase: 'x'.repeat(201) }).errors).toEqual([{ path: '/passphrase', message: 'must be at most 200 characters' }]);
    expect(formToUpdate(s, { ...form, passphraseAction: 'set', passphrase: 'x'.repeat(200) }).body).toEqual({ passphrase: 'x'.repeat(200) });
    expect(formToUpdate(s, { ...form, passphraseAction: 'remove' }).body).toEqual({ passphrase: null });
    expect(formToUpdate(strategy({ hasPassphrase: false }), { ...form, passphraseAction: 'remove' }).body).toEqual({});
    expect(formToUpdate(s, { ...form, name: '  ', accountIds: [] }).errors.map((e) => e.path)).toEqual(['/name', '/accountIds']);
  });

  it('a new strategy: name trimmed, no passphrase when empty, and each field the agent would refuse named before sending', () => {
    expect(newStrategyBody({ name: ' Trend ', accountIds: ['acc_a'], passphrase: '' })).toEqual({ body: { name: 'Trend', accountIds: ['acc_a'] }, errors: [] });
    expect(newStrategyBody({ name: 'Trend', accountIds: ['acc_a'], passphrase: 'long-enough' }).body).toEqual({ name: 'Trend', accountIds: ['acc_a'], passphrase: 'long-enough' });
    expect(newStrategyBody({ name: '  ', accountIds: [], passphrase: 'short' }).errors).toEqual([
      { path: '/name', message: 'is required' },
      { path: '/accountIds', message: 'pick at least one account' },
      { path: '/passphrase', message: 'must be at least 8 characters' },
    ]);
    expect(newStrategyBody({ name: 'T', accountIds: ['acc_a'], passphrase: 'x'.repeat(201) }).errors).toEqual([{ path: '/passphrase', message: 'must be at most 200 characters' }]);
  });

  it('mergeConfig leaves a strategy setting that was stored equal to the default in place (it was chosen)', () => {
    const current = { strategy: { allowAdd: false } };
    const merged = mergeConfig(current, strategyToForm(strategy({ config: current })));
    expect(merged).toEqual({ strategy: { allowAdd: false } });
  });
});

describe('agent errors beside their fields', () => {
  it('places each error at its field or the nearest one, and keeps the rest for the form top', () => {
    const map = errorsByField([
      { path: '/config/risk/maxOrdersPerMinute', message: 'must be >= 0' },
      { path: '/config/strategy/maxAlertAgeSeconds', message: 'must be >= 1' },
      { path: '/config/strategy/approval', message: "must have required property 'mode'" },
      { path: '/accountIds', message: 'unknown account acc_x' },
      { path: '/config/strategy', message: 'unknown field "foo"' },
      { path: '/', message: 'must NOT have fewer than 1 properties' },
    ]);
    expect(map.get('risk.maxOrdersPerMinute')).toEqual(['must be >= 0']);
    expect(map.get('maxAlertAgeSeconds')).toEqual(['must be >= 1']);
    expect(map.get('approvalMode')).toEqual(["must have required property 'mode'"]);
    expect(map.get('accountIds')).toEqual(['unknown account acc_x']);
    expect(map.get('')).toEqual(['unknown field "foo"', 'must NOT have fewer than 1 properties']);
  });
});

describe('risk summary on the strategy page', () => {
  it("shows the strategy's overrides, the account's rule otherwise, and overrides the form has no input for", () => {
    const rows = riskSummary({ risk: { maxDailyLoss: '500', lossLimitAction: 'reduce', blockedSymbols: ['GME'] } });
    expect(rows.find((r) => r.key === 'maxDailyLoss')).toMatchObject({ value: '500', source: 'strategy' });
    expect(rows.find((r) => r.key === 'maxOrdersPerMinute')).toMatchObject({ value: "the account's rule (default 30)", source: 'account default' });
    expect(rows.find((r) => r.key === 'maxPositionPerSymbol')?.value).toContain('off unless set');
    expect(rows.find((r) => r.key === 'lossLimitAction')).toMatchObject({ value: 'reduce', source: 'strategy' });
    expect(rows.find((r) => r.key === 'blockedSymbols')).toMatchObject({ value: '["GME"]', source: 'strategy' });
  });

  it('shows a strategy\'s own trading day in words, once', () => {
    const rows = riskSummary({ risk: { tradingDay: { timeZone: 'America/New_York', startsAt: '17:00' } } });
    expect(rows.filter((r) => r.key === 'tradingDay')).toEqual([{ key: 'tradingDay', label: 'The day of the daily limits starts at', value: '17:00 America/New_York', source: 'strategy' }]);
  });
});
