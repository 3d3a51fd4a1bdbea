import { describe, expect, it } from 'vitest';
import type { Signal } from '../../shared/signal.js';
import { DEFAULT_STRATEGY_CONFIG, DEFAULT_SYMBOL_MAPPING } from '../../shared/strategy-config.js';
import { DEFAULT_RISK_RULES } from '../../shared/risk-rules.js';
import { replaySignals } from './replay.js';
import type { ReplayConfig, ReplayEntry, ReplayState } from './replay.js';

const sig = (fields: Partial<Signal>): Signal => ({ dialect: 'native', symbol: 'AAPL', ticker: 'AAPL', action: 'buy', ...fields });

const state: ReplayState = {
  positions: { AAPL: '0' },
  account: { equity: '100000', buyingPower: '200000' },
  instruments: { AAPL: { symbol: 'AAPL', assetClass: 'equity', lotSize: '1', tickSize: '0.01', minQuantity: '1' } },
};

const config: ReplayConfig = { strategy: DEFAULT_STRATEGY_CONFIG, broker: 'paper', symbolTable: DEFAULT_SYMBOL_MAPPING };

const log: ReplayEntry[] = [
  { signalId: 's1', at: '2026-01-06T15:00:00Z', lastPrice: '100', signal: sig({ action: 'buy', quantity: '10' }), recorded: { outcome: 'orders', orders: [{ leg: 'entry', side: 'buy', quantity: '10' }] } },
  { signalId: 's2', at: '2026-01-06T15:10:00Z', lastPrice: '101', signal: sig({ action: 'buy', quantity: '5' }), recorded: { outcome: 'denied', code: 'ADD_NOT_ALLOWED' } },
  {
    signalId: 's3',
    at: '2026-01-06T15:20:00Z',
    lastPrice: '99',
    signal: sig({ action: 'sell', quantity: '4' }),
    recorded: { outcome: 'orders', orders: [{ leg: 'exit', side: 'sell', quantity: '10' }, { leg: 'entry', side: 'sell', quantity: '4' }] },
  },
];

describe('replaySignals', () => {
  it('reports no difference when today\'s rules reproduce the recorded log', () => {
    expect(replaySignals(log, state, config)).toEqual([]);
  });

  it('reports what changes when the rules change, carrying the position through the log', () => {
    const today: ReplayConfig = { ...config, strategy: { ...DEFAULT_STRATEGY_CONFIG, allowAdd: true, oppositeSignal: 'exit_only' } };
    const differences = replaySignals(log, state, today);
    expect(differences.map((d) => [d.signalId, d.kind])).toEqual([
      ['s2', 'outcome'],
      ['s3', 'orders'],
    ]);
    // With the add, the position is 15 when s3 arrives, and exit-only closes it without reversing.
    expect(differences[1]?.message).toBe('recorded [exit sell 10; entry sell 4], today [exit sell 15]');
  });

  it('runs the risk rules too when given, reporting a new denial code', () => {
    const today: ReplayConfig = { ...config, riskRules: { ...DEFAULT_RISK_RULES, maxOrderQuantity: '8', enforceMarketHours: false } };
    const differences = replaySignals(log, state, today);
    expect(differences[0]).toMatchObject({ signalId: 's1', kind: 'outcome', now: { outcome: 'denied', code: 'QUANTITY_EXCEEDS_MAX' } });
  });
});
