import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { DEFAULT_RISK_RULES } from '../../shared/risk-rules.js';
import type { RiskRules } from '../../shared/risk-rules.js';
import type { TradingState } from '../../shared/trading-state.js';
import { evaluateRisk } from './evaluate-risk.js';
import type { RiskContext, RiskInput, RiskOrder } from './types.js';

const NOW = '2026-01-06T15:00:00Z';
const ago = (seconds: number): string => new Date(Date.parse(NOW) - seconds * 1000).toISOString();

/** All limits off: each test turns on the one it proves. */
const OPEN_RULES: RiskRules = { allowedSymbols: [], blockedSymbols: [], lossLimitAction: 'halt', enforceMarketHours: false };

function order(fields: Partial<RiskOrder> = {}): RiskOrder {
  return { action: 'submit', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', assetClass: 'equity', referencePrice: '100', ...fields };
}

function context(fields: Partial<RiskContext> = {}): RiskContext {
  return {
    positions: [],
    openOrders: [],
    equity: '100000',
    dayStartEquity: '100000',
    dayEquityHigh: '100000',
    recentOrders: [],
    lastPrices: { AAPL: '100' },
    marketHours: {},
    ...fields,
  };
}

function run(o: Partial<RiskOrder>, rules: Partial<RiskRules> = {}, ctx: Partial<RiskContext> = {}, state: { global?: TradingState; account?: TradingState } = {}): ReturnType<typeof evaluateRisk> {
  const input: RiskInput = {
    intent: order(o),
    tradingState: { global: state.global ?? 'active', account: state.account ?? 'active' },
    rules: { ...OPEN_RULES, ...rules },
    context: context(ctx),
    now: NOW,
  };
  return evaluateRisk(input);
}

const long = (quantity: string, symbol = 'AAPL') => ({ positions: [{ symbol, quantity }] });

describe('evaluateRisk: one table row per rule, each denial with its code and values', () => {
  const rows: Array<[string, Partial<RiskOrder>, Partial<RiskRules>, Partial<RiskContext>, string | undefined]> = [
    ['blocked symbol', {}, { blockedSymbols: ['AAPL'] }, {}, 'SYMBOL_NOT_ALLOWED: symbol=AAPL, list=blocked'],
    ['symbol not in the allowed list', {}, { allowedSymbols: ['MSFT'] }, {}, 'SYMBOL_NOT_ALLOWED: symbol=AAPL, list=not in allowed'],
    ['symbol in the allowed list', {}, { allowedSymbols: ['aapl'] }, {}, undefined],
    ['market closed', {}, { enforceMarketHours: true }, { marketHours: { equity: 'closed' } }, 'MARKET_CLOSED: symbol=AAPL, assetClass=equity, session=closed'],
    ['extended session without extendedHours', {}, { enforceMarketHours: true }, { marketHours: { equity: 'extended' } }, 'MARKET_CLOSED: symbol=AAPL, assetClass=equity, session=extended, extendedHours=false'],
    ['extended session with extendedHours', { extendedHours: true }, { enforceMarketHours: true }, { marketHours: { equity: 'extended' } }, undefined],
    ['crypto around the clock', { assetClass: 'crypto' }, { enforceMarketHours: true }, { marketHours: { equity: 'closed' } }, undefined],
    ['order quantity above max', { quantity: '11' }, { maxOrderQuantity: '10' }, {}, 'QUANTITY_EXCEEDS_MAX: symbol=AAPL, quantity=11, max=10'],
    ['order quantity at max', { quantity: '10' }, { maxOrderQuantity: '10' }, {}, undefined],
    ['notional above max', { quantity: '10', limitPrice: '150', type: 'limit' }, { maxOrderNotional: '1000' }, {}, 'NOTIONAL_EXCEEDS_MAX: symbol=AAPL, notional=1500, max=1000'],
    ['notional with no price at all', { referencePrice: undefined }, { maxOrderNotional: '1000' }, { lastPrices: {} }, 'PRICE_UNAVAILABLE: symbol=AAPL, rule=max_order_notional'],
    ['position above max', { quantity: '30' }, { maxPositionPerSymbol: '100' }, long('80'), 'POSITION_EXCEEDS_MAX: symbol=AAPL, position=110, max=100'],
    ['position counts pending same-side orders', { quantity: '10' }, { maxPositionPerSymbol: '100' }, { ...long('80'), openOrders: [{ symbol: 'AAPL', side: 'buy', quantity: '15' }] }, 'POSITION_EXCEEDS_MAX: symbol=AAPL, position=105, max=100'],
    ['per-symbol position limit wins', { quantity: '30' }, { maxPositionPerSymbol: '1000', maxPositionBySymbol: { AAPL: '20' } }, {}, 'POSITION_EXCEEDS_MAX: symbol=AAPL, position=30, max=20'],
    ['short position above max', { side: 'sell', quantity: '30' }, { maxPositionPerSymbol: '100' }, long('-80'), 'POSITION_EXCEEDS_MAX: symbol=AAPL, position=110, max=100'],
    ['reducing an oversized position passes', { side: 'sell', quantity: '30' }, { maxPositionPerSymbol: '100' }, long('150'), undefined],
    ['max open positions reached', {}, { maxOpenPositions: 2 }, { positions: [{ symbol: 'MSFT', quantity: '1' }, { symbol: 'TSLA', quantity: '-1' }] }, 'OPEN_POSITIONS_EXCEEDS_MAX: symbol=AAPL, open=2, max=2'],
    ['adding to a held symbol does not open a new position', {}, { maxOpenPositions: 2 }, { positions: [{ symbol: 'AAPL', quantity: '1' }, { symbol: 'TSLA', quantity: '-1' }] }, undefined],
    ['gross exposure above max', { quantity: '10' }, { maxGrossExposure: '4999' }, { positions: [{ symbol: 'MSFT', quantity: '10', averagePrice: '300' }], lastPrices: { AAPL: '100', MSFT: '400' } }, 'EXPOSURE_EXCEEDS_MAX: symbol=AAPL, exposure=5000, max=4999'],
    ['gross exposure at max (last price beats average price)', { quantity: '10' }, { maxGrossExposure: '5000' }, { positions: [{ symbol: 'MSFT', quantity: '10', averagePrice: '300' }], lastPrices: { AAPL: '100', MSFT: '400' } }, undefined],
    ['orders per minute', {}, { maxOrdersPerMinute: 2 }, { recentOrders: [{ time: ago(10), symbol: 'X', side: 'buy' }, { time: ago(59), symbol: 'Y', side: 'buy' }, { time: ago(61), symbol: 'Z', side: 'buy' }] }, 'ORDER_RATE_EXCEEDED: symbol=AAPL, window=minute, count=2, max=2'],
    ['orders per day', {}, { maxOrdersPerDay: 2 }, { recentOrders: [{ time: ago(3600), symbol: 'X', side: 'buy' }, { time: ago(7200), symbol: 'Y', side: 'buy' }, { time: '2026-01-05T23:00:00Z', symbol: 'Z', side: 'buy' }] }, 'ORDER_RATE_EXCEEDED: symbol=AAPL, window=day, count=2, max=2'],
    // 10:00 New York: its 17:00 day began yesterday at 22:00 UTC, so the order at 23:00 UTC yesterday is today's.
    ['orders per day of a 17:00 New York trading day', {}, { maxOrdersPerDay: 2, tradingDay: { timeZone: 'America/New_York', startsAt: '17:00' } }, { recentOrders: [{ time: ago(3600), symbol: 'X', side: 'buy' }, { time: '2026-01-05T23:00:00Z', symbol: 'Y', side: 'buy' }, { time: '2026-01-05T21:59:59Z', symbol: 'Z', side: 'buy' }] }, 'ORDER_RATE_EXCEEDED: symbol=AAPL, window=day, count=2, max=2'],
    ['orders per minute counted by the store', {}, { maxOrdersPerMinute: 2 }, { recentOrders: [], orderCounts: { lastMinute: 2, today: 2 } }, 'ORDER_RATE_EXCEEDED: symbol=AAPL, window=minute, count=2, max=2'],
    ['orders per day counted by the store', {}, { maxOrdersPerDay: 500 }, { recentOrders: [], orderCounts: { lastMinute: 0, today: 500 } }, 'ORDER_RATE_EXCEEDED: symbol=AAPL, window=day, count=500, max=500'],
    ['store counts below the limits pass', {}, { maxOrdersPerMinute: 3, maxOrdersPerDay: 500 }, { recentOrders: [], orderCounts: { lastMinute: 2, today: 499 } }, undefined],
    ['orders per day below the limit (yesterday does not count)', {}, { maxOrdersPerDay: 2 }, { recentOrders: [{ time: ago(3600), symbol: 'X', side: 'buy' }, { time: '2026-01-05T23:00:00Z', symbol: 'Z', side: 'buy' }] }, undefined],
    ['daily loss hit', {}, { maxDailyLoss: '500' }, { equity: '99450' }, 'DAILY_LOSS_LIMIT: loss=550, max=500'],
    ['daily loss below limit', {}, { maxDailyLoss: '500' }, { equity: '99800' }, undefined],
    ['daily loss measured from the day\'s start, not from an earlier day', {}, { maxDailyLoss: '500' }, { dayStartEquity: '101000', equity: '100100' }, 'DAILY_LOSS_LIMIT: loss=900, max=500'],
    ['a profitable day is no loss', {}, { maxDailyLoss: '500' }, { dayStartEquity: '99000', equity: '99600' }, undefined],
    ['drawdown from the day high', {}, { maxDrawdownPercent: '5' }, { equity: '94000', dayEquityHigh: '100000' }, 'DRAWDOWN_LIMIT: drawdownPercent=6, max=5'],
    ['cooldown after a loss', {}, { cooldownAfterLossSeconds: 300 }, { lastLossAt: ago(100) }, 'COOLDOWN_ACTIVE: symbol=AAPL, after=loss, remainingSeconds=200'],
    ['cooldown after an exit', {}, { cooldownAfterExitSeconds: 60 }, { lastExitAt: ago(30) }, 'COOLDOWN_ACTIVE: symbol=AAPL, after=exit, remainingSeconds=30'],
    ['cooldown over', {}, { cooldownAfterLossSeconds: 300 }, { lastLossAt: ago(301) }, undefined],
    ['limit price out of band', { type: 'limit', limitPrice: '120' }, { priceBandPercent: '10' }, {}, 'PRICE_OUT_OF_BAND: symbol=AAPL, price=120, last=100, distancePercent=20, band=10'],
    ['stop price out of band', { type: 'stop', stopPrice: '85' }, { priceBandPercent: '10' }, {}, 'PRICE_OUT_OF_BAND: symbol=AAPL, price=85, last=100, distancePercent=15, band=10'],
    ['limit price inside band', { type: 'limit', limitPrice: '109' }, { priceBandPercent: '10' }, {}, undefined],
    ['duplicate symbol+side within the window', {}, { duplicateWindowSeconds: 5 }, { recentOrders: [{ time: ago(2), symbol: 'AAPL', side: 'buy' }] }, 'DUPLICATE_ORDER: symbol=AAPL, side=buy, secondsAgo=2, window=5'],
    ['same symbol, other side is no duplicate', {}, { duplicateWindowSeconds: 5 }, { recentOrders: [{ time: ago(2), symbol: 'AAPL', side: 'sell' }] }, undefined],
    ['an exit just before is no duplicate of an entry on the same side (exit, then reverse)', { side: 'sell', quantity: '1' }, { duplicateWindowSeconds: 5 }, { recentOrders: [{ time: ago(0), symbol: 'AAPL', side: 'sell', reducing: true }] }, undefined],
    ['an entry just before is a duplicate of another entry on the same side', {}, { duplicateWindowSeconds: 5 }, { recentOrders: [{ time: ago(1), symbol: 'AAPL', side: 'buy', reducing: false }] }, 'DUPLICATE_ORDER: symbol=AAPL, side=buy, secondsAgo=1, window=5'],
    ['duplicate after the window is fine', {}, { duplicateWindowSeconds: 5 }, { recentOrders: [{ time: ago(6), symbol: 'AAPL', side: 'buy' }] }, undefined],
    ['a second exit just after an exit is no duplicate (two take-profits of one bar)', { side: 'sell', quantity: '5' }, { duplicateWindowSeconds: 5 }, { positions: [{ symbol: 'AAPL', quantity: '10' }], recentOrders: [{ time: ago(0), symbol: 'AAPL', side: 'sell', reducing: true }] }, undefined],
  ];

  it.each(rows)('%s', (_name, o, rules, ctx, expected) => {
    const verdict = run(o, rules, ctx);
    if (expected === undefined) {
      expect(verdict.allowed, JSON.stringify(verdict.denial)).toBe(true);
      expect(verdict.rules.every((r) => r.passed)).toBe(true);
    } else {
      expect(verdict.allowed).toBe(false);
      expect(verdict.denial?.detail).toBe(expected);
      const failed = verdict.rules.filter((r) => !r.passed);
      expect(failed[0]?.detail).toBe(expected);
    }
  });

  it('the verdict lists every rule, in order, and marks unset limits as off', () => {
    const verdict = run({}, {});
    expect(verdict.rules.map((r) => r.rule)).toEqual([
      'trading_state', 'symbol_allowed', 'market_hours', 'max_order_quantity', 'max_order_notional', 'max_position', 'max_open_positions',
      'max_gross_exposure', 'order_rate', 'daily_loss', 'drawdown', 'cooldown', 'price_band', 'duplicate_order',
    ]);
    expect(verdict.rules.find((r) => r.rule === 'max_order_quantity')?.detail).toBe('off');
  });

  it('every failing rule is reported, the first one is the denial', () => {
    const verdict = run({ quantity: '500' }, { maxOrderQuantity: '100', maxPositionPerSymbol: '50', blockedSymbols: ['AAPL'] });
    expect(verdict.denial?.code).toBe('SYMBOL_NOT_ALLOWED');
    expect(verdict.rules.filter((r) => !r.passed).map((r) => r.code)).toEqual(['SYMBOL_NOT_ALLOWED', 'QUANTITY_EXCEEDS_MAX', 'POSITION_EXCEEDS_MAX']);
  });

  it('the strategy override tightens the account rules', () => {
    const input: RiskInput = { intent: order({ quantity: '20' }), tradingState: { global: 'active', account: 'active' }, rules: { ...OPEN_RULES, maxOrderQuantity: '100' }, strategyRules: { maxOrderQuantity: '10' }, context: context(), now: NOW };
    expect(evaluateRisk(input).denial?.code).toBe('QUANTITY_EXCEEDS_MAX');
  });

  it('the default rules allow an ordinary order', () => {
    const input: RiskInput = { intent: order(), tradingState: { global: 'active', account: 'active' }, rules: DEFAULT_RISK_RULES, context: context(), now: NOW };
    expect(evaluateRisk(input).allowed).toBe(true);
  });
});

describe('evaluateRisk: modify', () => {
  it('a modify is judged on its new quantity, without counting the order it replaces as pending', () => {
    const ctx = { ...long('80'), openOrders: [{ symbol: 'AAPL', side: 'buy' as const, quantity: '15', clientOrderId: 'o-1' }] };
    expect(run({ action: 'modify', clientOrderId: 'o-1', quantity: '20' }, { maxPositionPerSymbol: '100' }, ctx).allowed).toBe(true);
    expect(run({ action: 'modify', clientOrderId: 'o-1', quantity: '21' }, { maxPositionPerSymbol: '100' }, ctx).denial?.detail).toBe('POSITION_EXCEEDS_MAX: symbol=AAPL, position=101, max=100');
  });

  it('a modify is not a duplicate of the order it changes', () => {
    expect(run({ action: 'modify', clientOrderId: 'o-1' }, { duplicateWindowSeconds: 5 }, { recentOrders: [{ time: ago(1), symbol: 'AAPL', side: 'buy' }] }).allowed).toBe(true);
  });
});

describe('evaluateRisk: trading state', () => {
  it('halted (global or account) denies submits and modifies with TRADING_HALTED', () => {
    expect(run({}, {}, {}, { global: 'halted' }).denial?.detail).toBe('TRADING_HALTED: symbol=AAPL, state=halted');
    expect(run({ action: 'modify' }, {}, {}, { account: 'halted' }).denial?.code).toBe('TRADING_HALTED');
    expect(run({ side: 'sell' }, {}, long('10'), { account: 'halted' }).denial?.code).toBe('TRADING_HALTED');
  });

  it('cancels always pass, even halted and with every limit hit', () => {
    const verdict = run({ action: 'cancel', quantity: '1000' }, { maxOrderQuantity: '1', blockedSymbols: ['AAPL'] }, {}, { global: 'halted' });
    expect(verdict.allowed).toBe(true);
    expect(verdict.rules.every((r) => r.passed)).toBe(true);
  });

  it('reducing allows only orders that shrink |position|', () => {
    expect(run({ side: 'sell', quantity: '4' }, {}, long('10'), { account: 'reducing' }).allowed).toBe(true);
    expect(run({ side: 'sell', quantity: '10' }, {}, long('10'), { account: 'reducing' }).allowed).toBe(true);
    expect(run({ side: 'sell', quantity: '11' }, {}, long('10'), { account: 'reducing' }).denial?.detail).toBe('TRADING_REDUCING: symbol=AAPL, position=10, after=-1');
    expect(run({ side: 'buy', quantity: '1' }, {}, long('10'), { account: 'reducing' }).denial?.code).toBe('TRADING_REDUCING');
    expect(run({ side: 'buy', quantity: '1' }, {}, {}, { global: 'reducing' }).denial?.code).toBe('TRADING_REDUCING');
    // Two pending sells already cover the position: a third would cross to short.
    expect(run({ side: 'sell', quantity: '3' }, {}, { ...long('10'), openOrders: [{ symbol: 'AAPL', side: 'sell', quantity: '8' }] }, { account: 'reducing' }).denial?.code).toBe('TRADING_REDUCING');
  });

  it('daily loss with action halt requests the halted state and denies even exits', () => {
    const verdict = run({ side: 'sell', quantity: '5' }, { maxDailyLoss: '500', lossLimitAction: 'halt' }, { ...long('10'), equity: '99400' });
    expect(verdict.allowed).toBe(false);
    expect(verdict.stateChange).toEqual({ scope: 'account', to: 'halted', code: 'DAILY_LOSS_LIMIT', detail: 'DAILY_LOSS_LIMIT: loss=600, max=500' });
  });

  it('daily loss with action reduce requests reducing, lets exits through and denies entries', () => {
    const exit = run({ side: 'sell', quantity: '5' }, { maxDailyLoss: '500', lossLimitAction: 'reduce' }, { ...long('10'), equity: '99400' });
    expect(exit.allowed).toBe(true);
    expect(exit.stateChange?.to).toBe('reducing');
    const entry = run({ side: 'buy', quantity: '5' }, { maxDailyLoss: '500', lossLimitAction: 'reduce' }, { ...long('10'), equity: '99400' });
    expect(entry.denial?.code).toBe('DAILY_LOSS_LIMIT');
  });

  it('no state change is requested when the account is already at least that strict', () => {
    const verdict = run({ side: 'sell', quantity: '5' }, { maxDrawdownPercent: '5', lossLimitAction: 'reduce' }, { ...long('10'), equity: '90000' }, { account: 'reducing' });
    expect(verdict.allowed).toBe(true);
    expect(verdict.stateChange).toBeUndefined();
  });
});

describe('evaluateRisk: properties', () => {
  const state = fc.constantFrom<TradingState>('active', 'reducing', 'halted');
  const side = fc.constantFrom<'buy' | 'sell'>('buy', 'sell');
  const qty = fc.integer({ min: 1, max: 300 });

  it('under HALTED nothing but cancels is allowed', () => {
    fc.assert(
      fc.property(fc.constantFrom<'submit' | 'modify' | 'cancel'>('submit', 'modify', 'cancel'), side, qty, fc.integer({ min: -300, max: 300 }), state, (action, s, q, held, other) => {
        const verdict = run({ action, side: s, quantity: String(q) }, {}, long(String(held)), { global: 'halted', account: other });
        return verdict.allowed === (action === 'cancel');
      }),
      { numRuns: 2000 },
    );
  });

  it('under REDUCING a sequence of allowed orders, all filled, never grows |position|', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200, max: 200 }), fc.array(fc.tuple(side, qty), { minLength: 1, maxLength: 20 }), (start, orders) => {
        let pos = new Decimal(start);
        for (const [s, q] of orders) {
          const verdict = run({ side: s, quantity: String(q) }, {}, long(pos.toFixed()), { account: 'reducing' });
          if (!verdict.allowed) continue;
          const next = pos.plus(s === 'buy' ? q : -q);
          if (next.abs().gt(pos.abs())) return false;
          pos = next;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('no allowed order exceeds a configured limit (quantity, notional, position, exposure)', () => {
    fc.assert(
      fc.property(
        side,
        qty,
        fc.integer({ min: -200, max: 200 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 20000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 40000 }),
        (s, q, held, price, maxQty, maxNotional, maxPos, maxExposure) => {
          const rules = { maxOrderQuantity: String(maxQty), maxOrderNotional: String(maxNotional), maxPositionPerSymbol: String(maxPos), maxGrossExposure: String(maxExposure) };
          const verdict = run({ side: s, quantity: String(q), referencePrice: String(price) }, rules, { ...long(String(held)), lastPrices: { AAPL: String(price) } });
          if (!verdict.allowed) return true;
          const after = Math.abs(held + (s === 'buy' ? q : -q));
          const reduces = after < Math.abs(held) && Math.sign(held + (s === 'buy' ? q : -q)) !== -Math.sign(held);
          return q <= maxQty && q * price <= maxNotional && (reduces || (after <= maxPos && after * price <= maxExposure));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('no allowed order breaks the rate limits or the duplicate guard', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 120 }), side), { maxLength: 15 }), side, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 10 }), (recent, s, perMinute, window) => {
        const recentOrders = recent.map(([secondsAgo, rs]) => ({ time: ago(secondsAgo), symbol: 'AAPL', side: rs }));
        const verdict = run({ side: s }, { maxOrdersPerMinute: perMinute, duplicateWindowSeconds: window }, { recentOrders });
        if (!verdict.allowed) return true;
        const inMinute = recent.filter(([a]) => a < 60).length;
        const duplicate = recent.some(([a, rs]) => rs === s && a < window);
        return inMinute + 1 <= perMinute && !duplicate;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('evaluateRisk: the notional and exposure limits value a quantity as sizing does (account currency, contract size)', () => {
  const fx = (symbol: string, base: string, quote: string) => ({ symbol, baseCurrency: base, quoteCurrency: quote, contractSize: '1' });
  const usdjpy = { accountCurrency: 'USD', instruments: { USD_JPY: fx('USD_JPY', 'USD', 'JPY') }, lastPrices: { USD_JPY: '150' } };
  const es = { accountCurrency: 'USD', instruments: { ESZ2026: { symbol: 'ESZ2026', quoteCurrency: 'USD', contractSize: '50' } }, lastPrices: { ESZ2026: '6000' } };

  it('1,000 USD_JPY on a USD account is $1,000 of notional (not 1000 × 150)', () => {
    const o = { symbol: 'USD_JPY', quantity: '1000', referencePrice: '150', assetClass: 'forex' as const };
    expect(run(o, { maxOrderNotional: '1000' }, usdjpy).allowed).toBe(true);
    expect(run(o, { maxOrderNotional: '999' }, usdjpy).denial?.detail).toBe('NOTIONAL_EXCEEDS_MAX: symbol=USD_JPY, notional=1000, max=999');
  });

  it('1 ES contract at 6000 is $300,000 of notional and exposure ($50 a point)', () => {
    const o = { symbol: 'ESZ2026', quantity: '1', referencePrice: '6000', assetClass: 'future' as const };
    expect(run(o, { maxOrderNotional: '299999' }, es).denial?.detail).toBe('NOTIONAL_EXCEEDS_MAX: symbol=ESZ2026, notional=300000, max=299999');
    expect(run(o, { maxGrossExposure: '299999' }, es).denial?.detail).toBe('EXPOSURE_EXCEEDS_MAX: symbol=ESZ2026, exposure=300000, max=299999');
    expect(run(o, { maxOrderNotional: '300000', maxGrossExposure: '300000' }, es).allowed).toBe(true);
  });

  it('held positions count at their own value: 200,000 USD_JPY ($200,000) plus 1 ES ($300,000)', () => {
    const ctx = { accountCurrency: 'USD', instruments: { ...usdjpy.instruments, ...es.instruments }, lastPrices: { USD_JPY: '150', ESZ2026: '6000' }, positions: [{ symbol: 'USD_JPY', quantity: '200000' }] };
    const o = { symbol: 'ESZ2026', quantity: '1', referencePrice: '6000', assetClass: 'future' as const };
    expect(run(o, { maxGrossExposure: '499999' }, ctx).denial?.detail).toBe('EXPOSURE_EXCEEDS_MAX: symbol=ESZ2026, exposure=500000, max=499999');
    expect(run(o, { maxGrossExposure: '500000' }, ctx).allowed).toBe(true);
  });

  it('a cross it cannot value is refused while the limit is on (SIZING_NEEDS_CONVERSION), passes while it is off, and never traps an exit', () => {
    const ctx = { accountCurrency: 'USD', instruments: { EUR_GBP: fx('EUR_GBP', 'EUR', 'GBP') }, lastPrices: { EUR_GBP: '0.85' } };
    const entry = { symbol: 'EUR_GBP', quantity: '1000', referencePrice: '0.85', assetClass: 'forex' as const };
    expect(run(entry, { maxOrderNotional: '1000000' }, ctx).denial).toMatchObject({ code: 'SIZING_NEEDS_CONVERSION', values: { symbol: 'EUR_GBP', quote: 'GBP', account: 'USD', rule: 'max_order_notional' } });
    expect(run(entry, { maxGrossExposure: '1000000' }, ctx).denial).toMatchObject({ code: 'SIZING_NEEDS_CONVERSION', values: { rule: 'max_gross_exposure' } });
    expect(run(entry, {}, ctx).allowed).toBe(true);
    const exit = { ...entry, side: 'sell' as const };
    expect(run(exit, { maxOrderNotional: '1000000' }, { ...ctx, positions: [{ symbol: 'EUR_GBP', quantity: '1000' }] }).allowed).toBe(true);
  });

  it('a held symbol the caller could not describe is refused by the exposure limit rather than valued as quantity × price', () => {
    const ctx = { accountCurrency: 'USD', instruments: { ...es.instruments }, lastPrices: { ESZ2026: '6000', NQZ2026: '21000' }, positions: [{ symbol: 'NQZ2026', quantity: '1' }] };
    const o = { symbol: 'ESZ2026', quantity: '1', referencePrice: '6000', assetClass: 'future' as const };
    expect(run(o, { maxGrossExposure: '100000000' }, ctx).denial).toMatchObject({ code: 'CONTRACT_SIZE_UNKNOWN', values: { symbol: 'NQZ2026', rule: 'max_gross_exposure' } });
  });
});
