// The risk engine: every submit and modify passes here before a broker sees it; cancels always pass.
// Every rule is evaluated (the UI shows each verdict); the first failing rule is the denial. A limit that is
// not set is "off" and passes. Orders that only shrink a position are exempt from the limits that guard
// against growing risk (position, exposure, open positions, cooldown), so an exit is never trapped by them.
import { Decimal } from 'decimal.js';
import { describeDenial } from '../../shared/codes.js';
import type { Code } from '../../shared/codes.js';
import { resolveRiskRules } from '../../shared/risk-rules.js';
import type { RiskRules } from '../../shared/risk-rules.js';
import type { TradingState } from '../../shared/trading-state.js';
import { notionalValue, valuationOf } from '../strategy/valuation.js';
import { positionEffect, positionOf } from './position-effect.js';
import { tradingDayAt } from './trading-day.js';
import type { PositionEffect } from './position-effect.js';
import type { RiskInput, RiskVerdict, RuleId, RuleVerdict, StateChange } from './types.js';

const STRICTNESS: Record<TradingState, number> = { active: 0, reducing: 1, halted: 2 };

export function stricterState(a: TradingState, b: TradingState): TradingState {
  return STRICTNESS[a] >= STRICTNESS[b] ? a : b;
}

interface Failure {
  code: Code;
  values: Record<string, string>;
}

type RuleOutcome = { passed: true; detail: string } | { passed: false; failure: Failure };

interface Eval {
  input: RiskInput;
  rules: RiskRules;
  effect: PositionEffect;
  state: TradingState;
  now: number;
  quantity: Decimal;
  /** Price used for notional and exposure: limit, then reference, then last price. */
  price?: Decimal;
  /** Set by the loss rules when a limit is hit. */
  stateChange?: StateChange;
}

const pass = (detail: string): RuleOutcome => ({ passed: true, detail });
const fail = (code: Code, values: Record<string, string>): RuleOutcome => ({ passed: false, failure: { code, values } });
const OFF = 'off';
const str = (d: Decimal): string => d.toFixed();

const RULES: Array<[RuleId, (e: Eval) => RuleOutcome]> = [
  ['trading_state', tradingStateRule],
  ['symbol_allowed', symbolRule],
  ['market_hours', marketHoursRule],
  ['max_order_quantity', orderQuantityRule],
  ['max_order_notional', notionalRule],
  ['max_position', positionRule],
  ['max_open_positions', openPositionsRule],
  ['max_gross_exposure', exposureRule],
  ['order_rate', rateRule],
  ['daily_loss', dailyLossRule],
  ['drawdown', drawdownRule],
  ['cooldown', cooldownRule],
  ['price_band', priceBandRule],
  ['duplicate_order', duplicateRule],
];

export function evaluateRisk(input: RiskInput): RiskVerdict {
  const state = stricterState(input.tradingState.global, input.tradingState.account);
  if (input.intent.action === 'cancel') {
    return { allowed: true, rules: RULES.map(([rule]) => ({ rule, passed: true, detail: 'cancels always pass' })) };
  }
  const rules = resolveRiskRules(input.rules, input.strategyRules);
  const { intent, context } = input;
  const priceSource = intent.limitPrice ?? intent.stopPrice ?? intent.referencePrice ?? context.lastPrices[intent.symbol];
  const e: Eval = {
    input,
    rules,
    effect: positionEffect(intent, context),
    state,
    now: Date.parse(input.now),
    quantity: new Decimal(intent.quantity),
    price: priceSource !== undefined && new Decimal(priceSource).gt(0) ? new Decimal(priceSource) : undefined,
  };
  const verdicts: RuleVerdict[] = [];
  let denial: Failure | undefined;
  for (const [rule, check] of RULES) {
    const outcome = check(e);
    if (outcome.passed) {
      verdicts.push({ rule, passed: true, detail: outcome.detail });
    } else {
      verdicts.push({ rule, passed: false, code: outcome.failure.code, detail: describeDenial(outcome.failure.code, outcome.failure.values) });
      denial ??= outcome.failure;
    }
  }
  const verdict: RiskVerdict = { allowed: denial === undefined, rules: verdicts };
  if (denial) verdict.denial = { code: denial.code, detail: describeDenial(denial.code, denial.values), values: denial.values };
  if (e.stateChange) verdict.stateChange = e.stateChange;
  return verdict;
}

function tradingStateRule(e: Eval): RuleOutcome {
  const { symbol } = e.input.intent;
  if (e.state === 'halted') return fail('TRADING_HALTED', { symbol, state: 'halted' });
  if (e.state === 'reducing' && !e.effect.reducing) {
    return fail('TRADING_REDUCING', { symbol, position: str(e.effect.current), after: str(e.effect.after) });
  }
  return pass(e.state);
}

function symbolRule(e: Eval): RuleOutcome {
  const { symbol } = e.input.intent;
  const upper = symbol.toUpperCase();
  const listed = (list: string[]): boolean => list.some((s) => s.toUpperCase() === upper);
  if (listed(e.rules.blockedSymbols)) return fail('SYMBOL_NOT_ALLOWED', { symbol, list: 'blocked' });
  if (e.rules.allowedSymbols.length > 0 && !listed(e.rules.allowedSymbols)) return fail('SYMBOL_NOT_ALLOWED', { symbol, list: 'not in allowed' });
  return pass(e.rules.allowedSymbols.length > 0 ? 'in allowed list' : 'not blocked');
}

function marketHoursRule(e: Eval): RuleOutcome {
  if (!e.rules.enforceMarketHours) return pass(OFF);
  const { assetClass, symbol, extendedHours } = e.input.intent;
  const session = e.input.context.marketHours[assetClass];
  if (session === undefined) return pass(`${assetClass}: not checked`);
  if (session === 'closed') return fail('MARKET_CLOSED', { symbol, assetClass, session });
  if (session === 'extended' && !extendedHours) return fail('MARKET_CLOSED', { symbol, assetClass, session, extendedHours: 'false' });
  return pass(`${assetClass}: ${session}`);
}

function orderQuantityRule(e: Eval): RuleOutcome {
  const max = e.rules.maxOrderQuantity;
  if (max === undefined) return pass(OFF);
  if (e.quantity.gt(max)) return fail('QUANTITY_EXCEEDS_MAX', { symbol: e.input.intent.symbol, quantity: str(e.quantity), max });
  return pass(`${str(e.quantity)} <= ${max}`);
}

function notionalRule(e: Eval): RuleOutcome {
  const max = e.rules.maxOrderNotional;
  if (max === undefined) return pass(OFF);
  const { symbol } = e.input.intent;
  if (!e.price) return fail('PRICE_UNAVAILABLE', { symbol, rule: 'max_order_notional' });
  const valued = valueOf(e, symbol, e.quantity, e.price);
  if (!valued.ok) {
    // An exit is never trapped by a limit that cannot value it: it only lowers the account's risk.
    if (e.effect.reducing) return pass(`reduces the position (${valued.code})`);
    return fail(valued.code, { ...valued.values, rule: 'max_order_notional' });
  }
  const notional = valued.value;
  if (notional.gt(max)) return fail('NOTIONAL_EXCEEDS_MAX', { symbol, notional: str(notional), max });
  return pass(`${str(notional)} <= ${max}`);
}

/** The account-currency value of `quantity` of `symbol` at `price`, valued as sizing values it when the caller
 *  gave instrument facts (RiskContext.instruments), else quantity × price. */
function valueOf(e: Eval, symbol: string, quantity: Decimal, price: Decimal): { ok: true; value: Decimal } | { ok: false; code: Code; values: Record<string, string> } {
  const { instruments, accountCurrency } = e.input.context;
  if (instruments === undefined) return { ok: true, value: quantity.abs().mul(price) };
  const facts = Object.hasOwn(instruments, symbol) ? instruments[symbol] : undefined;
  const valued = valuationOf(facts ?? { symbol }, accountCurrency);
  if (!valued.ok) return valued;
  return { ok: true, value: notionalValue(valued.valuation, quantity, price) };
}

function positionRule(e: Eval): RuleOutcome {
  const { symbol } = e.input.intent;
  const max = e.rules.maxPositionBySymbol?.[symbol] ?? e.rules.maxPositionPerSymbol;
  if (max === undefined) return pass(OFF);
  if (e.effect.reducing) return pass('reduces the position');
  if (e.effect.after.abs().gt(max)) return fail('POSITION_EXCEEDS_MAX', { symbol, position: str(e.effect.after.abs()), max });
  return pass(`${str(e.effect.after.abs())} <= ${max}`);
}

function openPositionsRule(e: Eval): RuleOutcome {
  const max = e.rules.maxOpenPositions;
  if (max === undefined) return pass(OFF);
  const { symbol } = e.input.intent;
  if (!e.effect.current.isZero() || e.effect.after.isZero()) return pass('does not open a new position');
  const { context } = e.input;
  // Symbols already held, plus flat symbols with working orders (positions about to open).
  const open = new Set<string>();
  for (const p of context.positions) if (!new Decimal(p.quantity).isZero()) open.add(p.symbol);
  for (const o of context.openOrders) if (o.symbol !== symbol && positionOf(context, o.symbol).isZero()) open.add(o.symbol);
  open.delete(symbol);
  if (open.size + 1 > max) return fail('OPEN_POSITIONS_EXCEEDS_MAX', { symbol, open: String(open.size), max: String(max) });
  return pass(`${open.size + 1} <= ${max}`);
}

function exposureRule(e: Eval): RuleOutcome {
  const max = e.rules.maxGrossExposure;
  if (max === undefined) return pass(OFF);
  if (e.effect.reducing) return pass('reduces the position');
  const { symbol } = e.input.intent;
  const { context } = e.input;
  if (!e.price) return fail('PRICE_UNAVAILABLE', { symbol, rule: 'max_gross_exposure' });
  const own = valueOf(e, symbol, e.effect.after, e.price);
  if (!own.ok) return fail(own.code, { ...own.values, rule: 'max_gross_exposure' });
  let exposure = own.value;
  const seen = new Set<string>([symbol]);
  for (const p of context.positions) {
    if (seen.has(p.symbol)) continue;
    seen.add(p.symbol);
    const qty = positionOf(context, p.symbol).abs();
    if (qty.isZero()) continue;
    const price = context.lastPrices[p.symbol] ?? p.marketPrice ?? p.averagePrice;
    if (price === undefined) return fail('PRICE_UNAVAILABLE', { symbol: p.symbol, rule: 'max_gross_exposure' });
    const held = valueOf(e, p.symbol, qty, new Decimal(price));
    if (!held.ok) return fail(held.code, { ...held.values, rule: 'max_gross_exposure' });
    exposure = exposure.plus(held.value);
  }
  if (exposure.gt(max)) return fail('EXPOSURE_EXCEEDS_MAX', { symbol, exposure: str(exposure), max });
  return pass(`${str(exposure)} <= ${max}`);
}

function rateRule(e: Eval): RuleOutcome {
  const { maxOrdersPerMinute: perMinute, maxOrdersPerDay: perDay } = e.rules;
  if (perMinute === undefined && perDay === undefined) return pass(OFF);
  const { context, intent } = e.input;
  const dayStart = Date.parse(context.dayStart ?? tradingDayAt(e.input.now, e.rules.tradingDay).start);
  const { lastMinute, today } = context.orderCounts ?? countOrders(context.recentOrders, e.now, dayStart);
  if (perMinute !== undefined && lastMinute + 1 > perMinute) {
    return fail('ORDER_RATE_EXCEEDED', { symbol: intent.symbol, window: 'minute', count: String(lastMinute), max: String(perMinute) });
  }
  if (perDay !== undefined && today + 1 > perDay) {
    return fail('ORDER_RATE_EXCEEDED', { symbol: intent.symbol, window: 'day', count: String(today), max: String(perDay) });
  }
  return pass(`${lastMinute} in the last minute, ${today} today`);
}

/** A loss limit moves the account to the configured state; the order is then judged under that state. */
function lossLimitHit(e: Eval, code: Code, values: Record<string, string>): RuleOutcome {
  const to: TradingState = e.rules.lossLimitAction === 'halt' ? 'halted' : 'reducing';
  if (STRICTNESS[to] > STRICTNESS[e.input.tradingState.account]) {
    e.stateChange ??= { scope: 'account', to, code, detail: describeDenial(code, values) };
  }
  if (to === 'reducing' && e.effect.reducing) return pass(`${describeDenial(code, values)}; reducing orders still pass`);
  return fail(code, values);
}

function dailyLossRule(e: Eval): RuleOutcome {
  const max = e.rules.maxDailyLoss;
  if (max === undefined) return pass(OFF);
  const { context } = e.input;
  const loss = new Decimal(context.dayStartEquity).minus(context.equity);
  if (loss.gte(max)) return lossLimitHit(e, 'DAILY_LOSS_LIMIT', { loss: str(loss), max });
  return pass(`loss ${str(Decimal.max(loss, 0))} < ${max}`);
}

function drawdownRule(e: Eval): RuleOutcome {
  const max = e.rules.maxDrawdownPercent;
  if (max === undefined) return pass(OFF);
  const { context } = e.input;
  const high = new Decimal(context.dayEquityHigh);
  if (high.lte(0)) return pass('no equity high yet');
  const drawdown = high.minus(context.equity).div(high).mul(100);
  if (drawdown.gte(max)) return lossLimitHit(e, 'DRAWDOWN_LIMIT', { drawdownPercent: drawdown.toDecimalPlaces(2).toFixed(), max });
  return pass(`${drawdown.toDecimalPlaces(2).toFixed()}% < ${max}%`);
}

function cooldownRule(e: Eval): RuleOutcome {
  const { cooldownAfterLossSeconds: afterLoss, cooldownAfterExitSeconds: afterExit } = e.rules;
  if (afterLoss === undefined && afterExit === undefined) return pass(OFF);
  if (e.effect.reducing) return pass('reduces the position');
  const { context, intent } = e.input;
  const check = (at: string | undefined, seconds: number | undefined, after: string): RuleOutcome | undefined => {
    if (at === undefined || seconds === undefined) return undefined;
    const remaining = Date.parse(at) + seconds * 1000 - e.now;
    if (remaining > 0) return fail('COOLDOWN_ACTIVE', { symbol: intent.symbol, after, remainingSeconds: String(Math.ceil(remaining / 1000)) });
    return undefined;
  };
  return check(context.lastLossAt, afterLoss, 'loss') ?? check(context.lastExitAt, afterExit, 'exit') ?? pass('no cooldown running');
}

function priceBandRule(e: Eval): RuleOutcome {
  const band = e.rules.priceBandPercent;
  if (band === undefined) return pass(OFF);
  const { intent, context } = e.input;
  const prices = [intent.limitPrice, intent.stopPrice].filter((p): p is string => p !== undefined);
  if (prices.length === 0) return pass('no limit or stop price');
  const last = context.lastPrices[intent.symbol];
  if (last === undefined || new Decimal(last).lte(0)) return pass('no last price to compare with');
  for (const p of prices) {
    const distance = new Decimal(p).minus(last).abs().div(last).mul(100);
    if (distance.gt(band)) {
      return fail('PRICE_OUT_OF_BAND', { symbol: intent.symbol, price: p, last, distancePercent: distance.toDecimalPlaces(2).toFixed(), band });
    }
  }
  return pass(`within ${band}% of ${last}`);
}

function duplicateRule(e: Eval): RuleOutcome {
  const window = e.rules.duplicateWindowSeconds;
  if (window === undefined || window === 0) return pass(OFF);
  const { intent, context } = e.input;
  if (intent.action === 'modify') return pass('modify');
  // An exit can only shrink the position (a second take-profit of the same bar is its own order, not a copy).
  if (e.effect.reducing) return pass('an exit is never a duplicate');
  for (const o of context.recentOrders) {
    const t = Date.parse(o.time);
    const otherKind = o.reducing !== undefined && o.reducing !== e.effect.reducing; // an exit vs an entry
    if (o.symbol === intent.symbol && o.side === intent.side && !otherKind && t <= e.now && e.now - t < window * 1000) {
      return fail('DUPLICATE_ORDER', { symbol: intent.symbol, side: intent.side, secondsAgo: String(Math.floor((e.now - t) / 1000)), window: String(window) });
    }
  }
  return pass(`no ${intent.side} ${intent.symbol} in the last ${window}s`);
}

/** The order-rate rule's counts from a list of orders (when the caller did not count them). */
function countOrders(orders: readonly { time: string }[], now: number, dayStart: number): { lastMinute: number; today: number } {
  let lastMinute = 0;
  let today = 0;
  for (const o of orders) {
    const t = Date.parse(o.time);
    if (t > now) continue;
    if (now - t < 60_000) lastMinute += 1;
    if (t >= dayStart) today += 1;
  }
  return { lastMinute, today };
}
