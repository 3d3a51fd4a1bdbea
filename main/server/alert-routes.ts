// Trying alerts without trading: the template check (every problem, and the signal it would become) and the
// simulator (what the engines would do with this alert now, with every risk rule's verdict; no order is sent).
import type express from 'express';
import type { StrategyRepo } from '../store/strategies.js';
import type { AccountRepo } from '../store/accounts.js';
import type { OrderRepo } from '../store/orders.js';
import type { AccountDayRepo } from '../store/account-days.js';
import type { OrderRouter } from '../orders/router.js';
import type { TradingStateService } from '../trading-state.js';
import { ApiFailure, check } from './control.js';
import { alertCheckSchema, replaySchema, simulateSchema } from '../../shared/schemas/api.js';
import { replaySignals, type ReplayEntry } from '../strategy/replay.js';
import { DEFAULT_STRATEGY_CONFIG, DEFAULT_SYMBOL_MAPPING } from '../../shared/strategy-config.js';
import { DEFAULT_RISK_RULES } from '../../shared/risk-rules.js';
import type { SignalRepo } from '../store/signals.js';
import { checkAlertTemplate } from '../signals/parse/check.js';
import { parseAlert } from '../signals/parse/index.js';
import { planForAccount, checkRisk, type AccountSettings, type StrategySettings } from '../signals/decide.js';

export interface AlertRouteDeps {
  signals?: SignalRepo;
  strategies: StrategyRepo;
  accounts: AccountRepo;
  orders: OrderRepo;
  accountDays: AccountDayRepo;
  router: OrderRouter;
  tradingState: TradingStateService;
}

export function mountAlertRoutes(r: express.Router, d: AlertRouteDeps): void {
  // The broker catalogue: the crypto exchanges are CCXT's own list, so every exchange it supports is offered.
  r.get('/brokers', async (_req, res) => {
    const { listCcxtExchanges } = await import('../brokers/ccxt/exchange.js'); // loaded on demand: CCXT is large
    res.json({ items: ['paper', 'alpaca', 'oanda', 'ccxt'], ccxtExchanges: listCcxtExchanges() });
  });

  r.post('/alerts/check', (req, res) => {
    const body = check<{ text: string; alertType?: 'strategy' | 'indicator' }>(alertCheckSchema, req.body);
    res.json(checkAlertTemplate(body.text, { alertType: body.alertType }));
  });

  r.post('/signals/simulate', async (req, res) => {
    const body = check<{ strategyId: string; text: string; contentType?: string }>(simulateSchema, req.body);
    const strategy = d.strategies.get(body.strategyId);
    if (!strategy) throw new ApiFailure('NOT_FOUND', `No strategy ${body.strategyId}.`);
    const parsed = parseAlert(body.text, body.contentType);
    if (!parsed.ok) {
      res.json({ parse: { ok: false, code: parsed.code, message: parsed.message, field: parsed.field }, accounts: [] });
      return;
    }
    const now = new Date().toISOString();
    const accounts = [];
    for (const accountId of strategy.accountIds) {
      const adapter = d.router.adapter(accountId);
      const account = d.accounts.get(accountId);
      if (!adapter || !account) {
        accounts.push({ accountId, outcome: 'denied', code: 'ACCOUNT_UNAVAILABLE' });
        continue;
      }
      const strategySettings = strategy.config as StrategySettings;
      const accountSettings = account.config as AccountSettings;
      const facts = await planForAccount({ signal: parsed.signal, accountId, adapter, orders: d.orders, accountDays: d.accountDays, strategySettings, accountSettings, now, strategyId: strategy.id });
      if (facts.plan.kind === 'denied') {
        accounts.push({ accountId, outcome: 'denied', code: facts.plan.denial.code, detail: facts.plan.denial.detail, position: facts.position, drift: facts.plan.drift, warnings: facts.plan.warnings });
        continue;
      }
      const state = d.tradingState.effective(accountId).state;
      const global = d.tradingState.view().state;
      const intents = facts.plan.intents.map((intent) => ({
        intent,
        verdict: checkRisk({ intent, assetClass: facts.assetClass, state: { global, account: state }, accountSettings, strategySettings, context: facts.context, now }),
      }));
      const denied = intents.find((i) => !i.verdict.allowed);
      accounts.push({
        accountId,
        outcome: denied ? 'denied' : 'orders',
        code: denied?.verdict.denial?.code,
        detail: denied?.verdict.denial?.detail,
        position: facts.position,
        symbol: facts.symbol,
        approval: facts.plan.approval,
        cancelOpenOrdersFirst: facts.plan.cancelOpenOrdersFirst,
        intents,
        drift: facts.plan.drift,
        warnings: facts.plan.warnings,
      });
    }
    res.json({ parse: { ok: true, signal: parsed.signal, warnings: parsed.warnings }, accounts });
  });

  // Replay: the stored signals of a period through today's strategy and risk rules; what would differ.
  r.post('/signals/replay', async (req, res) => {
    const body = check<{ strategyId: string; accountId?: string; from?: string; to?: string; positions?: Record<string, string> }>(replaySchema, req.body);
    const strategy = d.strategies.get(body.strategyId);
    if (!strategy || !d.signals) throw new ApiFailure('NOT_FOUND', `No strategy ${body.strategyId}.`);
    const accountId = body.accountId ?? strategy.accountIds[0];
    const account = accountId ? d.accounts.get(accountId) : undefined;
    const adapter = accountId ? d.router.adapter(accountId) : undefined;
    if (!account || !adapter || !strategy.accountIds.includes(account.id)) throw new ApiFailure('NOT_FOUND', 'The strategy does not trade that account, or it is not connected.');
    const from = body.from ?? '0000';
    const to = body.to ?? '9999';
    const stored = d.signals
      .list({ strategyId: strategy.id, limit: 5000 })
      .filter((s) => s.parsed && s.receivedAt >= from && s.receivedAt <= to && (s.status === 'done' || s.status === 'denied'))
      .reverse();
    const entries: ReplayEntry[] = stored.map((s) => {
      const orders = d.orders.list({ signalId: s.id, accountId: account.id, sort: 'created_at', direction: 'asc' }).items;
      const decision = d.signals!.decisions(s.id).find((x) => x.accountId === account.id && x.verdict === 'denied');
      return {
        signalId: s.id,
        signal: s.parsed!,
        at: s.processedAt ?? s.receivedAt,
        lastPrice: s.parsed!.price,
        recorded:
          orders.length > 0
            ? { outcome: 'orders', orders: orders.map((o) => ({ leg: (d.orders.request(o.id)?.leg ?? 'entry') as 'entry', side: o.side, quantity: o.quantity })) }
            : { outcome: 'denied', code: (decision?.code ?? s.code) as ReplayEntry['recorded']['code'] },
      };
    });
    const snapshot = await adapter.account();
    const settings = strategy.config as StrategySettings;
    const accountSettings = account.config as AccountSettings;
    const differences = replaySignals(
      entries,
      // The replay knows no instrument: each is taken as priced in the account's currency, one unit per contract.
      { positions: body.positions ?? {}, account: { equity: snapshot.equity, buyingPower: snapshot.buyingPower, currency: snapshot.currency }, instruments: {}, defaultInstrument: { assetClass: 'other', lotSize: '0.000001', tickSize: '0.0001', minQuantity: '0.000001', quoteCurrency: snapshot.currency, contractSize: '1' } },
      {
        strategy: { ...DEFAULT_STRATEGY_CONFIG, ...(settings.strategy ?? {}) },
        accountOverride: settings.accounts?.[account.id],
        broker: adapter.broker,
        symbolTable: { ...DEFAULT_SYMBOL_MAPPING, entries: [...(accountSettings.symbolMapping ?? []), ...DEFAULT_SYMBOL_MAPPING.entries] },
        riskRules: { ...DEFAULT_RISK_RULES, ...(accountSettings.risk ?? {}) },
        strategyRiskRules: settings.risk,
      },
    );
    res.json({ strategyId: strategy.id, accountId: account.id, replayed: entries.length, assumedStartPositions: body.positions ?? {}, differences });
  });
}
