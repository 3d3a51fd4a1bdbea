// OANDA v20's wire as the fake serves it: the order, trade and transaction shapes, the instruments and the values it
// accepts, its reject reasons, and which requests the fault switches treat as submits, cancels or reads.
import type { Request } from 'express';
import type { Decimal } from 'decimal.js';
import type { RequestOp } from '../contract/faults.js';

export interface Instrument {
  name: string;
  type: 'CURRENCY' | 'CFD' | 'METAL';
  displayPrecision: number;
  pipLocation: number;
  tradeUnitsPrecision: number;
  minimumTradeSize: string;
  maximumOrderUnits: string;
  marginRate: string;
}

export type Txn = Record<string, unknown> & { id: string; time: string; type: string };

export interface Ext {
  id?: string;
  tag?: string;
  comment?: string;
}

/** TakeProfitDetails / StopLossDetails / TrailingStopLossDetails as sent with an order. */
export interface OnFill {
  price?: string;
  distance?: string;
  timeInForce?: string;
  clientExtensions?: Ext;
}

export const DEPENDENT_TYPES = new Set(['TAKE_PROFIT', 'STOP_LOSS', 'TRAILING_STOP_LOSS']);
export const ON_FILL = [
  ['takeProfitOnFill', 'TAKE_PROFIT'],
  ['stopLossOnFill', 'STOP_LOSS'],
  ['trailingStopLossOnFill', 'TRAILING_STOP_LOSS'],
] as const;

export interface FakeOrder {
  id: string;
  createTime: string;
  state: 'PENDING' | 'FILLED' | 'TRIGGERED' | 'CANCELLED';
  type: string;
  /** For a dependent order: its trade's instrument, kept for the fake's own use (v20 does not show it). */
  instrument: string;
  /** For a dependent order: '0' (it closes whatever its trade holds; v20 does not show units). */
  units: string;
  timeInForce: string;
  price?: string;
  distance?: string;
  trailingStopValue?: string;
  positionFill?: string;
  clientExtensions?: Ext;
  tradeClientExtensions?: Ext;
  takeProfitOnFill?: OnFill;
  stopLossOnFill?: OnFill;
  trailingStopLossOnFill?: OnFill;
  tradeID?: string;
  clientTradeID?: string;
  reason?: string;
  filledTime?: string;
  fillingTransactionID?: string;
  tradeOpenedID?: string;
  tradeReducedID?: string;
  tradeClosedIDs?: string[];
  cancelledTime?: string;
  cancellingTransactionID?: string;
}

export interface FakeTrade {
  id: string;
  instrument: string;
  price: string;
  openTime: string;
  state: 'OPEN' | 'CLOSED';
  initialUnits: string;
  currentUnits: Decimal;
  realizedPL: Decimal;
  closingTransactionIDs: string[];
  closeTime?: string;
  clientExtensions?: Ext;
  takeProfitOrderID?: string;
  stopLossOrderID?: string;
  trailingStopLossOrderID?: string;
}

export const INSTRUMENTS: Instrument[] = [
  { name: 'EUR_USD', type: 'CURRENCY', displayPrecision: 5, pipLocation: -4, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.0333' },
  { name: 'USD_JPY', type: 'CURRENCY', displayPrecision: 3, pipLocation: -2, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.04' },
  { name: 'XAU_USD', type: 'METAL', displayPrecision: 3, pipLocation: -2, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '5000', marginRate: '0.05' },
  { name: 'US30_USD', type: 'CFD', displayPrecision: 1, pipLocation: 0, tradeUnitsPrecision: 1, minimumTradeSize: '0.1', maximumOrderUnits: '2000', marginRate: '0.05' },
];

/** How many decimals a number written as a string has. */
export const decimals = (v: string): number => (v.includes('.') ? v.split('.')[1]!.length : 0);
/** A decimal number as v20 takes it, in a string. */
export const NUMBER = /^-?\d+(\.\d+)?$/;

/** An order v20 refuses, with its reject reason (the answer's errorCode). */
export class Reject extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** An order as v20 shows it: a dependent order names its trade, not an instrument or units. */
export function orderView(o: FakeOrder): Record<string, unknown> {
  const { instrument, units, positionFill, ...rest } = o;
  return DEPENDENT_TYPES.has(o.type) ? rest : { ...rest, instrument, units, positionFill };
}

export function classify(req: Request): RequestOp {
  if (req.method === 'POST' && req.path.endsWith('/orders')) return 'submit';
  // A position close places orders (v20 creates a MARKET order per side).
  if (req.method === 'PUT' && /\/positions\/[^/]+\/close$/.test(req.path)) return 'submit';
  if (req.method === 'PUT' && req.path.endsWith('/cancel')) return 'cancel';
  if (/\/v3\/accounts\/[^/]+(\/summary)?$/.test(req.path)) return 'account';
  return 'query';
}

export function errorBody(status: number): { errorMessage: string } {
  if (status === 429) return { errorMessage: 'Requests are being rate limited' };
  if (status === 401) return { errorMessage: 'Insufficient authorization to perform request.' };
  return { errorMessage: 'An unexpected error occurred' };
}
