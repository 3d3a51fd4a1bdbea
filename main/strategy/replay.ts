// Replay: run a stored signal log through today's strategy (and risk) rules and report where the outcome
// would differ from what was recorded. Pure: the caller loads the log and the starting state. Orders that
// today's rules would place are assumed filled in full at once, so later signals see the position they made.
import { Decimal } from 'decimal.js';
import type { Code } from '../../shared/codes.js';
import type { Decimal as DecimalString, Signal } from '../../shared/signal.js';
import type { StrategyAccountOverride, StrategyConfig, SymbolMappingTable } from '../../shared/strategy-config.js';
import type { RiskRules, RiskRulesOverride } from '../../shared/risk-rules.js';
import type { TradingState } from '../../shared/trading-state.js';
import { evaluateRisk } from '../risk/evaluate-risk.js';
import type { RecentOrder } from '../risk/types.js';
import type { AccountView, InstrumentView, Side } from './broker-view.js';
import { planSignal } from './plan.js';
import { mapSymbol } from './symbol-map.js';
import type { OrderLegName } from './types.js';

export interface ReplayOrder {
  leg: OrderLegName;
  side: Side;
  quantity: DecimalString;
}

export interface ReplayOutcome {
  outcome: 'orders' | 'denied';
  code?: Code;
  orders?: ReplayOrder[];
}

export interface ReplayEntry {
  signalId: string;
  signal: Signal;
  /** When the signal was processed: the instant the rules are applied at. */
  at: string;
  lastPrice?: DecimalString;
  recorded: ReplayOutcome;
}

export interface ReplayState {
  /** Signed position per broker symbol at the start of the log. */
  positions: Record<string, DecimalString>;
  account: AccountView;
  /** Instrument facts per broker symbol; `defaultInstrument` for the rest. */
  instruments: Record<string, InstrumentView>;
  defaultInstrument?: Omit<InstrumentView, 'symbol'>;
  tradingState?: { global: TradingState; account: TradingState };
}

export interface ReplayConfig {
  strategy: StrategyConfig;
  accountOverride?: StrategyAccountOverride;
  broker: string;
  symbolTable: SymbolMappingTable;
  /** When given, every intent is also checked by the risk engine. */
  riskRules?: RiskRules;
  strategyRiskRules?: RiskRulesOverride;
}

export interface ReplayDifference {
  signalId: string;
  index: number;
  kind: 'outcome' | 'code' | 'orders';
  recorded: ReplayOutcome;
  now: ReplayOutcome;
  message: string;
}

const GENERIC_INSTRUMENT: Omit<InstrumentView, 'symbol'> = { assetClass: 'other', lotSize: '1', tickSize: '0.01', minQuantity: '1' };

export function replaySignals(signals: readonly ReplayEntry[], stateAtStart: ReplayState, config: ReplayConfig): ReplayDifference[] {
  const positions = new Map<string, Decimal>(Object.entries(stateAtStart.positions).map(([k, v]) => [k, new Decimal(v)]));
  const recent: RecentOrder[] = [];
  const differences: ReplayDifference[] = [];
  const tradingState = stateAtStart.tradingState ?? { global: 'active', account: 'active' };

  signals.forEach((entry, index) => {
    const now = evaluateEntry(entry);
    const difference = compare(entry.recorded, now);
    if (difference) differences.push({ signalId: entry.signalId, index, kind: difference.kind, recorded: entry.recorded, now, message: difference.message });
  });
  return differences;

  function instrumentOf(symbol: string): InstrumentView {
    return stateAtStart.instruments[symbol] ?? { symbol, ...(stateAtStart.defaultInstrument ?? GENERIC_INSTRUMENT) };
  }

  function evaluateEntry(entry: ReplayEntry): ReplayOutcome {
    const mapped = mapSymbol({ symbol: entry.signal.symbol, exchange: entry.signal.exchange }, config.broker, config.symbolTable, entry.at);
    const symbol = mapped.ok ? mapped.symbol : entry.signal.symbol;
    const instrument = instrumentOf(symbol);
    const held = positions.get(symbol) ?? new Decimal(0);
    const plan = planSignal({
      signal: entry.signal,
      config: config.strategy,
      accountOverride: config.accountOverride,
      broker: config.broker,
      symbolTable: config.symbolTable,
      position: held.toFixed(),
      openOrders: [],
      account: stateAtStart.account,
      instrument,
      lastPrice: entry.lastPrice,
      now: entry.at,
    });
    if (plan.kind === 'denied') return { outcome: 'denied', code: plan.denial.code };
    const orders: ReplayOrder[] = [];
    for (const intent of plan.intents) {
      if (config.riskRules) {
        const verdict = evaluateRisk({
          intent: { ...intent, action: 'submit', assetClass: instrument.assetClass },
          tradingState,
          rules: config.riskRules,
          strategyRules: config.strategyRiskRules,
          context: {
            positions: [...positions].map(([s, q]) => ({ symbol: s, quantity: q.toFixed() })),
            openOrders: [],
            equity: stateAtStart.account.equity,
            dayStartEquity: stateAtStart.account.equity,
            dayEquityHigh: stateAtStart.account.equity,
            recentOrders: recent,
            lastPrices: entry.lastPrice !== undefined ? { [plan.symbol]: entry.lastPrice } : {},
            marketHours: {},
            // Valued as sizing valued them: the order's instrument and each held one.
            accountCurrency: stateAtStart.account.currency,
            instruments: Object.fromEntries([plan.symbol, ...positions.keys()].map((s) => [s, s === plan.symbol ? instrument : instrumentOf(s)])),
          },
          now: entry.at,
        });
        if (!verdict.allowed) {
          // A denied leg stops the legs after it, as in live trading (an entry waits for its exit).
          if (orders.length === 0) return { outcome: 'denied', code: verdict.denial?.code };
          break;
        }
      }
      orders.push({ leg: intent.leg, side: intent.side, quantity: intent.quantity });
      recent.push({ time: entry.at, symbol: plan.symbol, side: intent.side });
      const signed = new Decimal(intent.quantity).mul(intent.side === 'buy' ? 1 : -1);
      positions.set(plan.symbol, (positions.get(plan.symbol) ?? new Decimal(0)).plus(signed));
    }
    return { outcome: 'orders', orders };
  }
}

function compare(recorded: ReplayOutcome, now: ReplayOutcome): { kind: ReplayDifference['kind']; message: string } | undefined {
  if (recorded.outcome !== now.outcome) {
    return { kind: 'outcome', message: `recorded ${describe(recorded)}, today ${describe(now)}` };
  }
  if (recorded.outcome === 'denied') {
    if (recorded.code !== now.code) return { kind: 'code', message: `recorded denial ${recorded.code ?? '?'}, today ${now.code ?? '?'}` };
    return undefined;
  }
  const a = (recorded.orders ?? []).map(orderKey).join('; ');
  const b = (now.orders ?? []).map(orderKey).join('; ');
  if (a !== b) return { kind: 'orders', message: `recorded [${a}], today [${b}]` };
  return undefined;
}

function orderKey(o: ReplayOrder): string {
  return `${o.leg} ${o.side} ${new Decimal(o.quantity).toFixed()}`;
}

function describe(o: ReplayOutcome): string {
  return o.outcome === 'denied' ? `denied (${o.code ?? '?'})` : `orders [${(o.orders ?? []).map(orderKey).join('; ')}]`;
}
