// OANDA v20 wire types (camelCase, decimals as strings), only the fields the adapter reads.

export interface OandaClientExtensions {
  id?: string;
  tag?: string;
  comment?: string;
}

export interface OandaOrder {
  id: string;
  createTime: string;
  state: 'PENDING' | 'FILLED' | 'TRIGGERED' | 'CANCELLED';
  type: string;
  instrument?: string;
  units?: string;
  price?: string;
  timeInForce?: string;
  clientExtensions?: OandaClientExtensions;
  fillingTransactionID?: string;
  filledTime?: string;
  cancellingTransactionID?: string;
  cancelledTime?: string;
  tradeID?: string;
}

export interface OandaTransaction {
  id: string;
  time: string;
  type: string;
  orderID?: string;
  clientOrderID?: string;
  instrument?: string;
  units?: string;
  price?: string;
  timeInForce?: string;
  reason?: string;
  rejectReason?: string;
  commission?: string;
  clientExtensions?: OandaClientExtensions;
  lastTransactionID?: string;
}

export interface OandaCreateOrderAnswer {
  orderCreateTransaction?: OandaTransaction;
  orderFillTransaction?: OandaTransaction;
  orderCancelTransaction?: OandaTransaction;
  orderRejectTransaction?: OandaTransaction;
  lastTransactionID?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface OandaAccountSummary {
  id: string;
  currency: string;
  balance: string;
  NAV: string;
  marginAvailable: string;
  pl?: string;
  lastTransactionID?: string;
}

export interface OandaInstrument {
  name: string;
  type: 'CURRENCY' | 'CFD' | 'METAL';
  displayPrecision: number;
  tradeUnitsPrecision: number;
  minimumTradeSize: string;
  pipLocation: number;
}

export interface OandaPositionSide {
  units: string;
  averagePrice?: string;
  unrealizedPL?: string;
}

export interface OandaPosition {
  instrument: string;
  long: OandaPositionSide;
  short: OandaPositionSide;
  unrealizedPL?: string;
}
