// What the strategy engine takes and returns. Values only: the caller gathers the position, orders, prices
// and the clock; the engine decides.
import type { Decimal, Signal } from '../../shared/signal.js';
import type { Code } from '../../shared/codes.js';
import type { StrategyAccountOverride, StrategyConfig, SymbolMappingTable } from '../../shared/strategy-config.js';
import type { AccountView, InstrumentView, OpenOrderView, OrderFields } from './broker-view.js';

export interface PlanInput {
  signal: Signal;
  /** The strategy's config; `accountOverride` is applied on top of it. */
  config: StrategyConfig;
  accountOverride?: StrategyAccountOverride;
  /** Broker id ("alpaca", "oanda", "ccxt", "paper") for symbol mapping. */
  broker: string;
  symbolTable: SymbolMappingTable;
  /** The account's current position in the mapped symbol, signed ("-5" is short 5). */
  position: Decimal;
  /** The account's open orders for the mapped symbol. */
  openOrders: OpenOrderView[];
  account: AccountView;
  instrument: InstrumentView;
  /** Last known trade/quote price of the symbol, if any. */
  lastPrice?: Decimal;
  /** The decision instant, ISO-8601. */
  now: string;
}

/** 'exit' closes the whole position, 'reduce' closes part of it, 'entry' opens or adds. */
export type OrderLegName = 'exit' | 'reduce' | 'entry';

export interface OrderIntent extends OrderFields {
  leg: OrderLegName;
  /** The leg that must be filled before this one is sent (an entry after a reversal's exit). */
  dependsOn?: OrderLegName;
}

export interface Denial {
  code: Code;
  /** `describeDenial(code, values)`. */
  detail: string;
  values: Record<string, string>;
}

/** The alert's prev position disagrees with what the account holds: an alert was missed or an order failed. */
export interface DriftEvent {
  symbol: string;
  /** Signed position the alert says the strategy had before this order. */
  expected: string;
  /** Signed position the account actually holds. */
  actual: string;
  differs: Array<'direction' | 'size'>;
  message: string;
}

export interface Approval {
  mode: 'auto' | 'manual';
  /** For manual approval: when the pending order expires (APPROVAL_EXPIRED). */
  expiresAt?: string;
}

export type PlanResult =
  | {
      kind: 'denied';
      denial: Denial;
      symbol?: string;
      drift?: DriftEvent;
      warnings: string[];
    }
  | {
      kind: 'orders';
      symbol: string;
      /** In execution order; an intent with dependsOn waits for that leg's fill. May be empty for a cancel. */
      intents: OrderIntent[];
      cancelOpenOrdersFirst: boolean;
      approval: Approval;
      /** True when the signal carried a target position and the orders are the difference to it. */
      targetMode: boolean;
      drift?: DriftEvent;
      warnings: string[];
    };
