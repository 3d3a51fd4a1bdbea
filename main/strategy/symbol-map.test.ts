import { describe, expect, it } from 'vitest';
import { DEFAULT_FUTURES_ROLL, DEFAULT_SYMBOL_MAPPING } from '../../shared/strategy-config.js';
import type { SymbolMappingTable } from '../../shared/strategy-config.js';
import { brokerFamily, mapSymbol } from './symbol-map.js';
import { nthContract } from './futures-roll.js';

const table = DEFAULT_SYMBOL_MAPPING;
const now = '2026-03-02T15:00:00Z';

describe('mapSymbol by broker convention', () => {
  it.each([
    ['oanda', 'EURUSD', undefined, 'EUR_USD'],
    ['oanda', 'EURUSD', 'OANDA', 'EUR_USD'],
    ['oanda', 'XAUUSD', 'OANDA', 'XAU_USD'],
    ['oanda', 'SPX500_USD', undefined, 'SPX500_USD'],
    ['oanda', 'SPX500USD', 'OANDA', 'SPX500_USD'],
    ['oanda', 'US30USD', 'OANDA', 'US30_USD'],
    ['oanda', 'NAS100USD', undefined, 'NAS100_USD'],
    ['oanda', 'WTICOUSD', 'OANDA', 'WTICO_USD'],
    ['oanda', 'DE30EUR', 'OANDA', 'DE30_EUR'],
    ['oanda', 'BCOUSD', 'OANDA', 'BCO_USD'],
    ['alpaca', 'BTCUSD', undefined, 'BTC/USD'],
    ['alpaca', 'ETHUSD', 'COINBASE', 'ETH/USD'],
    ['alpaca', 'AAPL', 'NASDAQ', 'AAPL'],
    ['alpaca', 'BRK.B', 'NYSE', 'BRK.B'],
    ['ccxt', 'BTCUSDT', 'BINANCE', 'BTC/USDT'],
    ['ccxt', 'BTCUSDT.P', 'BYBIT', 'BTC/USDT:USDT'],
    ['paper', 'AAPL', 'NASDAQ', 'AAPL'],
  ])('%s: %s (%s) -> %s', (broker, symbol, exchange, expected) => {
    expect(mapSymbol({ symbol, exchange }, broker, table, now)).toMatchObject({ ok: true, symbol: expected });
  });

  it.each([
    ['oanda', 'AAPL'],
    ['oanda', 'ABCUSD1'],
    ['oanda', 'ES1!'],
    ['alpaca', 'ES1!'],
    ['ccxt', 'ES1!'],
    ['ccxt', 'AAPL'],
  ])('%s cannot trade %s: SYMBOL_UNMAPPED', (broker, symbol) => {
    expect(mapSymbol({ symbol }, broker, table, now)).toMatchObject({ ok: false, code: 'SYMBOL_UNMAPPED', values: { ticker: symbol, broker } });
  });

  it.each([
    ['TVC', 'GOLD'], // gold; GOLD at Alpaca is Barrick Gold
    ['TVC', 'SPX'],
    ['SP', 'SPX'],
    ['TVC', 'DXY'],
    ['CAPITALCOM', 'US500'],
    ['OANDA', 'SPX500USD'],
    ['FX', 'GBPJPY'],
    ['FX_IDC', 'EURUSD'],
    ['OANDA', 'XAUUSD'],
  ])('alpaca: %s:%s is not a US stock: SYMBOL_UNMAPPED, never traded under the same letters', (exchange, symbol) => {
    expect(mapSymbol({ symbol, exchange }, 'alpaca', table, now)).toMatchObject({ ok: false, code: 'SYMBOL_UNMAPPED', values: { ticker: `${exchange}:${symbol}`, broker: 'alpaca' } });
  });

  it('alpaca: a ticker without an exchange (TradingView\'s {{ticker}}) is still read as a stock; a mapping row can still send an index ticker anywhere', () => {
    expect(mapSymbol({ symbol: 'GOLD' }, 'alpaca', table, now)).toMatchObject({ ok: true, symbol: 'GOLD' });
    const custom: SymbolMappingTable = { ...table, entries: [{ ticker: 'TVC:GOLD', broker: 'alpaca', symbol: 'GLD' }] };
    expect(mapSymbol({ symbol: 'GOLD', exchange: 'TVC' }, 'alpaca', custom, now)).toEqual({ ok: true, symbol: 'GLD', via: 'table' });
  });
});

describe('mapSymbol for a CCXT account (the adapter names itself ccxt:<exchange>)', () => {
  it.each([
    ['ccxt:binance', 'BTCUSDT.P', 'BINANCE', 'BTC/USDT:USDT'],
    ['ccxt:binance', 'BTCUSDT', 'BINANCE', 'BTC/USDT'],
    ['ccxt:binanceusdm', 'ETHUSDT.P', 'BINANCE', 'ETH/USDT:USDT'],
    ['ccxt:okx', 'BTCUSDT', 'OKX', 'BTC/USDT'],
    ['ccxt:bybit', 'SOLUSDT.P', 'BYBIT', 'SOL/USDT:USDT'],
    ['ccxt:kraken', 'BTCUSD', 'KRAKEN', 'BTC/USD'],
    ['ccxt:binance', 'ETH/BTC', undefined, 'ETH/BTC'],
  ])('%s: %s (%s) -> %s by CCXT naming', (broker, symbol, exchange, expected) => {
    expect(mapSymbol({ symbol, exchange }, broker, table, now)).toEqual({ ok: true, symbol: expected, via: 'convention' });
  });

  it('a continuous future or a stock ticker is SYMBOL_UNMAPPED, naming the account\'s broker id', () => {
    expect(mapSymbol({ symbol: 'ES1!' }, 'ccxt:binance', table, now)).toEqual({ ok: false, code: 'SYMBOL_UNMAPPED', values: { ticker: 'ES1!', broker: 'ccxt:binance' } });
    expect(mapSymbol({ symbol: 'AAPL', exchange: 'NASDAQ' }, 'ccxt:okx', table, now)).toMatchObject({ ok: false, code: 'SYMBOL_UNMAPPED' });
  });

  it('a table row for "ccxt" applies to every CCXT exchange; a row for "ccxt:<exchange>" wins there only', () => {
    const custom: SymbolMappingTable = {
      ...table,
      entries: [
        { ticker: 'GOLD', broker: 'ccxt', symbol: 'PAXG/USDT' },
        { ticker: 'GOLD', broker: 'ccxt:kraken', symbol: 'PAXG/USD' },
        { ticker: 'GOLD', broker: 'oanda', symbol: 'XAU_USD' },
      ],
    };
    expect(mapSymbol({ symbol: 'GOLD' }, 'ccxt:binance', custom, now)).toEqual({ ok: true, symbol: 'PAXG/USDT', via: 'table' });
    expect(mapSymbol({ symbol: 'GOLD' }, 'ccxt:kraken', custom, now)).toEqual({ ok: true, symbol: 'PAXG/USD', via: 'table' });
    expect(mapSymbol({ symbol: 'GOLD' }, 'oanda', custom, now)).toEqual({ ok: true, symbol: 'XAU_USD', via: 'table' });
    // A row for one CCXT exchange does not leak to another.
    expect(mapSymbol({ symbol: 'GOLD' }, 'ccxt:okx', { ...table, entries: [{ ticker: 'GOLD', broker: 'ccxt:kraken', symbol: 'PAXG/USD' }] }, now)).toMatchObject({ ok: false });
  });

  it('brokerFamily strips the exchange part of a broker id', () => {
    expect(brokerFamily('ccxt:binance')).toBe('ccxt');
    expect(brokerFamily('CCXT:OKX')).toBe('ccxt');
    expect(brokerFamily('oanda')).toBe('oanda');
  });
});

describe('mapSymbol by table', () => {
  const custom: SymbolMappingTable = {
    ...table,
    entries: [
      { ticker: 'GOLD', symbol: 'XAU_USD' },
      { ticker: 'GOLD', broker: 'ccxt', symbol: 'PAXG/USDT' },
      { ticker: 'NAS100', exchange: 'OANDA', broker: 'oanda', symbol: 'NAS100_USD' },
    ],
  };

  it('an explicit row wins over the convention, the most specific row wins', () => {
    expect(mapSymbol({ symbol: 'GOLD' }, 'oanda', custom, now)).toMatchObject({ ok: true, symbol: 'XAU_USD', via: 'table' });
    expect(mapSymbol({ symbol: 'GOLD' }, 'ccxt', custom, now)).toMatchObject({ ok: true, symbol: 'PAXG/USDT' });
    expect(mapSymbol({ symbol: 'NAS100', exchange: 'OANDA' }, 'oanda', custom, now)).toMatchObject({ ok: true, symbol: 'NAS100_USD' });
  });

  it('a row for another exchange does not match', () => {
    expect(mapSymbol({ symbol: 'NAS100', exchange: 'CAPITALCOM' }, 'oanda', custom, now)).toMatchObject({ ok: false, code: 'SYMBOL_UNMAPPED' });
  });
});

describe('continuous futures roll', () => {
  it('ES1! is the March contract early in March, before the roll date', () => {
    // March 2026: third Friday is the 20th; rolling 8 days before means the 12th.
    expect(mapSymbol({ symbol: 'ES1!' }, 'paper', table, '2026-03-02T15:00:00Z')).toMatchObject({ ok: true, symbol: 'ESH2026', via: 'futures_roll' });
    expect(mapSymbol({ symbol: 'ES1!' }, 'paper', table, '2026-03-11T23:59:00Z')).toMatchObject({ symbol: 'ESH2026' });
  });

  it('ES1! rolls to June on the roll date, and ES2! is the contract after the front one', () => {
    expect(mapSymbol({ symbol: 'ES1!' }, 'paper', table, '2026-03-12T00:00:00Z')).toMatchObject({ symbol: 'ESM2026' });
    expect(mapSymbol({ symbol: 'ES2!' }, 'paper', table, '2026-03-02T00:00:00Z')).toMatchObject({ symbol: 'ESM2026' });
  });

  it('December rolls into the next year', () => {
    expect(mapSymbol({ symbol: 'NQ1!' }, 'paper', table, '2026-12-15T00:00:00Z')).toMatchObject({ symbol: 'NQH2027' });
  });

  it('the roll rule is configurable per root (monthly crude oil, two-digit year)', () => {
    const custom: SymbolMappingTable = { ...table, futuresRoll: { CL: { months: 'FGHJKMNQUVXZ', expiry: 'last_business_day', rollDaysBefore: 5, format: '{root}{month}{yy}' } } };
    // April 2026's last business day is Thursday the 30th; the roll is on the 25th.
    expect(mapSymbol({ symbol: 'CL1!' }, 'paper', custom, '2026-04-10T00:00:00Z')).toMatchObject({ symbol: 'CLJ26' });
    expect(mapSymbol({ symbol: 'CL1!' }, 'paper', custom, '2026-04-25T00:00:00Z')).toMatchObject({ symbol: 'CLK26' });
  });

  it('expiry dates: third Friday and last business day', () => {
    expect(nthContract(DEFAULT_FUTURES_ROLL, '2026-05-01T00:00:00Z', 1)).toMatchObject({ code: 'M', expiry: '2026-06-19', rollDate: '2026-06-11' });
    expect(nthContract({ months: 'FGHJKMNQUVXZ', expiry: 'last_business_day', rollDaysBefore: 0, format: '{root}{month}{yyyy}' }, '2026-05-01T00:00:00Z', 1)).toMatchObject({ code: 'K', expiry: '2026-05-29' });
  });
});

describe('continuous futures by exchange rule, on the dates around each roll', () => {
  const map = (symbol: string, at: string) => mapSymbol({ symbol }, 'paper', table, `${at}T12:00:00Z`);
  const rule = (root: string) => table.futuresRoll[root]!;

  it('CL1! on 2026-11-29 is January 2027: December 2026 stopped trading on 2026-11-20', () => {
    expect(map('CL1!', '2026-11-29')).toEqual({ ok: true, symbol: 'CLF2027', via: 'futures_roll' });
    expect(map('CL2!', '2026-11-29')).toMatchObject({ symbol: 'CLG2027' });
  });

  it('crude oil: last trading day 3 business days before the 25th of the month before delivery', () => {
    // The 25th is a business day: 2025-11-25 (Tue) -> 20 Nov; 2025-04-25 (Fri) -> 22 Apr.
    expect(nthContract(rule('CL'), '2025-11-01T00:00:00Z', 1)).toMatchObject({ year: 2025, code: 'Z', expiry: '2025-11-20' });
    expect(nthContract(rule('CL'), '2025-04-01T00:00:00Z', 1)).toMatchObject({ year: 2025, code: 'K', expiry: '2025-04-22' });
    // The 25th is a Sunday (2026-01-25): 3 business days before Friday the 23rd.
    expect(nthContract(rule('CL'), '2026-01-02T00:00:00Z', 1)).toMatchObject({ year: 2026, code: 'G', expiry: '2026-01-20' });
    // The 25th is Christmas (2025, 2026): counted from the 24th, skipping the weekend.
    expect(nthContract(rule('CL'), '2025-12-01T00:00:00Z', 1)).toMatchObject({ year: 2026, code: 'F', expiry: '2025-12-19' });
    expect(nthContract(rule('CL'), '2026-12-01T00:00:00Z', 1)).toMatchObject({ year: 2027, code: 'F', expiry: '2026-12-21' });
    // The 25th is Thanksgiving (2027-11-25): from the 24th, 3 business days back is Friday the 19th.
    expect(nthContract(rule('CL'), '2027-11-01T00:00:00Z', 1)).toMatchObject({ year: 2027, code: 'Z', expiry: '2027-11-19' });
    // Past the NYSE's published calendars the holidays are still skipped: Christmas 2029 (a Tuesday) and
    // Thanksgiving 2032 (25 November).
    expect(nthContract(rule('CL'), '2029-12-01T00:00:00Z', 1)).toMatchObject({ year: 2030, code: 'F', expiry: '2029-12-19' });
    expect(nthContract(rule('CL'), '2032-11-01T00:00:00Z', 1)).toMatchObject({ year: 2032, code: 'Z', expiry: '2032-11-19' });
  });

  it('CL1! rolls 3 days before the last trading day', () => {
    expect(map('CL1!', '2026-11-16')).toMatchObject({ symbol: 'CLZ2026' });
    expect(map('CL1!', '2026-11-17')).toMatchObject({ symbol: 'CLF2027' });
    expect(map('CL1!', '2026-12-17')).toMatchObject({ symbol: 'CLF2027' });
    expect(map('CL1!', '2026-12-18')).toMatchObject({ symbol: 'CLG2027' });
  });

  it('natural gas: the 3rd last business day of the month before delivery (NGZ2026 ends 2026-11-25, Thanksgiving skipped)', () => {
    expect(nthContract(rule('NG'), '2026-11-01T00:00:00Z', 1)).toMatchObject({ year: 2026, code: 'Z', expiry: '2026-11-25', rollDate: '2026-11-22' });
    expect(map('NG1!', '2026-11-21')).toMatchObject({ symbol: 'NGZ2026' });
    expect(map('NG1!', '2026-11-22')).toMatchObject({ symbol: 'NGF2027' });
    expect(map('NG1!', '2026-11-29')).toMatchObject({ symbol: 'NGF2027' });
  });

  it('equity index (ES, NQ, YM, RTY and the micros): quarterly, third Friday, rolled 8 days before', () => {
    for (const root of ['ES', 'NQ', 'YM', 'RTY', 'MES', 'MNQ', 'MYM', 'M2K']) {
      expect(map(`${root}1!`, '2026-12-09')).toMatchObject({ symbol: `${root}Z2026` });
      expect(map(`${root}1!`, '2026-12-10')).toMatchObject({ symbol: `${root}H2027` });
    }
    expect(nthContract(rule('ES'), '2026-12-01T00:00:00Z', 1)).toMatchObject({ expiry: '2026-12-18', rollDate: '2026-12-10' });
  });

  it('currency futures (6E...): 2 business days before the third Wednesday, rolled a week before', () => {
    expect(nthContract(rule('6E'), '2027-03-01T00:00:00Z', 1)).toMatchObject({ year: 2027, code: 'H', expiry: '2027-03-15', rollDate: '2027-03-08' });
    expect(map('6E1!', '2027-03-07')).toMatchObject({ symbol: '6EH2027' });
    expect(map('6E1!', '2027-03-08')).toMatchObject({ symbol: '6EM2027' });
  });

  it('metals and Treasuries leave before the first notice day (the last business day of the month before delivery)', () => {
    expect(nthContract(rule('GC'), '2026-11-01T00:00:00Z', 1)).toMatchObject({ year: 2026, code: 'Z', expiry: '2026-11-30', rollDate: '2026-11-28' });
    expect(map('GC1!', '2026-11-27')).toMatchObject({ symbol: 'GCZ2026' });
    expect(map('GC1!', '2026-11-29')).toMatchObject({ symbol: 'GCG2027' });
    expect(map('SI1!', '2026-11-29')).toMatchObject({ symbol: 'SIH2027' });
    expect(map('HG1!', '2026-11-29')).toMatchObject({ symbol: 'HGH2027' });
    expect(map('ZN1!', '2026-11-27')).toMatchObject({ symbol: 'ZNZ2026' });
    expect(map('ZB1!', '2026-11-29')).toMatchObject({ symbol: 'ZBH2027' });
  });

  it('a root without a known exchange rule is SYMBOL_UNMAPPED naming the root, not a guessed contract', () => {
    expect(map('ZC1!', '2026-11-29')).toEqual({ ok: false, code: 'SYMBOL_UNMAPPED', values: { ticker: 'ZC1!', broker: 'paper', root: 'ZC' } });
    expect(map('BRN1!', '2026-11-29')).toMatchObject({ ok: false, values: { root: 'BRN' } });
    // An inherited object key is not a root.
    expect(map('constructor1!'.toUpperCase(), '2026-11-29')).toMatchObject({ ok: false });
  });

  it('an explicit defaultFuturesRoll still applies to the roots without a rule', () => {
    const custom: SymbolMappingTable = { ...table, defaultFuturesRoll: DEFAULT_FUTURES_ROLL };
    expect(mapSymbol({ symbol: 'ZC1!' }, 'paper', custom, '2026-11-29T12:00:00Z')).toMatchObject({ ok: true, symbol: 'ZCZ2026' });
  });
});
