import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import type { Action, Sentiment, Signal } from '../../shared/signal.js';
import { DEFAULT_STRATEGY_CONFIG, DEFAULT_SYMBOL_MAPPING } from '../../shared/strategy-config.js';
import type { StrategyConfig } from '../../shared/strategy-config.js';
import { planSignal } from './plan.js';
import type { PlanInput, PlanResult } from './types.js';

const NOW = '2026-01-06T15:00:00Z'; // a Tuesday, 10:00 in New York

function signal(fields: Partial<Signal>): Signal {
  return { dialect: 'native', symbol: 'AAPL', ticker: 'AAPL', action: 'buy', time: NOW, ...fields };
}

function input(fields: Partial<PlanInput> & { signal: Signal }, config: Partial<StrategyConfig> = {}): PlanInput {
  return {
    config: { ...DEFAULT_STRATEGY_CONFIG, ...config },
    broker: 'paper',
    symbolTable: DEFAULT_SYMBOL_MAPPING,
    position: '0',
    openOrders: [],
    account: { equity: '100000', buyingPower: '200000', currency: 'USD' },
    instrument: { symbol: 'AAPL', assetClass: 'equity', lotSize: '1', tickSize: '0.01', minQuantity: '1', quoteCurrency: 'USD', contractSize: '1' },
    lastPrice: '100',
    now: NOW,
    ...fields,
  };
}

/** "exit:sell:10>entry:buy:5" — the legs in order, for compact golden assertions. */
function legs(result: PlanResult): string {
  if (result.kind === 'denied') return `denied:${result.denial.code}`;
  return result.intents.map((i) => `${i.leg}:${i.side}:${i.quantity}${i.dependsOn ? `(after ${i.dependsOn})` : ''}`).join('>') || 'none';
}

describe('planSignal: action x sentiment x held position (TradersPost order behaviour)', () => {
  // [action, sentiment, position, quantity in signal, expected legs]
  const table: Array<[Action, Sentiment | undefined, string, string | undefined, string]> = [
    // buy
    ['buy', undefined, '0', '5', 'entry:buy:5'],
    ['buy', undefined, '-10', '5', 'exit:buy:10>entry:buy:5(after exit)'],
    ['buy', undefined, '10', '5', 'denied:ADD_NOT_ALLOWED'],
    ['buy', 'bullish', '0', '5', 'entry:buy:5'],
    ['buy', 'bullish', '-10', '5', 'exit:buy:10>entry:buy:5(after exit)'],
    ['buy', 'flat', '-10', '5', 'exit:buy:10'],
    ['buy', 'flat', '0', '5', 'denied:NO_POSITION'],
    ['buy', 'flat', '10', '5', 'denied:NO_POSITION'],
    ['buy', 'bearish', '-10', '5', 'reduce:buy:5'],
    ['buy', 'bearish', '-10', '10', 'exit:buy:10'],
    ['buy', 'bearish', '0', '5', 'denied:NO_POSITION'],
    // sell
    ['sell', undefined, '0', '5', 'entry:sell:5'],
    ['sell', undefined, '10', '5', 'exit:sell:10>entry:sell:5(after exit)'],
    ['sell', undefined, '-10', '5', 'denied:ADD_NOT_ALLOWED'],
    ['sell', 'bearish', '10', '5', 'exit:sell:10>entry:sell:5(after exit)'],
    ['sell', 'flat', '10', '5', 'exit:sell:10'],
    ['sell', 'flat', '0', '5', 'denied:NO_POSITION'],
    ['sell', 'bullish', '10', '4', 'reduce:sell:4'],
    ['sell', 'bullish', '10', '25', 'exit:sell:10'],
    ['sell', 'bullish', '0', '4', 'denied:NO_POSITION'],
    // exit
    ['exit', undefined, '10', undefined, 'exit:sell:10'],
    ['exit', undefined, '-10', undefined, 'exit:buy:10'],
    ['exit', undefined, '10', '3', 'reduce:sell:3'],
    ['exit', undefined, '10', '30', 'exit:sell:10'],
    ['exit', 'flat', '10', undefined, 'exit:sell:10'],
    ['exit', undefined, '0', undefined, 'denied:NO_POSITION'],
    // add
    ['add', undefined, '10', '5', 'entry:buy:5'],
    ['add', undefined, '-10', '5', 'entry:sell:5'],
    ['add', undefined, '0', '5', 'denied:NO_POSITION'],
    ['add', 'bullish', '-10', '5', 'denied:NO_POSITION'],
    ['add', 'bearish', '10', '5', 'denied:NO_POSITION'],
  ];

  it.each(table)('%s sentiment=%s position=%s quantity=%s -> %s', (action, sentiment, position, quantity, expected) => {
    const result = planSignal(input({ signal: signal({ action, sentiment, quantity }), position }));
    expect(legs(result)).toBe(expected);
  });

  it('exits are reduce-only market orders and entries carry no reduce-only flag', () => {
    const result = planSignal(input({ signal: signal({ action: 'buy', quantity: '5' }), position: '-10' }));
    if (result.kind !== 'orders') throw new Error('expected orders');
    expect(result.intents[0]).toMatchObject({ leg: 'exit', reduceOnly: true, type: 'market', symbol: 'AAPL' });
    expect(result.intents[1]?.reduceOnly).toBeUndefined();
  });

  it('allowAdd turns a same-side buy into an add', () => {
    expect(legs(planSignal(input({ signal: signal({ action: 'buy', quantity: '5' }), position: '10' }, { allowAdd: true })))).toBe('entry:buy:5');
  });

  it('exit-only strategies close the opposite position without reversing, and say so', () => {
    const result = planSignal(input({ signal: signal({ action: 'sell', quantity: '5' }), position: '10' }, { oppositeSignal: 'exit_only' }));
    expect(legs(result)).toBe('exit:sell:10');
    expect(result.warnings.join(' ')).toMatch(/exit-only/);
  });

  it('a long-only strategy: sell while long exits, sell while flat is SIDE_NOT_ALLOWED', () => {
    expect(legs(planSignal(input({ signal: signal({ action: 'sell', quantity: '5' }), position: '10' }, { sides: 'long' })))).toBe('exit:sell:10');
    const denied = planSignal(input({ signal: signal({ action: 'sell', quantity: '5' }) }, { sides: 'long' }));
    expect(denied).toMatchObject({ kind: 'denied', denial: { code: 'SIDE_NOT_ALLOWED', detail: 'SIDE_NOT_ALLOWED: symbol=AAPL, side=short, sides=long' } });
  });

  it('cancel cancels the symbol\'s open orders and places none; with no open orders there is nothing to do', () => {
    const open = [{ symbol: 'AAPL', side: 'buy' as const, quantity: '5' }];
    expect(planSignal(input({ signal: signal({ action: 'cancel' }), openOrders: open }))).toMatchObject({ kind: 'orders', intents: [], cancelOpenOrdersFirst: true });
    expect(planSignal(input({ signal: signal({ action: 'cancel' }) }))).toMatchObject({ kind: 'denied', denial: { code: 'NOTHING_TO_DO' } });
  });

  it('open orders are cancelled first by default; the alert\'s cancel:false keeps them', () => {
    const open = [{ symbol: 'AAPL', side: 'sell' as const, quantity: '5' }];
    expect(planSignal(input({ signal: signal({ quantity: '1' }), openOrders: open }))).toMatchObject({ cancelOpenOrdersFirst: true });
    expect(planSignal(input({ signal: signal({ quantity: '1', cancel: false }), openOrders: open }))).toMatchObject({ cancelOpenOrdersFirst: false });
    expect(planSignal(input({ signal: signal({ quantity: '1' }) }))).toMatchObject({ cancelOpenOrdersFirst: false });
  });
});

describe('planSignal: golden scenarios', () => {
  it('reversal long 10 -> short 3 with limit price, brackets and tick rounding', () => {
    const result = planSignal(
      input({
        signal: signal({ action: 'sell', sentiment: 'bearish', quantity: '3', orderType: 'limit', limitPrice: '100.004', takeProfit: { percent: '10' }, stopLoss: { type: 'stop', amount: '5' } }),
        position: '10',
      }),
    );
    expect(result).toMatchObject({
      kind: 'orders',
      intents: [
        { leg: 'exit', side: 'sell', quantity: '10', type: 'limit', limitPrice: '100.01', reduceOnly: true },
        // a sell limit rounds UP to the tick; the short's take profit is below, its stop above the entry
        { leg: 'entry', side: 'sell', quantity: '3', type: 'limit', limitPrice: '100.01', dependsOn: 'exit', takeProfit: { limitPrice: '90.01' }, stopLoss: { stopPrice: '105.01' } },
      ],
    });
  });

  it('a buy limit price rounds DOWN to the tick', () => {
    const result = planSignal(input({ signal: signal({ quantity: '1', orderType: 'limit', limitPrice: '100.009' }) }));
    expect(result).toMatchObject({ intents: [{ limitPrice: '100' }] });
  });

  it('partial exit by percent of position, then the remainder by a plain exit', () => {
    const first = planSignal(input({ signal: signal({ action: 'exit', quantity: '20', quantityType: 'percent_of_position' }), position: '15' }));
    expect(legs(first)).toBe('reduce:sell:3');
    const second = planSignal(input({ signal: signal({ action: 'exit' }), position: '12' }));
    expect(legs(second)).toBe('exit:sell:12');
  });

  it('a sell with percent_of_position while long sells that part of the long and never opens a short (TradersPost: "selling 50% of the open position")', () => {
    const half = planSignal(input({ signal: signal({ action: 'sell', quantity: '50', quantityType: 'percent_of_position' }), position: '10' }));
    expect(legs(half)).toBe('reduce:sell:5');
    expect(half).toMatchObject({ intents: [{ reduceOnly: true }] });
    const all = planSignal(input({ signal: signal({ action: 'sell', quantity: '100', quantityType: 'percent_of_position' }), position: '10' }));
    expect(legs(all)).toBe('exit:sell:10');
    const cover = planSignal(input({ signal: signal({ action: 'buy', quantity: '25', quantityType: 'percent_of_position' }), position: '-8' }));
    expect(legs(cover)).toBe('reduce:buy:2');
    // With the account sizing its own entries the percent still sizes the reduction (as for an exit).
    const own = planSignal(input({ signal: signal({ action: 'sell', quantity: '50', quantityType: 'percent_of_position' }), position: '10' }, { useSignalQuantity: false }));
    expect(legs(own)).toBe('reduce:sell:5');
    // Flat, there is no position to take a percent of.
    expect(legs(planSignal(input({ signal: signal({ action: 'sell', quantity: '50', quantityType: 'percent_of_position' }), position: '0' })))).toBe('denied:NO_POSITION');
  });

  it('a limit or stop price the orders do not use is said in the warnings, not dropped silently', () => {
    const noType = planSignal(input({ signal: signal({ quantity: '1', price: '200', stopPrice: '210' }) }));
    expect(noType).toMatchObject({ kind: 'orders', intents: [{ type: 'market' }] });
    expect(noType.warnings).toEqual(['"stopPrice" NOT applied: the order is market (the alert has no "orderType", so the strategy\'s order type is used). Send the matching "orderType" (limit, stop, stop_limit, trailing_stop) to use it.']);
    const market = planSignal(input({ signal: signal({ quantity: '1', orderType: 'market', limitPrice: '240' }) }));
    expect(market.warnings.join(' ')).toContain('"limitPrice" NOT applied: the order is market (the alert\'s "orderType" is market)');
    const used = planSignal(input({ signal: signal({ quantity: '1', orderType: 'stop_limit', stopPrice: '101', limitPrice: '102' }) }));
    expect(used.warnings).toEqual([]);
    const strategyLimit = planSignal(input({ signal: signal({ quantity: '1', limitPrice: '99' }) }, { orderType: 'limit' }));
    expect(strategyLimit).toMatchObject({ intents: [{ type: 'limit', limitPrice: '99' }], warnings: [] });
  });

  it('percent_of_position on a fractional position rounds down to the lot', () => {
    const result = planSignal(
      input({
        signal: signal({ symbol: 'BTCUSD', ticker: 'BTCUSD', action: 'exit', quantity: '33', quantityType: 'percent_of_position' }),
        position: '0.5',
        instrument: { symbol: 'BTCUSD', assetClass: 'crypto', lotSize: '0.001', tickSize: '0.01', minQuantity: '0.001', baseCurrency: 'BTC', quoteCurrency: 'USD', contractSize: '1' },
      }),
    );
    expect(legs(result)).toBe('reduce:sell:0.165');
  });

  it('add to position with strategy sizing (dollar amount) when the signal quantity is not used', () => {
    const result = planSignal(
      input({ signal: signal({ action: 'add', quantity: '999' }), position: '10', lastPrice: '250' }, { useSignalQuantity: false, sizing: { method: 'dollar_amount', amount: '2600' } }),
    );
    expect(legs(result)).toBe('entry:buy:10');
  });

  it('risk sizing uses the distance to the stop loss', () => {
    const result = planSignal(
      input({ signal: signal({ quantity: '100', quantityType: 'risk_dollar_amount', orderType: 'limit', limitPrice: '100', stopLoss: { stopPrice: '90' } }) }),
    );
    expect(result).toMatchObject({ intents: [{ quantity: '10', stopLoss: { stopPrice: '90' } }] });
    const noStop = planSignal(input({ signal: signal({ quantity: '100', quantityType: 'risk_dollar_amount' }) }));
    expect(noStop).toMatchObject({ kind: 'denied', denial: { code: 'STOP_LOSS_REQUIRED' } });
  });

  it('default take profit / stop loss from the strategy apply to entries, with the last price as reference for market orders', () => {
    const result = planSignal(input({ signal: signal({ quantity: '1' }), lastPrice: '200' }, { takeProfit: { percent: '5' }, stopLoss: { percent: '2' } }));
    expect(result).toMatchObject({ intents: [{ type: 'market', referencePrice: '200', takeProfit: { limitPrice: '210' }, stopLoss: { stopPrice: '196' } }] });
  });

  it('a size that rounds to zero is QUANTITY_ROUNDS_TO_ZERO with its values', () => {
    const result = planSignal(input({ signal: signal({ quantity: '50', quantityType: 'dollar_amount' }), lastPrice: '189.42' }));
    expect(result).toMatchObject({ kind: 'denied', denial: { code: 'QUANTITY_ROUNDS_TO_ZERO', detail: 'QUANTITY_ROUNDS_TO_ZERO: symbol=AAPL, quantity=0.26396368, lot=1' } });
  });

  it('a count rounded down to the lot is said in the warnings; a money amount rounded down is not', () => {
    const counted = planSignal(input({ signal: signal({ quantity: '1.5' }) }));
    expect(legs(counted)).toBe('entry:buy:1');
    expect(counted).toMatchObject({ warnings: ['The quantity 1.5 was rounded down to 1: AAPL trades in lots of 1.'] });
    const partial = planSignal(input({ signal: signal({ action: 'exit', quantity: '2.5' }), position: '10' }, { useSignalQuantity: true }));
    expect(partial).toMatchObject({ warnings: expect.arrayContaining(['The quantity 2.5 was rounded down to 2: AAPL trades in lots of 1.']) });
    const money = planSignal(input({ signal: signal({ quantity: '250', quantityType: 'dollar_amount' }) }));
    expect(legs(money)).toBe('entry:buy:2');
    expect(money).toMatchObject({ warnings: [] });
  });

  it('an unmapped ticker is SYMBOL_UNMAPPED before anything else', () => {
    const result = planSignal(input({ signal: signal({ symbol: 'ES1!', ticker: 'ES1!' }), broker: 'alpaca' }));
    expect(result).toMatchObject({ kind: 'denied', denial: { code: 'SYMBOL_UNMAPPED', values: { ticker: 'ES1!', broker: 'alpaca' } } });
  });

  it('maps the symbol for the broker (OANDA:EURUSD -> EUR_USD) and uses it in the intent', () => {
    const result = planSignal(
      input({
        signal: signal({ symbol: 'EURUSD', exchange: 'OANDA', ticker: 'OANDA:EURUSD', quantity: '1000' }),
        broker: 'oanda',
        instrument: { symbol: 'EUR_USD', assetClass: 'forex', lotSize: '1', tickSize: '0.00001', minQuantity: '1', baseCurrency: 'EUR', quoteCurrency: 'USD', contractSize: '1' },
      }),
    );
    expect(result).toMatchObject({ kind: 'orders', symbol: 'EUR_USD', intents: [{ symbol: 'EUR_USD', quantity: '1000' }] });
  });

  it('manual approval carries its expiry', () => {
    const result = planSignal(input({ signal: signal({ quantity: '1' }) }, { approval: { mode: 'manual', timeoutSeconds: 120 } }));
    expect(result).toMatchObject({ approval: { mode: 'manual', expiresAt: '2026-01-06T15:02:00.000Z' } });
  });
});

describe('planSignal: staleness and trading windows', () => {
  const old = '2026-01-06T14:58:00Z'; // 120 s before NOW

  it('a stale alert that would open is STALE_ALERT', () => {
    const result = planSignal(input({ signal: signal({ quantity: '5', time: old }) }));
    expect(result).toMatchObject({ kind: 'denied', denial: { code: 'STALE_ALERT', detail: 'STALE_ALERT: symbol=AAPL, age=120, max=60' } });
  });

  it('a stale alert that only closes still runs', () => {
    expect(legs(planSignal(input({ signal: signal({ action: 'exit', time: old }), position: '10' })))).toBe('exit:sell:10');
  });

  it('a stale reversal keeps its exit and drops its entry, with a warning', () => {
    const result = planSignal(input({ signal: signal({ action: 'sell', quantity: '5', time: old }), position: '10' }));
    expect(legs(result)).toBe('exit:sell:10');
    expect(result.warnings.join(' ')).toMatch(/STALE_ALERT/);
  });

  it('an alert\'s own maximum age (3Commas max_lag) applies when it is stricter than the strategy\'s', () => {
    const thirty = '2026-01-06T14:59:30Z'; // 30 s before NOW
    expect(planSignal(input({ signal: signal({ quantity: '5', time: thirty, maxAgeSeconds: 20 }) }))).toMatchObject({
      kind: 'denied',
      denial: { code: 'STALE_ALERT', detail: 'STALE_ALERT: symbol=AAPL, age=30, max=20' },
    });
    expect(legs(planSignal(input({ signal: signal({ quantity: '5', time: thirty, maxAgeSeconds: 300 }) })))).toBe('entry:buy:5');
    expect(planSignal(input({ signal: signal({ quantity: '5', time: old, maxAgeSeconds: 300 }) }))).toMatchObject({ kind: 'denied', denial: { code: 'STALE_ALERT' } });
  });

  it('an alert dated ahead of this clock is planned, with a warning that the clocks disagree', () => {
    const ahead = planSignal(input({ signal: signal({ quantity: '5', time: '2026-01-06T15:01:00Z' }) }));
    expect(legs(ahead)).toBe('entry:buy:5');
    expect(ahead.warnings.join(' ')).toMatch(/60 s ahead of this computer's clock/);
    expect(planSignal(input({ signal: signal({ quantity: '5', time: '2026-01-06T15:00:02Z' }) })).warnings).toEqual([]);
  });

  it('the maximum age is configurable per account', () => {
    const result = planSignal({ ...input({ signal: signal({ quantity: '5', time: old }) }), accountOverride: { maxAlertAgeSeconds: 300 } });
    expect(legs(result)).toBe('entry:buy:5');
  });

  const windows = { timezone: 'America/New_York', allowExitsOutside: true, windows: [{ days: ['mon' as const, 'tue' as const, 'wed' as const, 'thu' as const, 'fri' as const], start: '09:30', end: '16:00' }] };
  const evening = '2026-01-06T23:00:00Z'; // 18:00 in New York

  it('an entry outside the trading window is OUTSIDE_TRADING_WINDOW, naming the local time', () => {
    const result = planSignal(input({ signal: signal({ quantity: '5', time: evening }), now: evening }, { tradingWindows: windows }));
    expect(result).toMatchObject({ kind: 'denied', denial: { code: 'OUTSIDE_TRADING_WINDOW', values: { time: 'Tue 18:00', timezone: 'America/New_York' } } });
  });

  it('an exit outside the trading window still runs (unless exits are configured to wait)', () => {
    expect(legs(planSignal(input({ signal: signal({ action: 'exit', time: evening }), position: '10', now: evening }, { tradingWindows: windows })))).toBe('exit:sell:10');
    const strict = { ...windows, allowExitsOutside: false };
    expect(legs(planSignal(input({ signal: signal({ action: 'exit', time: evening }), position: '10', now: evening }, { tradingWindows: strict })))).toBe('denied:OUTSIDE_TRADING_WINDOW');
  });

  it('a reversal outside the window exits only; ignoreTradingWindows lets the entry through', () => {
    expect(legs(planSignal(input({ signal: signal({ action: 'sell', quantity: '5', time: evening }), position: '10', now: evening }, { tradingWindows: windows })))).toBe('exit:sell:10');
    expect(legs(planSignal(input({ signal: signal({ action: 'sell', quantity: '5', time: evening, ignoreTradingWindows: true }), position: '10', now: evening }, { tradingWindows: windows })))).toBe(
      'exit:sell:10>entry:sell:5(after exit)',
    );
  });
});

describe('planSignal: an explicit close of one side (closeSide)', () => {
  const closeLong = signal({ dialect: 'pineconnector', action: 'exit', marketPosition: 'flat', prevMarketPosition: 'long', closeSide: 'long' });
  const closeShort = signal({ dialect: 'pineconnector', action: 'exit', marketPosition: 'flat', prevMarketPosition: 'short', closeSide: 'short' });

  it('closes the named side when it is held', () => {
    expect(legs(planSignal(input({ signal: closeLong, position: '3' })))).toBe('exit:sell:3');
    expect(legs(planSignal(input({ signal: closeShort, position: '-4' })))).toBe('exit:buy:4');
  });

  it('never closes the other side: NO_POSITION naming the side asked for and the side held', () => {
    const r = planSignal(input({ signal: closeLong, position: '-3' }));
    expect(r).toMatchObject({ kind: 'denied', denial: { code: 'NO_POSITION', values: { side: 'long', held: 'short', position: '-3' } } });
    if (r.kind === 'denied') expect(r.denial.detail).toContain('side=long');
    expect(planSignal(input({ signal: closeShort, position: '4' }))).toMatchObject({ kind: 'denied', denial: { code: 'NO_POSITION', values: { side: 'short', held: 'long' } } });
    expect(planSignal(input({ signal: closeLong, position: '0' }))).toMatchObject({ kind: 'denied', denial: { code: 'NO_POSITION', values: { side: 'long', position: '0' } } });
  });

  it('a native strategy alert going flat (no closeSide) still closes whatever is held', () => {
    const flat = signal({ action: 'sell', marketPosition: 'flat', prevMarketPosition: 'long' });
    expect(legs(planSignal(input({ signal: flat, position: '-3' })))).toBe('exit:buy:3');
  });
});

describe('planSignal: target-position mode', () => {
  it('trades the difference between target and held position', () => {
    expect(legs(planSignal(input({ signal: signal({ action: 'buy', positionSize: '10' }), position: '4' })))).toBe('entry:buy:6');
    expect(legs(planSignal(input({ signal: signal({ action: 'sell', positionSize: '4' }), position: '10' })))).toBe('reduce:sell:6');
    expect(legs(planSignal(input({ signal: signal({ action: 'sell', positionSize: '0' }), position: '10' })))).toBe('exit:sell:10');
    expect(legs(planSignal(input({ signal: signal({ action: 'sell', marketPosition: 'short', marketPositionSize: '3' }), position: '10' })))).toBe(
      'exit:sell:10>entry:sell:3(after exit)',
    );
  });

  it('a re-sent alert changes nothing (NOTHING_TO_DO) and reports no drift', () => {
    const s = signal({ action: 'buy', marketPosition: 'long', marketPositionSize: '10', prevMarketPosition: 'flat', prevMarketPositionSize: '0' });
    const first = planSignal(input({ signal: s, position: '0' }));
    expect(legs(first)).toBe('entry:buy:10');
    const again = planSignal(input({ signal: s, position: '10' }));
    expect(again).toMatchObject({ kind: 'denied', denial: { code: 'NOTHING_TO_DO', values: { position: '10', target: '10' } } });
    expect(again.drift).toBeUndefined();
  });

  it('a missed alert is repaired by the next one, and the disagreement is reported as drift', () => {
    // The strategy went long 10 (alert missed), then adds 5: the alert says prev long 10, now long 15; we hold 0.
    const result = planSignal(input({ signal: signal({ action: 'buy', marketPosition: 'long', marketPositionSize: '15', prevMarketPosition: 'long', prevMarketPositionSize: '10' }), position: '0' }));
    expect(legs(result)).toBe('entry:buy:15');
    expect(result.drift).toEqual({
      symbol: 'AAPL',
      expected: '10',
      actual: '0',
      differs: ['direction', 'size'],
      message: 'The alert says the strategy held 10 AAPL before this order, but the account holds 0 (direction and size differ).',
    });
  });

  it('drift is reported in action mode too when prev position disagrees', () => {
    const result = planSignal(input({ signal: signal({ action: 'exit', prevMarketPosition: 'long', prevMarketPositionSize: '10' }), position: '7' }));
    expect(legs(result)).toBe('exit:sell:7');
    expect(result.drift).toMatchObject({ expected: '10', actual: '7', differs: ['size'] });
  });

  it('an account that sizes its own positions (useSignalQuantity off) takes the direction from the target and its size from sizing; adds and partial exits in proportion', () => {
    const own: Partial<StrategyConfig> = { useSignalQuantity: false, sizing: { method: 'fixed_quantity', amount: '2' } };
    const step = (fields: Partial<Signal>, position: string) => planSignal(input({ signal: signal(fields), position }, own));
    // Opened: 2, not TradingView's 10 (with a note saying so).
    const open = step({ action: 'buy', positionSize: '10', marketPosition: 'long', prevMarketPosition: 'flat', prevMarketPositionSize: '0' }, '0');
    expect(legs(open)).toBe('entry:buy:2');
    expect(open.warnings.join(' ')).toMatch(/Sized by the account.*a long of 2 for the alert's 10/);
    // The same alert again: nothing more.
    expect(legs(step({ action: 'buy', positionSize: '10', marketPosition: 'long', prevMarketPosition: 'flat', prevMarketPositionSize: '0' }, '2'))).toBe('denied:NOTHING_TO_DO');
    // Pyramiding 10 → 20 doubles the account's 2; a take-profit 20 → 5 leaves a quarter.
    expect(legs(step({ action: 'buy', positionSize: '20', prevMarketPosition: 'long', prevMarketPositionSize: '10' }, '2'))).toBe('entry:buy:2');
    expect(legs(step({ action: 'sell', positionSize: '5', prevMarketPosition: 'long', prevMarketPositionSize: '20' }, '4'))).toBe('reduce:sell:3');
    // Flat is flat; a reversal goes to the account's own size on the other side.
    expect(legs(step({ action: 'sell', positionSize: '0', prevMarketPosition: 'long', prevMarketPositionSize: '5' }, '1'))).toBe('exit:sell:1');
    expect(legs(step({ action: 'sell', marketPosition: 'short', marketPositionSize: '10', prevMarketPosition: 'long', prevMarketPositionSize: '10' }, '2'))).toBe('exit:sell:2>entry:sell:2(after exit)');
  });

  it('an own-sized account with a change of size but no previous size keeps its position and says why', () => {
    const result = planSignal(input({ signal: signal({ action: 'buy', positionSize: '20' }), position: '2' }, { useSignalQuantity: false, sizing: { method: 'fixed_quantity', amount: '2' } }));
    expect(result).toMatchObject({ kind: 'denied', denial: { code: 'NOTHING_TO_DO' } });
    expect(result.warnings.join(' ')).toMatch(/no previous position size \(prevMarketPositionSize\)/);
  });

  it('a stale target alert may still reduce but not grow', () => {
    const old = '2026-01-06T14:50:00Z';
    expect(legs(planSignal(input({ signal: signal({ action: 'sell', positionSize: '2', time: old }), position: '10' })))).toBe('reduce:sell:8');
    expect(legs(planSignal(input({ signal: signal({ action: 'buy', positionSize: '20', time: old }), position: '10' })))).toBe('denied:STALE_ALERT');
  });

  it('property: re-sending a target-position alert once it has been executed never trades', () => {
    const qty = fc.integer({ min: -500, max: 500 }).map(String);
    fc.assert(
      fc.property(qty, qty, fc.constantFrom<Action>('buy', 'sell', 'exit', 'add'), (held, target, action) => {
        const s = signal({ action, positionSize: target });
        const first = planSignal(input({ signal: s, position: held }));
        let after = new Decimal(held);
        if (first.kind === 'orders') for (const i of first.intents) after = after.plus(new Decimal(i.quantity).mul(i.side === 'buy' ? 1 : -1));
        if (!after.eq(target)) return true; // the first alert was (partly) refused; nothing to re-send against
        const again = planSignal(input({ signal: s, position: after.toFixed() }));
        return again.kind === 'denied' && again.denial.code === 'NOTHING_TO_DO';
      }),
      { numRuns: 1000 },
    );
  });

  it('property: a target-position plan, when filled, lands exactly on the target (on a whole-unit grid)', () => {
    const qty = fc.integer({ min: -500, max: 500 });
    fc.assert(
      fc.property(qty, qty, (held, target) => {
        const result = planSignal(input({ signal: signal({ action: 'buy', positionSize: String(target) }), position: String(held) }));
        if (held === target) return result.kind === 'denied' && result.denial.code === 'NOTHING_TO_DO';
        if (result.kind !== 'orders') return false;
        const filled = result.intents.reduce((p, i) => p + Number(i.quantity) * (i.side === 'buy' ? 1 : -1), held);
        return filled === target;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('planSignal: properties', () => {
  it('every intent quantity is positive and on the lot grid; exits never cross through zero', () => {
    const lots = fc.constantFrom('1', '0.01', '0.001', '5');
    const amount = fc.integer({ min: 0, max: 100000 }).map((n) => new Decimal(n).div(100).toFixed());
    fc.assert(
      fc.property(
        fc.constantFrom<Action>('buy', 'sell', 'exit', 'add'),
        fc.option(fc.constantFrom<Sentiment>('bullish', 'bearish', 'flat'), { nil: undefined }),
        fc.integer({ min: -1000, max: 1000 }),
        lots,
        amount,
        fc.constantFrom('fixed_quantity', 'dollar_amount', 'percent_of_equity', 'percent_of_position' as const),
        fc.boolean(),
        (action, sentiment, heldUnits, lot, quantity, quantityType, allowAdd) => {
          const held = new Decimal(heldUnits).mul(lot);
          const result = planSignal(
            input(
              { signal: signal({ action, sentiment, quantity, quantityType }), position: held.toFixed(), instrument: { symbol: 'AAPL', assetClass: 'equity', lotSize: lot, tickSize: '0.01', minQuantity: lot, quoteCurrency: 'USD', contractSize: '1' } },
              { allowAdd },
            ),
          );
          if (result.kind === 'denied') return true;
          let pos = held;
          for (const intent of result.intents) {
            const q = new Decimal(intent.quantity);
            if (!q.gt(0) || !q.mod(lot).isZero()) return false;
            const next = pos.plus(intent.side === 'buy' ? q : q.neg());
            if (intent.leg !== 'entry' && (next.abs().gt(pos.abs()) || (!next.isZero() && next.isNeg() !== pos.isNeg()))) return false;
            pos = next;
          }
          return true;
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('planSignal: a bracket must sit on its own side of the entry price (BRACKET_WRONG_SIDE)', () => {
  const denial = (result: PlanResult): string | undefined => (result.kind === 'denied' ? result.denial.code : undefined);

  it('the audit alert: a long with the take profit below and the stop above the entry is denied, naming what to change', () => {
    const result = planSignal(
      input({ signal: signal({ action: 'buy', quantity: '10', price: '100', takeProfit: { limitPrice: '90' }, stopLoss: { stopPrice: '110' } }), lastPrice: undefined }),
    );
    expect(result).toMatchObject({
      kind: 'denied',
      denial: {
        code: 'BRACKET_WRONG_SIDE',
        detail: 'BRACKET_WRONG_SIDE: symbol=AAPL, field=takeProfit.limitPrice, side=long, entryPrice=100, price=90, need=above 100',
        values: { field: 'takeProfit.limitPrice', side: 'long', entryPrice: '100', price: '90', need: 'above 100' },
      },
    });
  });

  it('long, absolute prices: right side passes; a wrong or equal take profit or stop loss is denied', () => {
    const plan = (tp: string, sl: string): PlanResult => planSignal(input({ signal: signal({ quantity: '1', takeProfit: { limitPrice: tp }, stopLoss: { stopPrice: sl } }), lastPrice: '100' }));
    expect(plan('110', '90')).toMatchObject({ kind: 'orders', intents: [{ takeProfit: { limitPrice: '110' }, stopLoss: { stopPrice: '90' } }] });
    expect(plan('90', '80')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'takeProfit.limitPrice', price: '90', need: 'above 100' } } });
    expect(plan('100', '90')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'takeProfit.limitPrice', price: '100' } } });
    expect(plan('110', '120')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.stopPrice', side: 'long', price: '120', need: 'below 100' } } });
    expect(plan('110', '100')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.stopPrice', price: '100' } } });
  });

  it('short, absolute prices: the take profit must be below and the stop above', () => {
    const plan = (tp: string, sl: string): PlanResult =>
      planSignal(input({ signal: signal({ action: 'sell', quantity: '1', takeProfit: { limitPrice: tp }, stopLoss: { stopPrice: sl } }), lastPrice: '100' }));
    expect(plan('90', '110')).toMatchObject({ kind: 'orders', intents: [{ side: 'sell', takeProfit: { limitPrice: '90' }, stopLoss: { stopPrice: '110' } }] });
    expect(plan('110', '120')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'takeProfit.limitPrice', side: 'short', price: '110', need: 'below 100' } } });
    expect(plan('90', '95')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.stopPrice', side: 'short', price: '95', need: 'above 100' } } });
    expect(plan('90', '100')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE' } });
    expect(plan('100', '110')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE' } });
  });

  it('a limit entry is compared with its limit price, not the last price', () => {
    const plan = (action: 'buy' | 'sell', tp: string, sl: string): PlanResult =>
      planSignal(input({ signal: signal({ action, quantity: '1', orderType: 'limit', limitPrice: '50', takeProfit: { limitPrice: tp }, stopLoss: { stopPrice: sl } }), lastPrice: '100' }));
    // Against the last price (100) the take profit 60 would be wrong; against the limit (50) it is right.
    expect(plan('buy', '60', '45')).toMatchObject({ kind: 'orders', intents: [{ type: 'limit', limitPrice: '50', takeProfit: { limitPrice: '60' }, stopLoss: { stopPrice: '45' } }] });
    expect(plan('buy', '48', '45')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'takeProfit.limitPrice', entryPrice: '50', price: '48' } } });
    expect(plan('buy', '60', '55')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.stopPrice', entryPrice: '50', price: '55' } } });
    expect(plan('sell', '40', '55')).toMatchObject({ kind: 'orders' });
    expect(plan('sell', '40', '45')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.stopPrice', side: 'short', entryPrice: '50' } } });
  });

  it('a stop-limit stop loss: the stop and its limit both belong on the losing side', () => {
    const plan = (stopPrice: string, limitPrice: string, action: 'buy' | 'sell' = 'buy'): PlanResult =>
      planSignal(input({ signal: signal({ action, quantity: '1', stopLoss: { type: 'stop_limit', stopPrice, limitPrice } }), lastPrice: '100' }));
    expect(plan('95', '94')).toMatchObject({ kind: 'orders', intents: [{ stopLoss: { stopPrice: '95', limitPrice: '94' } }] });
    expect(plan('95', '101')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.limitPrice', price: '101', need: 'below 100' } } });
    expect(plan('95', '100')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.limitPrice' } } });
    expect(plan('105', '106', 'sell')).toMatchObject({ kind: 'orders' });
    expect(plan('105', '99', 'sell')).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.limitPrice', side: 'short', need: 'above 100' } } });
  });

  it('percent and amount forms land on the right side; a zero offset (the entry price itself) is denied', () => {
    const plan = (action: 'buy' | 'sell', takeProfit: Signal['takeProfit'], stopLoss: Signal['stopLoss']): PlanResult =>
      planSignal(input({ signal: signal({ action, quantity: '1', takeProfit, stopLoss }), lastPrice: '100' }));
    expect(plan('buy', { percent: '5' }, { amount: '3' })).toMatchObject({ intents: [{ takeProfit: { limitPrice: '105' }, stopLoss: { stopPrice: '97' } }] });
    expect(plan('sell', { amount: '5' }, { percent: '3' })).toMatchObject({ intents: [{ takeProfit: { limitPrice: '95' }, stopLoss: { stopPrice: '103' } }] });
    expect(plan('buy', { percent: '0' }, { amount: '3' })).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'takeProfit.percent', price: '100' } } });
    expect(plan('sell', { amount: '5' }, { amount: '0' })).toMatchObject({ denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.amount', side: 'short' } } });
    // The strategy's defaults are the same forms.
    const defaults = planSignal(input({ signal: signal({ quantity: '1' }), lastPrice: '100' }, { takeProfit: { percent: '0' } }));
    expect(denial(defaults)).toBe('BRACKET_WRONG_SIDE');
  });

  it('trailing stops have no fixed price and pass; with no reference price at all the absolute bracket passes as before', () => {
    const trail = planSignal(input({ signal: signal({ quantity: '1', stopLoss: { type: 'trailing_stop', trailPercent: '2' } }), lastPrice: '100' }));
    expect(trail).toMatchObject({ kind: 'orders', intents: [{ stopLoss: { trailPercent: '2' } }] });
    const noPrice = planSignal(input({ signal: signal({ quantity: '1', takeProfit: { limitPrice: '90' }, stopLoss: { stopPrice: '110' } }), lastPrice: undefined }));
    expect(noPrice).toMatchObject({ kind: 'orders', intents: [{ takeProfit: { limitPrice: '90' }, stopLoss: { stopPrice: '110' } }] });
  });

  it('risk sizing with a stop on the wrong side is BRACKET_WRONG_SIDE, not a size from the wrong distance', () => {
    const result = planSignal(
      input({ signal: signal({ quantity: '100', quantityType: 'risk_dollar_amount', orderType: 'limit', limitPrice: '100', stopLoss: { stopPrice: '110' } }) }),
    );
    expect(result).toMatchObject({ kind: 'denied', denial: { code: 'BRACKET_WRONG_SIDE', values: { field: 'stopLoss.stopPrice', price: '110' } } });
  });
});
