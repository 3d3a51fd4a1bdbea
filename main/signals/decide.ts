// Gathers one account's facts from its broker adapter and the stores (I/O), then asks the pure engines what to
// do: the strategy engine turns the signal into order intents, the risk engine allows or denies each one.
import { Decimal } from 'decimal.js';
import type { BrokerAdapter, BrokerOrder, InstrumentInfo, Position } from '../brokers/port.js';
import { equitySession } from './market-session.js';
import type { OrderRepo } from '../store/orders.js';
import type { AccountDayRepo } from '../store/account-days.js';
import type { OrderView } from '../../shared/api-types.js';
import type { Signal } from '../../shared/signal.js';
import type { TradingState } from '../../shared/trading-state.js';
import type { SendRefusal } from '../orders/submit.js';
import type { TradingStateService } from '../trading-state.js';
import { planSignal, mapSymbol, type PlanResult } from '../strategy/index.js';
import { evaluateRisk, tradingDayAt, type RiskVerdict, type RiskContext } from '../risk/index.js';
import type { OrderIntent } from '../strategy/types.js';
import type { AssetClass } from '../strategy/broker-view.js';
import type { ValuationFacts } from '../strategy/valuation.js';
import { DEFAULT_STRATEGY_CONFIG, DEFAULT_SYMBOL_MAPPING, type StrategyConfig, type StrategyAccountOverride, type SymbolMappingTable, type SymbolMappingEntry } from '../../shared/strategy-config.js';
import { DEFAULT_RISK_RULES, resolveRiskRules, type RiskRules, type RiskRulesOverride } from '../../shared/risk-rules.js';

/** Where a strategy's and an account's settings live in their `config` JSON. */
export interface StrategySettings {
  strategy?: Partial<StrategyConfig>;
  accounts?: Record<string, StrategyAccountOverride>;
  risk?: RiskRulesOverride;
}
export interface AccountSettings {
  risk?: Partial<RiskRules>;
  symbolMapping?: SymbolMappingEntry[];
}

export interface AccountFacts {
  broker: string;
  assetClass: AssetClass;
  symbol: string;
  position: string;
  context: RiskContext;
  plan: PlanResult;
  /** The orders this alert placed on the account in an earlier run cut short by a crash (none on a first run). */
  own: OrderView[];
}

/** What the risk engine's rate and duplicate rules need, read through the (account, created_at) index: the
 *  counts of the last minute and the day (counted in SQL, however busy the day), and the orders of the duplicate
 *  window (any of them may match the symbol and side). */
function rateAndDuplicateFacts(orders: OrderRepo, accountId: string, now: string, dayStart: string, rules: RiskRules): Pick<RiskContext, 'recentOrders' | 'orderCounts'> {
  const nowMs = Date.parse(now);
  const rate = rules.maxOrdersPerMinute !== undefined || rules.maxOrdersPerDay !== undefined;
  const orderCounts = rate ? orders.countRecent(accountId, now, new Date(nowMs - 60_000).toISOString(), dayStart) : undefined;
  const dupSeconds = rules.duplicateWindowSeconds ?? 0;
  const recent = dupSeconds > 0 ? orders.recentForAccount(accountId, new Date(nowMs - dupSeconds * 1000).toISOString(), 5000) : [];
  return { recentOrders: recent, orderCounts };
}

/** When an exit last filled, and when one last filled at a loss, inside the cooldown windows: a fill of a reduce-only
 *  order or a bracket child starts the cooldown after an exit; one below the long's (above the short's) average
 *  price also starts the cooldown after a loss. A placed, canceled or rejected exit starts neither. */
function cooldownFacts(orders: OrderRepo, accountId: string, now: string, rules: RiskRules, signalId?: string): Pick<RiskContext, 'lastExitAt' | 'lastLossAt'> {
  const seconds = Math.max(rules.cooldownAfterExitSeconds ?? 0, rules.cooldownAfterLossSeconds ?? 0);
  if (seconds <= 0) return {};
  // The alert's own exit (a reversal's, filled before a crash) does not start a cooldown for its entry.
  const exits = orders.exitFills(accountId, new Date(Date.parse(now) - seconds * 1000).toISOString()).filter((f) => signalId === undefined || f.signalId !== signalId);
  const loss = exits.find((f) => f.entryPrice !== undefined && (f.side === 'sell' ? new Decimal(f.price).lt(f.entryPrice) : new Decimal(f.price).gt(f.entryPrice)));
  return { lastExitAt: exits[0]?.time, lastLossAt: loss?.time };
}

/** The account's mapping table: its own rows first, then the defaults. */
function mappingTable(accountSettings: AccountSettings): SymbolMappingTable {
  return { ...DEFAULT_SYMBOL_MAPPING, entries: [...(accountSettings.symbolMapping ?? []), ...DEFAULT_SYMBOL_MAPPING.entries] };
}

/** The symbol the alert's orders carry at this account's broker (the alert's own when it does not map). */
export function brokerSymbol(signal: Pick<Signal, 'symbol' | 'exchange'>, broker: string, accountSettings: AccountSettings, now: string): string {
  const mapped = mapSymbol({ symbol: signal.symbol, exchange: signal.exchange }, broker, mappingTable(accountSettings), now);
  return mapped.ok ? mapped.symbol : signal.symbol;
}

/** Whose trading-day setting the day follows (AccountDayRepo's scope): the account's, unless the strategy sets its own. */
export function dayScope(strategySettings: StrategySettings, strategyId: string | undefined): string {
  return strategySettings.risk?.tradingDay === undefined ? 'account' : `strategy:${strategyId ?? 'unknown'}`;
}

export async function planForAccount(input: {
  signal: Signal;
  accountId: string;
  adapter: BrokerAdapter;
  orders: OrderRepo;
  /** The day's starting equity and high per account, kept across restarts. */
  accountDays: AccountDayRepo;
  strategySettings: StrategySettings;
  accountSettings: AccountSettings;
  now: string;
  /** The alert's signal id: a run resumed after a crash plans from the account as it was before the alert's own
   *  orders (see beforeOwnOrders). */
  signalId?: string;
  /** The strategy the alert came to: a strategy that sets its own `tradingDay` keeps its own days of the account. */
  strategyId?: string;
}): Promise<AccountFacts> {
  const { signal, adapter, accountId, now } = input;
  const table = mappingTable(input.accountSettings);
  const config: StrategyConfig = { ...DEFAULT_STRATEGY_CONFIG, ...(input.strategySettings.strategy ?? {}) };
  const mapped = mapSymbol({ symbol: signal.symbol, exchange: signal.exchange }, adapter.broker, table, now);
  const symbol = mapped.ok ? mapped.symbol : signal.symbol;
  const [brokerPositions, brokerOpenOrders, account, instrument] = await Promise.all([adapter.positions(), adapter.openOrders(), adapter.account(), adapter.instrument(symbol)]);
  const own = input.signalId === undefined ? [] : input.orders.forSignal(input.signalId, accountId);
  const { positions, openOrders } = beforeOwnOrders(brokerPositions, brokerOpenOrders, own);
  const position = positions.find((p) => p.symbol === symbol)?.quantity ?? '0';
  const lastPrices: Record<string, string> = {};
  for (const p of positions) if (p.marketPrice) lastPrices[p.symbol] = p.marketPrice;
  if (signal.price) lastPrices[symbol] = signal.price;
  const rules = resolveRiskRules({ ...DEFAULT_RISK_RULES, ...(input.accountSettings.risk ?? {}) }, input.strategySettings.risk);
  const tradingDay = tradingDayAt(now, rules.tradingDay);
  const day = input.accountDays.observe({ accountId, scope: dayScope(input.strategySettings, input.strategyId), day: tradingDay, equity: account.equity, brokerStart: account.dayStartEquity, now });
  const dayStart = tradingDay.start;
  const recent = rateAndDuplicateFacts(input.orders, accountId, now, dayStart, rules);
  const context: RiskContext = {
    positions: positions.map((p) => ({ symbol: p.symbol, quantity: p.quantity, averagePrice: p.averagePrice, marketPrice: p.marketPrice })),
    openOrders: openOrders.map((o) => ({ symbol: o.symbol, side: o.side, quantity: new Decimal(o.quantity).minus(o.filledQuantity).toString(), type: o.type, clientOrderId: o.clientOrderId })),
    equity: account.equity,
    dayStartEquity: day.start,
    dayEquityHigh: day.high,
    ...recent,
    lastPrices,
    marketHours: {},
    dayStart,
    accountCurrency: account.currency,
    instruments: await instrumentFacts(adapter, symbol, instrument, rules.maxGrossExposure !== undefined ? positions.map((p) => p.symbol) : []),
  };
  const session = await equitySession(adapter, new Date(now));
  if (session) context.marketHours.equity = session;
  Object.assign(context, cooldownFacts(input.orders, accountId, now, rules, input.signalId));
  const plan = planSignal({
    signal,
    config,
    accountOverride: input.strategySettings.accounts?.[accountId],
    broker: adapter.broker,
    symbolTable: table,
    position,
    openOrders: context.openOrders.filter((o) => o.symbol === symbol),
    account: { equity: account.equity, buyingPower: account.buyingPower, currency: account.currency },
    instrument,
    lastPrice: lastPrices[symbol],
    now,
  });
  return { broker: adapter.broker, assetClass: instrument.assetClass, symbol, position, context, plan, own };
}

/**
 * What one unit of each symbol is worth (currencies, contract size), for the notional and exposure rules: the
 * alert's symbol, and the held ones when the exposure limit is on (it values every position). A held symbol the
 * broker cannot describe is left out; the exposure rule then refuses rather than value it as price × quantity.
 */
async function instrumentFacts(adapter: BrokerAdapter, symbol: string, instrument: InstrumentInfo, held: readonly string[]): Promise<Record<string, ValuationFacts>> {
  const facts: Record<string, ValuationFacts> = { [symbol]: valuationFactsOf(instrument, symbol) };
  const others = [...new Set(held)].filter((s) => s !== symbol);
  const found = await Promise.all(others.map((s) => adapter.instrument(s).then((i) => valuationFactsOf(i, s), () => undefined)));
  for (const f of found) if (f) facts[f.symbol] = f;
  return facts;
}

function valuationFactsOf(i: InstrumentInfo, symbol: string): ValuationFacts {
  const f: ValuationFacts = { symbol };
  if (i.baseCurrency !== undefined) f.baseCurrency = i.baseCurrency;
  if (i.quoteCurrency !== undefined) f.quoteCurrency = i.quoteCurrency;
  if (i.contractSize !== undefined) f.contractSize = i.contractSize;
  return f;
}

/**
 * The account as it was before an alert's own orders: their fills taken out of the positions, and they (and the
 * bracket children the broker made for them) out of the open orders. A run of the alert resumed after a crash then
 * makes the plan its first run made, with the same legs and client order ids; it is never judged against the
 * position it opened itself (an entry is not an add to itself, and an exit that filled is not followed by an entry
 * from flat).
 */
export function beforeOwnOrders(positions: readonly Position[], openOrders: readonly BrokerOrder[], own: readonly OrderView[]): { positions: Position[]; openOrders: BrokerOrder[] } {
  if (own.length === 0) return { positions: [...positions], openOrders: [...openOrders] };
  const ownIds = new Set(own.map((o) => o.clientOrderId));
  const moved = new Map<string, Decimal>();
  const filledAt = new Map<string, string>();
  for (const o of own) {
    if (new Decimal(o.filledQuantity).isZero()) continue;
    const signed = o.side === 'buy' ? new Decimal(o.filledQuantity) : new Decimal(o.filledQuantity).neg();
    moved.set(o.symbol, (moved.get(o.symbol) ?? new Decimal(0)).plus(signed));
    if (o.averageFillPrice) filledAt.set(o.symbol, o.averageFillPrice);
  }
  const out: Position[] = [];
  for (const p of positions) {
    const m = moved.get(p.symbol);
    moved.delete(p.symbol);
    const q = m ? new Decimal(p.quantity).minus(m) : undefined;
    if (q === undefined) out.push(p);
    else if (!q.isZero()) out.push({ ...p, quantity: q.toString() });
  }
  // A position the alert's orders closed was open before them (its average price is not known here: the price
  // they filled at stands in for it).
  for (const [symbol, m] of moved) if (!m.isZero()) out.push({ symbol, quantity: m.neg().toString(), averagePrice: filledAt.get(symbol) ?? '0' });
  return { positions: out, openOrders: openOrders.filter((o) => !ownIds.has(o.clientOrderId)) };
}

/**
 * The agent's working orders of `symbol` on the account that an alert with `cancelOpenOrdersFirst` cancels before
 * its orders are sent: all but the alert's own (`signalId`'s, placed by an earlier run of the same alert that a crash
 * cut short). An alert never cancels its own orders: a resumed reversal keeps its working exit.
 */
export function othersWorkingOrders(orders: OrderRepo, accountId: string, symbol: string, signalId: string): OrderView[] {
  return orders.withStatus(['accepted', 'partially_filled'], accountId).filter((o) => o.symbol === symbol && o.signalId !== signalId);
}

/** The risk context as it will be when the alert's orders go out after cancelling `toCancel`: those orders are no
 *  longer pending (a full exit is not judged as if the stop-loss it cancels would fill as well and reverse the
 *  position). With `signalId`, that alert's orders are not recent orders either: a run resumed after a crash finds
 *  its own orders, which are never duplicates of the legs they are. */
export function contextAfterCancels(context: RiskContext, toCancel: readonly Pick<OrderView, 'clientOrderId'>[], signalId?: string): RiskContext {
  const gone = new Set(toCancel.map((o) => o.clientOrderId));
  return {
    ...context,
    openOrders: gone.size === 0 ? context.openOrders : context.openOrders.filter((o) => o.clientOrderId === undefined || !gone.has(o.clientOrderId)),
    recentOrders: signalId === undefined ? context.recentOrders : context.recentOrders.filter((o) => o.signalId !== signalId),
  };
}

export function checkRisk(input: {
  intent: OrderIntent;
  assetClass: AssetClass;
  state: { global: TradingState; account: TradingState };
  accountSettings: AccountSettings;
  strategySettings: StrategySettings;
  context: RiskContext;
  now: string;
}): RiskVerdict {
  const i = input.intent;
  return evaluateRisk({
    intent: { action: 'submit', symbol: i.symbol, side: i.side, type: i.type, quantity: i.quantity, assetClass: input.assetClass, limitPrice: i.limitPrice, stopPrice: i.stopPrice, referencePrice: i.referencePrice ?? input.context.lastPrices[i.symbol], extendedHours: i.extendedHours },
    tradingState: input.state,
    rules: { ...DEFAULT_RISK_RULES, ...(input.accountSettings.risk ?? {}) },
    strategyRules: input.strategySettings.risk,
    context: input.context,
    now: input.now,
  });
}

/**
 * The trading-state rule again, for an intent `checkRisk` allowed a moment ago, under the trading state now (the
 * trader may have halted, or a loss limit set the account to reducing, while the order waited to be sent). Returns
 * that rule's denial, if it denies; the other rules' inputs have not changed.
 */
export function tradingStateRefusal(input: Parameters<typeof checkRisk>[0]): SendRefusal | undefined {
  const rule = checkRisk(input).rules.find((r) => r.rule === 'trading_state');
  return rule && !rule.passed && rule.code ? { code: rule.code, detail: rule.detail ?? rule.code } : undefined;
}

/** The trading state (global and the account's own) as `checkRisk` takes it. */
export function tradingStatesNow(tradingState: Pick<TradingStateService, 'view' | 'effective'>, accountId: string): { global: TradingState; account: TradingState } {
  return { global: tradingState.view().state, account: tradingState.effective(accountId).state };
}

/**
 * `SubmitContext.refuseSend` for an intent allowed under `checked`: asked at the broker call, it asks the
 * trading-state rule again only when the state has changed since.
 */
export function refuseSendOnStateChange(
  tradingState: Pick<TradingStateService, 'view' | 'effective'>,
  accountId: string,
  checked: { global: TradingState; account: TradingState },
  input: Omit<Parameters<typeof checkRisk>[0], 'state' | 'now'>,
  now: () => string,
): () => SendRefusal | undefined {
  return () => {
    const current = tradingStatesNow(tradingState, accountId);
    if (current.global === checked.global && current.account === checked.account) return undefined;
    return tradingStateRefusal({ ...input, state: current, now: now() });
  };
}
