// Money-based sizing in the account's currency: the instrument's quote currency and contract size (a future's
// point value) decide the quantity, and an amount the agent cannot convert with certainty is refused.
import { describe, expect, it } from 'vitest';
import { DEFAULT_STRATEGY_CONFIG, DEFAULT_SYMBOL_MAPPING } from '../../shared/strategy-config.js';
import type { Signal } from '../../shared/signal.js';
import type { InstrumentView } from './broker-view.js';
import { FUTURES_POINT_VALUES, futuresContractOf } from './contract-specs.js';
import { planSignal } from './plan.js';
import { computeQuantity } from './sizing.js';
import type { SizingInput } from './sizing.js';
import { notionalValue, quantityPerLot, valuationOf } from './valuation.js';
import type { PlanInput } from './types.js';

const fx = (symbol: string, base: string, quote: string): InstrumentView => ({ symbol, assetClass: 'forex', lotSize: '1', tickSize: '0.00001', minQuantity: '1', baseCurrency: base, quoteCurrency: quote, contractSize: '1' });
const future = (symbol: string, root: string): InstrumentView => {
  const spec = futuresContractOf(symbol);
  const info: InstrumentView = { symbol, assetClass: 'future', lotSize: '1', tickSize: '0.25', minQuantity: '1', quoteCurrency: 'USD' };
  if (spec?.root === root && spec.pointValue !== undefined) info.contractSize = spec.pointValue;
  return info;
};
const crypto = (symbol: string, base: string, quote: string): InstrumentView => ({ symbol, assetClass: 'crypto', lotSize: '0.0001', tickSize: '0.01', minQuantity: '0.0001', baseCurrency: base, quoteCurrency: quote, contractSize: '1' });

function size(instrument: InstrumentView, account: string, input: Omit<SizingInput, 'lotSize' | 'minQuantity'>) {
  return computeQuantity({ lotSize: instrument.lotSize, minQuantity: instrument.minQuantity, valuation: valuationOf(instrument, account), lot: quantityPerLot(instrument), ...input });
}

describe('dollar and percent-of-equity sizing in the account currency', () => {
  it('USD_JPY on a USD account: $1,000 buys 1,000 units (the base is the account currency), not 1000 ÷ 150', () => {
    expect(size(fx('USD_JPY', 'USD', 'JPY'), 'USD', { method: 'dollar_amount', amount: '1000', price: '150.000' })).toMatchObject({ ok: true, quantity: '1000' });
  });

  it('EUR_USD on a USD account: $1,000 at 1.08 buys 925 EUR (the quote is the account currency)', () => {
    expect(size(fx('EUR_USD', 'EUR', 'USD'), 'USD', { method: 'dollar_amount', amount: '1000', price: '1.08' })).toMatchObject({ ok: true, quantity: '925' });
  });

  it('EUR_GBP on a USD account is refused with SIZING_NEEDS_CONVERSION (no GBP→USD rate is known), for every money method', () => {
    const eurgbp = fx('EUR_GBP', 'EUR', 'GBP');
    for (const input of [
      { method: 'dollar_amount', amount: '1000', price: '0.85' },
      { method: 'percent_of_equity', amount: '10', equity: '100000', price: '0.85' },
      { method: 'risk_dollar_amount', amount: '500', stopDistance: '0.005', price: '0.85' },
    ] as const) {
      expect(size(eurgbp, 'USD', input)).toMatchObject({ ok: false, code: 'SIZING_NEEDS_CONVERSION', values: { symbol: 'EUR_GBP', base: 'EUR', quote: 'GBP', account: 'USD', sizing: input.method } });
    }
  });

  it('a fixed quantity of a cross needs no conversion and is kept', () => {
    expect(size(fx('EUR_GBP', 'EUR', 'GBP'), 'USD', { method: 'fixed_quantity', amount: '1000' })).toMatchObject({ ok: true, quantity: '1000' });
  });

  it('ETH/BTC on a USDT account: dollar amount and percent of equity are refused, never 1000 ÷ 0.05 = 20,000 ETH', () => {
    const ethbtc = crypto('ETH/BTC', 'ETH', 'BTC');
    expect(size(ethbtc, 'USDT', { method: 'dollar_amount', amount: '1000', price: '0.05' })).toMatchObject({ ok: false, code: 'SIZING_NEEDS_CONVERSION' });
    expect(size(ethbtc, 'USDT', { method: 'percent_of_equity', amount: '10', equity: '100000', price: '0.05' })).toMatchObject({ ok: false, code: 'SIZING_NEEDS_CONVERSION' });
  });

  it('a stablecoin is not its fiat currency: BTC/USD on a USDT account is refused; BTC/USDT on a USDT account is sized as is', () => {
    expect(size(crypto('BTC/USD', 'BTC', 'USD'), 'USDT', { method: 'dollar_amount', amount: '1000', price: '50000' })).toMatchObject({ ok: false, code: 'SIZING_NEEDS_CONVERSION' });
    expect(size(crypto('BTC/USDT', 'BTC', 'USDT'), 'USDT', { method: 'dollar_amount', amount: '1000', price: '50000' })).toMatchObject({ ok: true, quantity: '0.02' });
    expect(size(crypto('BTC/USDT', 'BTC', 'USDT'), 'USD', { method: 'percent_of_equity', amount: '1', equity: '100000', price: '50000' })).toMatchObject({ ok: false, code: 'SIZING_NEEDS_CONVERSION' });
  });

  it('percent of equity of USD_JPY on a USD account: 10% of $10,000 is 1,000 units', () => {
    expect(size(fx('USD_JPY', 'USD', 'JPY'), 'USD', { method: 'percent_of_equity', amount: '10', equity: '10000', price: '150' })).toMatchObject({ ok: true, quantity: '1000' });
  });

  it('an instrument or account without a known currency is refused, never sized as if priced in the account currency', () => {
    const bare: InstrumentView = { symbol: 'XYZ', assetClass: 'other', lotSize: '1', tickSize: '0.01', minQuantity: '1', contractSize: '1' };
    expect(size(bare, 'USD', { method: 'dollar_amount', amount: '1000', price: '10' })).toMatchObject({ ok: false, code: 'SIZING_NEEDS_CONVERSION', values: { quote: 'unknown' } });
    expect(size(fx('EUR_USD', 'EUR', 'USD'), undefined as unknown as string, { method: 'dollar_amount', amount: '1000', price: '1.08' })).toMatchObject({ ok: false, code: 'SIZING_NEEDS_CONVERSION', values: { account: 'unknown' } });
    expect(computeQuantity({ method: 'dollar_amount', amount: '1000', price: '10', lotSize: '1', minQuantity: '1' })).toMatchObject({ ok: false, code: 'SIZING_NEEDS_CONVERSION' });
  });
});

describe('risk sizing: the stop distance is quote-currency money per unit', () => {
  it('ES: a $500 risk with a 10-point stop at 6000 is 1 contract ($50 a point), not 50', () => {
    expect(size(future('ESZ2026', 'ES'), 'USD', { method: 'risk_dollar_amount', amount: '500', stopDistance: '10', price: '6000' })).toMatchObject({ ok: true, quantity: '1' });
  });

  it('MES: the same risk is 10 contracts ($5 a point)', () => {
    expect(size(future('MESZ2026', 'MES'), 'USD', { method: 'risk_dollar_amount', amount: '500', stopDistance: '10', price: '6000' })).toMatchObject({ ok: true, quantity: '10' });
  });

  it('a futures root without a known point value is refused with CONTRACT_SIZE_UNKNOWN, for risk and dollar sizing', () => {
    const zc = future('ZCZ2026', 'ZC');
    expect(zc.contractSize).toBeUndefined();
    expect(size(zc, 'USD', { method: 'risk_dollar_amount', amount: '500', stopDistance: '10', price: '450' })).toMatchObject({ ok: false, code: 'CONTRACT_SIZE_UNKNOWN', values: { symbol: 'ZCZ2026' } });
    expect(size(zc, 'USD', { method: 'dollar_amount', amount: '50000', price: '450' })).toMatchObject({ ok: false, code: 'CONTRACT_SIZE_UNKNOWN' });
  });

  it('ES dollar sizing: $600,000 at 6000 is 2 contracts (each worth $300,000)', () => {
    expect(size(future('ESZ2026', 'ES'), 'USD', { method: 'dollar_amount', amount: '600000', price: '6000' })).toMatchObject({ ok: true, quantity: '2' });
  });

  it('USD_JPY: a $500 risk with a 0.5 JPY stop at 150 is 150,000 units (0.5 JPY × 150,000 = 75,000 JPY = $500)', () => {
    expect(size(fx('USD_JPY', 'USD', 'JPY'), 'USD', { method: 'risk_dollar_amount', amount: '500', stopDistance: '0.5', price: '150' })).toMatchObject({ ok: true, quantity: '150000' });
  });

  it('ETH/BTC risk sizing on a USDT account is refused (the stop distance is in BTC)', () => {
    expect(size(crypto('ETH/BTC', 'ETH', 'BTC'), 'USDT', { method: 'risk_dollar_amount', amount: '500', stopDistance: '0.001', price: '0.05' })).toMatchObject({ ok: false, code: 'SIZING_NEEDS_CONVERSION' });
  });
});

describe('lots (PineConnector vol_lots=)', () => {
  it('a forex lot is 100,000 units of the base; gold 100 oz; silver 5,000 oz', () => {
    expect(size(fx('USD_JPY', 'USD', 'JPY'), 'USD', { method: 'lots', amount: '2' })).toMatchObject({ ok: true, quantity: '200000' });
    expect(size(fx('USD_JPY', 'USD', 'JPY'), 'USD', { method: 'lots', amount: '0.5' })).toMatchObject({ ok: true, quantity: '50000' });
    expect(size({ ...fx('XAU_USD', 'XAU', 'USD'), assetClass: 'cfd' }, 'USD', { method: 'lots', amount: '0.1' })).toMatchObject({ ok: true, quantity: '10' });
    expect(size({ ...fx('XAG_USD', 'XAG', 'USD'), assetClass: 'cfd' }, 'USD', { method: 'lots', amount: '1' })).toMatchObject({ ok: true, quantity: '5000' });
    // A paper forex symbol written EURUSD, with no currencies reported, is still a pair.
    expect(size({ symbol: 'EURUSD', assetClass: 'other', lotSize: '0.000001', tickSize: '0.0001', minQuantity: '0.000001', contractSize: '1' }, 'USD', { method: 'lots', amount: '1' })).toMatchObject({ ok: true, quantity: '100000' });
  });

  it('anything else in lots is refused with LOT_SIZE_UNKNOWN: an index CFD, a stock, a future, a crypto pair', () => {
    const us30: InstrumentView = { symbol: 'US30_USD', assetClass: 'cfd', lotSize: '0.1', tickSize: '0.1', minQuantity: '0.1', baseCurrency: 'US30', quoteCurrency: 'USD', contractSize: '1' };
    const aapl: InstrumentView = { symbol: 'AAPL', assetClass: 'equity', lotSize: '1', tickSize: '0.01', minQuantity: '1', quoteCurrency: 'USD', contractSize: '1' };
    for (const instrument of [us30, aapl, future('ESZ2026', 'ES'), crypto('BTC/USD', 'BTC', 'USD')]) {
      expect(size(instrument, 'USD', { method: 'lots', amount: '1' })).toMatchObject({ ok: false, code: 'LOT_SIZE_UNKNOWN', values: { symbol: instrument.symbol, sizing: 'lots' } });
    }
  });
});

describe('the notional value sizing and the risk limits share', () => {
  it('values a quantity in the account currency: 1,000 USD_JPY = $1,000; 1 ES at 6000 = $300,000; 925 EUR_USD at 1.08 = $999', () => {
    const v = (i: InstrumentView) => {
      const r = valuationOf(i, 'USD');
      if (!r.ok) throw new Error(r.code);
      return r.valuation;
    };
    expect(notionalValue(v(fx('USD_JPY', 'USD', 'JPY')), '1000', '150').toFixed()).toBe('1000');
    expect(notionalValue(v(future('ESZ2026', 'ES')), '1', '6000').toFixed()).toBe('300000');
    expect(notionalValue(v(fx('EUR_USD', 'EUR', 'USD')), '925', '1.08').toFixed()).toBe('999');
  });
});

describe('futures point values', () => {
  it('every root the agent rolls by default that trades in points of a USD price has its exchange point value', () => {
    expect(FUTURES_POINT_VALUES).toMatchObject({
      ES: '50', MES: '5', NQ: '20', MNQ: '2', YM: '5', MYM: '0.5', RTY: '50', M2K: '5',
      CL: '1000', MCL: '100', NG: '10000', GC: '100', MGC: '10', SI: '5000', HG: '25000',
      '6E': '125000', ZB: '1000', ZN: '1000', ZF: '1000',
    });
    for (const root of Object.keys(DEFAULT_SYMBOL_MAPPING.futuresRoll)) expect(FUTURES_POINT_VALUES[root], root).toBeDefined();
  });

  it('reads a contract symbol in any of the roll formats, and never a stock symbol', () => {
    expect(futuresContractOf('ESZ2026')).toEqual({ root: 'ES', pointValue: '50' });
    expect(futuresContractOf('NQH27')).toEqual({ root: 'NQ', pointValue: '20' });
    expect(futuresContractOf('M2KZ6')).toEqual({ root: 'M2K', pointValue: '5' });
    expect(futuresContractOf('6EZ2026')).toEqual({ root: '6E', pointValue: '125000' });
    expect(futuresContractOf('ZCZ2026')).toEqual({ root: 'ZC' });
    for (const stock of ['AAPL', 'NVDA', 'BRK.B', 'GOOGL', 'SPY', 'EURUSD']) expect(futuresContractOf(stock), stock).toBeUndefined();
  });
});

describe('through planSignal', () => {
  const base = (signal: Partial<Signal>, instrument: InstrumentView, broker: string, currency = 'USD'): PlanInput => ({
    signal: { dialect: 'native', symbol: 'X', ticker: 'X', action: 'buy', ...signal } as Signal,
    config: DEFAULT_STRATEGY_CONFIG,
    broker,
    symbolTable: DEFAULT_SYMBOL_MAPPING,
    position: '0',
    openOrders: [],
    account: { equity: '100000', buyingPower: '100000', currency },
    instrument,
    now: '2026-11-27T15:00:00.000Z',
  });

  it('FX:USDJPY dollar_amount 1000 at OANDA is an order for 1,000 units', () => {
    const plan = planSignal(base({ symbol: 'USDJPY', exchange: 'FX', ticker: 'FX:USDJPY', quantity: '1000', quantityType: 'dollar_amount', price: '150.000' }, { ...fx('USD_JPY', 'USD', 'JPY'), tickSize: '0.001' }, 'oanda'));
    expect(plan).toMatchObject({ kind: 'orders', symbol: 'USD_JPY', intents: [{ side: 'buy', quantity: '1000' }] });
  });

  it('CME_MINI:ES1! risk 500 with a 10-point stop is 1 ESZ2026 contract on paper, with its stop at 5990', () => {
    const plan = planSignal(base({ symbol: 'ES1!', exchange: 'CME_MINI', ticker: 'CME_MINI:ES1!', quantity: '500', quantityType: 'risk_dollar_amount', price: '6000', stopLoss: { amount: '10' } }, future('ESZ2026', 'ES'), 'paper'));
    expect(plan).toMatchObject({ kind: 'orders', symbol: 'ESZ2026', intents: [{ side: 'buy', quantity: '1', stopLoss: { stopPrice: '5990' } }] });
    // Its value ($300,000) is what the buying-power warning compares.
    expect(plan.warnings.some((w) => w.includes('(300000)'))).toBe(true);
  });

  it('EUR_GBP dollar sizing on a USD account is denied with SIZING_NEEDS_CONVERSION', () => {
    const plan = planSignal(base({ symbol: 'EURGBP', exchange: 'OANDA', ticker: 'OANDA:EURGBP', quantity: '1000', quantityType: 'dollar_amount', price: '0.85' }, fx('EUR_GBP', 'EUR', 'GBP'), 'oanda'));
    expect(plan).toMatchObject({ kind: 'denied', denial: { code: 'SIZING_NEEDS_CONVERSION' } });
  });

  it('a PineConnector partial close of 0.5 lots on USD_JPY closes 50,000 of a 200,000-unit long', () => {
    const input = base({ dialect: 'pineconnector', symbol: 'USDJPY', ticker: 'USDJPY', action: 'exit', closeSide: 'long', quantity: '0.5', quantityType: 'lots' }, fx('USD_JPY', 'USD', 'JPY'), 'oanda');
    const plan = planSignal({ ...input, position: '200000' });
    expect(plan).toMatchObject({ kind: 'orders', intents: [{ side: 'sell', quantity: '50000', leg: 'reduce' }] });
  });
});
