// The broker facts the engines read, as plain structural types. They mirror main/brokers/port.ts field for
// field (a type test proves the port's values fit), but are declared here because the engines may import
// nothing from the I/O side, not even types (the boundary lint has no type-only exception).
import type { Decimal, OrderType, TimeInForce } from '../../shared/signal.js';

export type Side = 'buy' | 'sell';
export type AssetClass = 'equity' | 'crypto' | 'forex' | 'cfd' | 'future' | 'option' | 'other';

/** The subset of InstrumentInfo sizing needs. */
export interface InstrumentView {
  symbol: string;
  assetClass: AssetClass;
  lotSize: Decimal;
  tickSize: Decimal;
  minQuantity: Decimal;
  minNotional?: Decimal;
  /** As InstrumentInfo: the base and quote currency, and the contract size (a future's point value). */
  baseCurrency?: string;
  quoteCurrency?: string;
  contractSize?: Decimal;
}

/** The subset of AccountSnapshot sizing needs. */
export interface AccountView {
  equity: Decimal;
  buyingPower: Decimal;
  /** The currency equity is counted in; money-based sizing needs it (SIZING_NEEDS_CONVERSION without it). */
  currency?: string;
}

/** The subset of Position the engines read (quantity signed: negative is short). */
export interface PositionView {
  symbol: string;
  quantity: Decimal;
  averagePrice?: Decimal;
  marketPrice?: Decimal;
}

/** An open (working) order, as much as the engines need. */
export interface OpenOrderView {
  symbol: string;
  side: Side;
  /** Quantity still open (ordered minus filled). */
  quantity: Decimal;
  type?: OrderType;
}

export interface OrderLegView {
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  trailAmount?: Decimal;
  trailPercent?: Decimal;
}

/** OrderRequest without the clientOrderId (the order lifecycle assigns it). */
export interface OrderFields {
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: Decimal;
  timeInForce: TimeInForce;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  trailAmount?: Decimal;
  trailPercent?: Decimal;
  extendedHours?: boolean;
  takeProfit?: OrderLegView;
  stopLoss?: OrderLegView;
  reduceOnly?: boolean;
  referencePrice?: Decimal;
}
