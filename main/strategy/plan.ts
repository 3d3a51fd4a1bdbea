// The strategy engine: one signal + the account's facts -> order intents or a denial with a code.
// Action semantics follow the TradersPost order behaviour users already write alerts for:
//   buy   while short: close the short (and, when reversing, then open long once the close has filled)
//         while flat:  open long;   while long: add only when the strategy allows adding
//   sell  mirrored
//   exit  close the position, fully or partly (quantity / percent_of_position)
//   add   add to an existing position only
//   cancel cancel the symbol's open orders
//   sentiment "flat" (or the side being closed) makes buy/sell a pure close, never an entry; so does a
//   percent_of_position quantity against the held position (it sells part of the long, buys back part of the short).
// A signal with a target position (positionSize / marketPosition) trades the difference to the held position.
import { Decimal } from 'decimal.js';
import { describeDenial } from '../../shared/codes.js';
import type { Code } from '../../shared/codes.js';
import type { OrderType, Signal, SignalQuantityType } from '../../shared/signal.js';
import { resolveStrategyConfig } from '../../shared/strategy-config.js';
import type { StrategyConfig } from '../../shared/strategy-config.js';
import type { OrderFields, Side } from './broker-view.js';
import { buildBrackets, type WrongSide } from './brackets.js';
import { floorToStep, fmt, limitRounding, roundToTick } from './grid.js';
import { computeQuantity } from './sizing.js';
import { notionalValue, quantityPerLot, valuationOf } from './valuation.js';
import type { LotResult, ValuationResult } from './valuation.js';
import { mapSymbol } from './symbol-map.js';
import { detectDrift, previousTargetOf, targetOf } from './target-position.js';
import { insideTradingWindow, localTime } from './trading-window.js';
import type { Denial, DriftEvent, OrderIntent, OrderLegName, PlanInput, PlanResult } from './types.js';

interface Failure {
  code: Code;
  values: Record<string, string>;
}

/** A leg before prices and order fields: its size may have failed (reported only if the leg survives the gates). */
interface LegPlan {
  leg: OrderLegName;
  side: Side;
  quantity?: Decimal;
  failure?: Failure;
  dependsOn?: OrderLegName;
}

interface Ctx {
  input: PlanInput;
  config: StrategyConfig;
  signal: Signal;
  symbol: string;
  pos: Decimal;
  lot: Decimal;
  tick: Decimal;
  /** What a unit of the instrument is worth in the account's currency (or why that is not known). */
  valuation: ValuationResult;
  /** The quantity of one lot, for signals sized in lots. */
  lotQuantity: LotResult;
  warnings: string[];
}

export function planSignal(input: PlanInput): PlanResult {
  const config = resolveStrategyConfig(input.config, input.accountOverride);
  const { signal } = input;
  const warnings: string[] = [];

  const mapped = mapSymbol({ symbol: signal.symbol, exchange: signal.exchange }, input.broker, input.symbolTable, input.now);
  if (!mapped.ok) return denied({ code: mapped.code, values: mapped.values }, warnings);
  const symbol = mapped.symbol;
  const pos = new Decimal(input.position);
  const instrument = { ...input.instrument, symbol };
  const ctx: Ctx = {
    input,
    config,
    signal,
    symbol,
    pos,
    lot: new Decimal(input.instrument.lotSize),
    tick: new Decimal(input.instrument.tickSize),
    valuation: valuationOf(instrument, input.account.currency),
    lotQuantity: quantityPerLot(instrument),
    warnings,
  };

  if (signal.action === 'cancel') {
    if (input.openOrders.length === 0) return denied({ code: 'NOTHING_TO_DO', values: { symbol, openOrders: '0' } }, warnings, symbol);
    return { kind: 'orders', symbol, intents: [], cancelOpenOrdersFirst: true, approval: approvalOf(config, input.now), targetMode: false, warnings };
  }

  const target = targetOf(signal);
  const drift = detectDrift(signal, symbol, pos, target);
  // An explicit "close the long side" (closelong, exit_long) never closes a short, and the reverse: holding the
  // other side, or nothing, there is nothing of that side to close.
  if (signal.closeSide !== undefined && !(signal.closeSide === 'long' ? pos.gt(0) : pos.lt(0))) {
    const values: Record<string, string> = { symbol, side: signal.closeSide, position: fmt(pos) };
    if (!pos.isZero()) values.held = pos.gt(0) ? 'long' : 'short';
    return denied({ code: 'NO_POSITION', values }, warnings, symbol, drift);
  }
  const own = target !== undefined && !config.useSignalQuantity ? ownSizedTarget(ctx, target) : target;
  if (own !== undefined && !Decimal.isDecimal(own)) return denied(own, warnings, symbol, drift);
  const planned = own !== undefined ? planTarget(ctx, own) : planAction(ctx);
  if ('code' in planned) return denied(planned, warnings, symbol, drift);

  const gated = applyGates(ctx, planned);
  if ('code' in gated) return denied(gated, warnings, symbol, drift);
  const failed = gated.find((leg) => leg.failure);
  if (failed?.failure) return denied(failed.failure, warnings, symbol, drift);

  const intents: OrderIntent[] = [];
  for (const leg of gated) {
    const built = buildIntent(ctx, leg);
    if ('code' in built) return denied(built, warnings, symbol, drift);
    intents.push(built);
  }
  warnUnusedPrices(ctx, intents);
  const cancelOpenOrdersFirst = input.openOrders.length > 0 && (signal.cancel ?? config.cancelOpenOrders);
  return withDrift({ kind: 'orders', symbol, intents, cancelOpenOrdersFirst, approval: approvalOf(config, input.now), targetMode: target !== undefined, warnings }, drift);
}

// --- action mode -----------------------------------------------------------------------------------------

function planAction(ctx: Ctx): LegPlan[] | Failure {
  const { signal, pos, symbol, config } = ctx;
  const positionText = fmt(pos);
  switch (signal.action) {
    case 'exit':
      if (pos.isZero()) return { code: 'NO_POSITION', values: { symbol, position: '0' } };
      return [closeLeg(ctx, true)];
    case 'add': {
      if (pos.isZero()) return { code: 'NO_POSITION', values: { symbol, action: 'add', position: '0' } };
      if ((signal.sentiment === 'bullish' && pos.lt(0)) || (signal.sentiment === 'bearish' && pos.gt(0))) {
        return { code: 'NO_POSITION', values: { symbol, action: 'add', side: signal.sentiment === 'bullish' ? 'long' : 'short', position: positionText } };
      }
      const side: Side = pos.gt(0) ? 'buy' : 'sell';
      if (!sideAllowed(config, side)) return sideDenied(ctx, side);
      return [entryLeg(ctx, side)];
    }
    case 'buy':
    case 'sell': {
      const side: Side = signal.action;
      const holdsOpposite = side === 'buy' ? pos.lt(0) : pos.gt(0);
      const holdsSame = side === 'buy' ? pos.gt(0) : pos.lt(0);
      // The sentiment names the position AFTER the trade: flat, or still on the side being reduced, means close only.
      const closingSentiment = signal.sentiment === 'flat' || signal.sentiment === (side === 'buy' ? 'bearish' : 'bullish');
      if (holdsOpposite) {
        if (signal.sentiment === 'flat') return [closeLeg(ctx, false)];
        if (closingSentiment) return [closeLeg(ctx, true)];
        // "Sell 50% of the position" (TradersPost's percent_of_position) sells part of the long: a percent of the
        // position sizes a reduction, never a reversal into the other side.
        if (signal.quantityType === 'percent_of_position' && signal.quantity !== undefined) return [closeLeg(ctx, true)];
        const legs: LegPlan[] = [closeLeg(ctx, false)];
        if (config.oppositeSignal === 'exit_only') {
          ctx.warnings.push('Closed the opposite position only: the strategy is set to exit-only on opposite signals.');
        } else if (!sideAllowed(config, side)) {
          ctx.warnings.push(`Closed the opposite position only: the strategy trades ${config.sides} only.`);
        } else {
          legs.push({ ...entryLeg(ctx, side), dependsOn: 'exit' });
        }
        return legs;
      }
      if (closingSentiment) {
        return { code: 'NO_POSITION', values: { symbol, side: side === 'buy' ? 'short' : 'long', position: positionText } };
      }
      // A percent of no position is nothing to trade: said as such, not as a size that rounds to zero.
      if (pos.isZero() && config.useSignalQuantity && signal.quantity !== undefined && signal.quantityType === 'percent_of_position') {
        return { code: 'NO_POSITION', values: { symbol, quantityType: 'percent_of_position', position: positionText } };
      }
      if (holdsSame && !config.allowAdd) return { code: 'ADD_NOT_ALLOWED', values: { symbol, position: positionText, action: side } };
      if (!sideAllowed(config, side)) return sideDenied(ctx, side);
      return [entryLeg(ctx, side)];
    }
    default:
      return { code: 'NOTHING_TO_DO', values: { symbol, action: signal.action } };
  }
}

/** Closes the position; `partial` lets the signal's quantity close part of it. */
function closeLeg(ctx: Ctx, partial: boolean): LegPlan {
  const { signal, pos, config, lot } = ctx;
  const side: Side = pos.gt(0) ? 'sell' : 'buy';
  const held = pos.abs();
  const full: LegPlan = { leg: 'exit', side, quantity: held };
  const usesSignal = signal.quantity !== undefined && (config.useSignalQuantity || signal.quantityType === 'percent_of_position');
  if (!partial || !usesSignal || signal.quantity === undefined) return full;
  const sized = computeQuantity({
    method: signal.quantityType ?? 'fixed_quantity',
    amount: signal.quantity,
    price: referencePrice(ctx, side, exitOrderType(ctx)),
    equity: ctx.input.account.equity,
    positionQuantity: held,
    lotSize: lot,
    valuation: ctx.valuation,
    lot: ctx.lotQuantity,
    // A partial exit is not held to the entry minimum: the broker accepts any lot of an existing position.
    minQuantity: 0,
  });
  if (!sized.ok) return { leg: 'reduce', side, failure: { code: sized.code, values: { symbol: ctx.symbol, ...sized.values } } };
  warnIfRounded(ctx, signal.quantityType ?? 'fixed_quantity', sized);
  const quantity = new Decimal(sized.quantity);
  // A quantity at or above the position closes it exactly (never crosses to the other side).
  if (quantity.gte(held)) return full;
  return { leg: 'reduce', side, quantity };
}

function entryLeg(ctx: Ctx, side: Side): LegPlan {
  const { signal, config, input } = ctx;
  const useSignal = config.useSignalQuantity && signal.quantity !== undefined;
  const method = useSignal ? signal.quantityType ?? 'fixed_quantity' : config.sizing.method;
  const amount = useSignal && signal.quantity !== undefined ? signal.quantity : config.sizing.amount;
  const type = entryOrderType(ctx);
  const price = referencePrice(ctx, side, type);
  let stopDistance: Decimal | undefined;
  if (method === 'risk_dollar_amount' && price) {
    const brackets = buildBrackets(side, price, ctx.tick, undefined, signal.stopLoss ?? config.stopLoss);
    if (!brackets.ok && 'wrongSide' in brackets) return { leg: 'entry', side, failure: wrongSideFailure(ctx.symbol, brackets.wrongSide) };
    const stop = brackets.ok ? brackets.stopLoss?.stopPrice : undefined;
    if (stop !== undefined) stopDistance = price.minus(stop).abs();
  }
  const sized = computeQuantity({
    method,
    amount,
    price,
    equity: input.account.equity,
    stopDistance,
    positionQuantity: ctx.pos.abs(),
    lotSize: ctx.lot,
    valuation: ctx.valuation,
    lot: ctx.lotQuantity,
    minQuantity: input.instrument.minQuantity,
  });
  if (!sized.ok) return { leg: 'entry', side, failure: { code: sized.code, values: { symbol: ctx.symbol, ...sized.values } } };
  warnIfRounded(ctx, method, sized);
  return { leg: 'entry', side, quantity: new Decimal(sized.quantity) };
}

/** A quantity the alert (or the strategy) gave as a count, rounded down to the instrument's lot (1.5 futures contracts
 *  → 1): said in the decision's warnings. Money amounts are always rounded down to whole lots, and not warned of. */
function warnIfRounded(ctx: Ctx, method: SignalQuantityType, sized: { quantity: string; raw: string }): void {
  if (method !== 'fixed_quantity' || new Decimal(sized.raw).eq(sized.quantity)) return;
  ctx.warnings.push(`The quantity ${fmt(new Decimal(sized.raw))} was rounded down to ${fmt(new Decimal(sized.quantity))}: ${ctx.symbol} trades in lots of ${fmt(new Decimal(ctx.lot))}.`);
}

/** BRACKET_WRONG_SIDE with what to change: the field, the entry side and price, the bad price and where it belongs. */
function wrongSideFailure(symbol: string, w: WrongSide): Failure {
  return { code: 'BRACKET_WRONG_SIDE', values: { symbol, field: w.field, side: w.side, entryPrice: w.entryPrice, price: w.price, need: `${w.expected} ${w.entryPrice}` } };
}

function sideAllowed(config: StrategyConfig, side: Side): boolean {
  return config.sides === 'both' || (config.sides === 'long' ? side === 'buy' : side === 'sell');
}

function sideDenied(ctx: Ctx, side: Side): Failure {
  return { code: 'SIDE_NOT_ALLOWED', values: { symbol: ctx.symbol, side: side === 'buy' ? 'long' : 'short', sides: ctx.config.sides } };
}

// --- target-position mode ----------------------------------------------------------------------------------

/**
 * The target for an account that sizes its own positions (`useSignalQuantity: false`): the alert's target gives
 * the direction, and the account's `sizing` the size of a position it opens (or reverses into). A change of size
 * within the direction (a pyramiding add, a partial take-profit) is followed in proportion: the held position is
 * scaled by the alert's target ÷ the strategy's previous position. Flat is flat.
 */
function ownSizedTarget(ctx: Ctx, target: Decimal): Decimal | Failure {
  const { pos, lot, signal } = ctx;
  if (target.isZero()) return target;
  const side: Side = target.gt(0) ? 'buy' : 'sell';
  if (pos.isZero() || pos.isNeg() !== target.isNeg()) {
    const entry = entryLeg(ctx, side);
    if (entry.failure) return entry.failure;
    ctx.warnings.push(`Sized by the account (useSignalQuantity is off): a ${side === 'buy' ? 'long' : 'short'} of ${fmt(entry.quantity!)} for the alert's ${fmt(target.abs())}.`);
    return side === 'buy' ? entry.quantity! : entry.quantity!.neg();
  }
  const previous = previousTargetOf(signal);
  if (previous === undefined || previous.isZero() || previous.isNeg() !== target.isNeg()) {
    ctx.warnings.push(`The position of ${fmt(pos)} was kept: the account sizes its own positions (useSignalQuantity is off), and the alert carries no previous position size (prevMarketPositionSize) to scale it by.`);
    return pos;
  }
  const scaled = floorToStep(pos.abs().times(target.abs()).div(previous.abs()), lot);
  ctx.warnings.push(`Sized by the account (useSignalQuantity is off): the alert's ${fmt(previous.abs())} → ${fmt(target.abs())} moves the held ${fmt(pos.abs())} to ${fmt(scaled)}.`);
  return pos.isNeg() ? scaled.neg() : scaled;
}

function planTarget(ctx: Ctx, target: Decimal): LegPlan[] | Failure {
  const { pos, symbol, config, lot, input } = ctx;
  const delta = target.minus(pos);
  if (delta.isZero()) return { code: 'NOTHING_TO_DO', values: { symbol, position: fmt(pos), target: fmt(target) } };
  const min = new Decimal(input.instrument.minQuantity);
  const crossing = !pos.isZero() && !target.isZero() && pos.isNeg() !== target.isNeg();
  const opening = (quantity: Decimal, side: Side, dependsOn?: OrderLegName): LegPlan => {
    const q = floorToStep(quantity, lot);
    if (q.lte(0)) return { leg: 'entry', side, failure: { code: 'QUANTITY_ROUNDS_TO_ZERO', values: { symbol, quantity: fmt(quantity), lot: fmt(lot) } } };
    if (q.lt(min)) return { leg: 'entry', side, failure: { code: 'QUANTITY_BELOW_MIN', values: { symbol, quantity: fmt(q), min: fmt(min) } } };
    return dependsOn ? { leg: 'entry', side, quantity: q, dependsOn } : { leg: 'entry', side, quantity: q };
  };
  if (crossing) {
    const legs: LegPlan[] = [{ leg: 'exit', side: pos.gt(0) ? 'sell' : 'buy', quantity: pos.abs() }];
    const side: Side = target.gt(0) ? 'buy' : 'sell';
    if (config.oppositeSignal === 'exit_only') ctx.warnings.push('Closed the position only: the strategy is set to exit-only on opposite signals.');
    else if (!sideAllowed(config, side)) ctx.warnings.push(`Closed the position only: the strategy trades ${config.sides} only.`);
    else legs.push(opening(target.abs(), side, 'exit'));
    return legs;
  }
  if (target.abs().lt(pos.abs())) {
    const side: Side = pos.gt(0) ? 'sell' : 'buy';
    if (target.isZero()) return [{ leg: 'exit', side, quantity: pos.abs() }];
    const q = floorToStep(delta.abs(), lot);
    if (q.lte(0)) return { code: 'QUANTITY_ROUNDS_TO_ZERO', values: { symbol, quantity: fmt(delta.abs()), lot: fmt(lot) } };
    return [{ leg: 'reduce', side, quantity: q }];
  }
  const side: Side = target.gt(0) ? 'buy' : 'sell';
  if (!sideAllowed(config, side)) return sideDenied(ctx, side);
  return [opening(delta.abs(), side)];
}

// --- gates: staleness and trading windows ------------------------------------------------------------------

/** An alert time further ahead of this clock than this is reported (TradingView's clock and an NTP-synced one agree
 *  within a second or two). */
const CLOCK_AHEAD_MS = 5_000;

function applyGates(ctx: Ctx, legs: LegPlan[]): LegPlan[] | Failure {
  const { signal, config, input } = ctx;
  const sentAt = signal.time !== undefined ? Date.parse(signal.time) : Number.NaN;
  const ageMs = Number.isNaN(sentAt) ? 0 : Date.parse(input.now) - sentAt;
  const maxAgeSeconds = Math.min(config.maxAlertAgeSeconds, signal.maxAgeSeconds ?? Infinity);
  const stale = ageMs > maxAgeSeconds * 1000;
  if (ageMs < -CLOCK_AHEAD_MS) {
    ctx.warnings.push(`The alert's time is ${Math.round(-ageMs / 1000)} s ahead of this computer's clock: one of the two clocks is wrong, and the alert's age cannot be checked until they agree.`);
  }
  const outside = !signal.ignoreTradingWindows && !insideTradingWindow(input.now, config.tradingWindows);
  const exitsBlocked = outside && !config.tradingWindows.allowExitsOutside;

  const kept: LegPlan[] = [];
  let staleDropped = false;
  let windowDropped = false;
  for (const leg of legs) {
    const isOpening = leg.leg === 'entry';
    if (leg.dependsOn && !kept.some((k) => k.leg === leg.dependsOn)) continue;
    if (isOpening && stale) {
      staleDropped = true;
      continue;
    }
    if ((isOpening && outside) || (!isOpening && exitsBlocked)) {
      windowDropped = true;
      continue;
    }
    kept.push(leg);
  }
  const staleValues = { symbol: ctx.symbol, age: String(Math.floor(ageMs / 1000)), max: String(maxAgeSeconds) };
  // Formatted only for a message: most alerts are inside their window and never need it.
  const windowValues = () => ({ symbol: ctx.symbol, time: localTime(input.now, config.tradingWindows.timezone)?.label ?? 'unknown time zone', timezone: config.tradingWindows.timezone });
  if (kept.length === 0) {
    if (staleDropped) return { code: 'STALE_ALERT', values: staleValues };
    return { code: 'OUTSIDE_TRADING_WINDOW', values: windowValues() };
  }
  if (staleDropped) ctx.warnings.push(`${describeDenial('STALE_ALERT', staleValues)} (the entry was dropped; the exit still runs)`);
  if (windowDropped) ctx.warnings.push(`${describeDenial('OUTSIDE_TRADING_WINDOW', windowValues())} (the entry was dropped; the exit still runs)`);
  return kept;
}

// --- order fields ------------------------------------------------------------------------------------------

const PRICE_USERS: ReadonlyArray<readonly ['limitPrice' | 'stopPrice' | 'trailAmount' | 'trailPercent', readonly OrderType[]]> = [
  ['limitPrice', ['limit', 'stop_limit']],
  ['stopPrice', ['stop', 'stop_limit']],
  ['trailAmount', ['trailing_stop']],
  ['trailPercent', ['trailing_stop']],
];

/** A price the alert gave that no order of the plan uses (a limitPrice on a market order) is said, never dropped silently. */
function warnUnusedPrices(ctx: Ctx, intents: readonly OrderIntent[]): void {
  if (intents.length === 0) return;
  const types = new Set<OrderType>(intents.map((i) => i.type));
  const unused = PRICE_USERS.filter(([field, users]) => ctx.signal[field] !== undefined && !users.some((t) => types.has(t))).map(([field]) => field);
  if (unused.length === 0) return;
  const { signal, config } = ctx;
  const why =
    signal.orderType === undefined
      ? 'the alert has no "orderType", so the strategy\'s order type is used'
      : config.useSignalOrderType
        ? `the alert's "orderType" is ${signal.orderType}`
        : 'the strategy does not use the alert\'s order type (useSignalOrderType is off)';
  ctx.warnings.push(`${unused.map((f) => `"${f}"`).join(', ')} NOT applied: the order is ${[...types].join(' / ')} (${why}). Send the matching "orderType" (limit, stop, stop_limit, trailing_stop) to use it.`);
}

function entryOrderType(ctx: Ctx): OrderType {
  return (ctx.config.useSignalOrderType ? ctx.signal.orderType : undefined) ?? ctx.config.orderType;
}

function exitOrderType(ctx: Ctx): OrderType {
  return (ctx.config.useSignalOrderType ? ctx.signal.orderType : undefined) ?? ctx.config.exitOrderType;
}

/** The price an order is sized and bracketed from: the limit for limit orders, else the last known price. */
function referencePrice(ctx: Ctx, _side: Side, type: OrderType): Decimal | undefined {
  const { signal, input } = ctx;
  const candidates =
    type === 'limit' || type === 'stop_limit'
      ? [signal.limitPrice, signal.price, signal.signalPrice, input.lastPrice]
      : type === 'stop'
        ? [signal.stopPrice, input.lastPrice, signal.price, signal.signalPrice]
        : [input.lastPrice, signal.price, signal.signalPrice];
  for (const c of candidates) {
    if (c !== undefined) {
      const d = new Decimal(c);
      if (d.gt(0)) return d;
    }
  }
  return undefined;
}

function buildIntent(ctx: Ctx, leg: LegPlan): OrderIntent | Failure {
  const { signal, config, symbol, tick, input } = ctx;
  const opening = leg.leg === 'entry';
  const type = opening ? entryOrderType(ctx) : exitOrderType(ctx);
  const quantity = leg.quantity ?? new Decimal(0);
  const reference = referencePrice(ctx, leg.side, type);
  const fields: OrderFields = {
    symbol,
    side: leg.side,
    type,
    quantity: fmt(quantity),
    timeInForce: (config.useSignalTimeInForce ? signal.timeInForce : undefined) ?? config.timeInForce,
  };
  if (type === 'limit' || type === 'stop_limit') {
    const limit = signal.limitPrice !== undefined ? new Decimal(signal.limitPrice) : reference;
    if (!limit) return { code: 'PRICE_UNAVAILABLE', values: { symbol, orderType: type, field: 'limitPrice' } };
    fields.limitPrice = fmt(roundToTick(limit, tick, limitRounding(leg.side)));
  }
  if (type === 'stop' || type === 'stop_limit') {
    const stop = signal.stopPrice !== undefined ? new Decimal(signal.stopPrice) : type === 'stop' ? reference : (input.lastPrice !== undefined ? new Decimal(input.lastPrice) : reference);
    if (!stop) return { code: 'PRICE_UNAVAILABLE', values: { symbol, orderType: type, field: 'stopPrice' } };
    fields.stopPrice = fmt(roundToTick(stop, tick, 'nearest'));
  }
  if (type === 'trailing_stop') {
    if (signal.trailAmount === undefined && signal.trailPercent === undefined) {
      return { code: 'PRICE_UNAVAILABLE', values: { symbol, orderType: type, field: 'trailAmount|trailPercent' } };
    }
    if (signal.trailAmount !== undefined) fields.trailAmount = signal.trailAmount;
    if (signal.trailPercent !== undefined) fields.trailPercent = signal.trailPercent;
  }
  if (signal.extendedHours !== undefined) fields.extendedHours = signal.extendedHours;
  if (reference) fields.referencePrice = fmt(reference);
  if (!opening) fields.reduceOnly = true;
  if (opening) {
    const bracketRef = fields.limitPrice !== undefined ? new Decimal(fields.limitPrice) : reference;
    const brackets = buildBrackets(leg.side, bracketRef, tick, signal.takeProfit ?? config.takeProfit, signal.stopLoss ?? config.stopLoss);
    if (!brackets.ok && 'wrongSide' in brackets) return wrongSideFailure(symbol, brackets.wrongSide);
    if (!brackets.ok) return { code: 'PRICE_UNAVAILABLE', values: { symbol, field: 'takeProfit/stopLoss reference' } };
    if (brackets.takeProfit) fields.takeProfit = brackets.takeProfit;
    if (brackets.stopLoss) fields.stopLoss = brackets.stopLoss;
    // Valued as the notional rule values it; an instrument that cannot be valued in the account currency gets no
    // comparison (its quote-currency value is not comparable with buying power).
    const value = reference && ctx.valuation.ok ? notionalValue(ctx.valuation.valuation, quantity, reference) : undefined;
    if (value && value.gt(input.account.buyingPower)) {
      ctx.warnings.push(`The entry's value (${fmt(value.toDecimalPlaces(2))}) is above the reported buying power (${input.account.buyingPower}); the broker may refuse it.`);
    }
  }
  const intent: OrderIntent = { ...fields, leg: leg.leg };
  if (leg.dependsOn) intent.dependsOn = leg.dependsOn;
  return intent;
}

// --- results -----------------------------------------------------------------------------------------------

function approvalOf(config: StrategyConfig, now: string): { mode: 'auto' | 'manual'; expiresAt?: string } {
  if (config.approval.mode === 'auto') return { mode: 'auto' };
  return { mode: 'manual', expiresAt: new Date(Date.parse(now) + config.approval.timeoutSeconds * 1000).toISOString() };
}

export function toDenial(failure: Failure): Denial {
  return { code: failure.code, detail: describeDenial(failure.code, failure.values), values: failure.values };
}

function denied(failure: Failure, warnings: string[], symbol?: string, drift?: DriftEvent): PlanResult {
  const result: PlanResult = { kind: 'denied', denial: toDenial(failure), warnings };
  if (symbol !== undefined) result.symbol = symbol;
  if (drift) result.drift = drift;
  return result;
}

function withDrift(result: PlanResult, drift: DriftEvent | undefined): PlanResult {
  if (drift) result.drift = drift;
  return result;
}
