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
  /** Dependent orders (TAKE_PROFIT, STOP_LOSS, TRAILING_STOP_LOSS): the trade they close; they have no
   *  instrument or units of their own. */
  tradeID?: string;
  clientTradeID?: string;
  distance?: string;
  trailingStopValue?: string;
}

export interface OandaTrade {
  id: string;
  instrument: string;
  price: string;
  openTime: string;
  state: 'OPEN' | 'CLOSED' | 'CLOSE_WHEN_TRADEABLE';
  initialUnits: string;
  currentUnits: string;
  clientExtensions?: OandaClientExtensions;
}

export interface OandaTradeChange {
  tradeID: string;
  units: string;
  price?: string;
  realizedPL?: string;
}

export interface OandaTransaction {
  id: string;
  time: string;
  type: string;
  orderID?: string;
  clientOrderID?: string;
  instrument?: string;
  units?: string;
  /** ORDER_FILL: deprecated by v20; read the fill's price with mapping.ts fillPrice. */
  price?: string;
  /** ORDER_FILL: the price all its units would have filled at without guaranteed stop-loss clamping. */
  fullVWAP?: string;
  timeInForce?: string;
  reason?: string;
  rejectReason?: string;
  commission?: string;
  clientExtensions?: OandaClientExtensions;
  lastTransactionID?: string;
  /** Dependent order transactions: the trade they close. */
  tradeID?: string;
  clientTradeID?: string;
  /** ORDER_FILL: what the fill did to trades. */
  tradeOpened?: OandaTradeChange;
  tradesClosed?: OandaTradeChange[];
  tradeReduced?: OandaTradeChange;
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

/** PUT /positions/{instrument}/close: per side, the MARKET order v20 created to close it (reason POSITION_CLOSEOUT)
 *  and its fill or cancel; on 400 / 404 the side's reject transaction instead. */
export interface OandaClosePositionAnswer {
  longOrderCreateTransaction?: OandaTransaction;
  longOrderFillTransaction?: OandaTransaction;
  longOrderCancelTransaction?: OandaTransaction;
  longOrderRejectTransaction?: OandaTransaction;
  shortOrderCreateTransaction?: OandaTransaction;
  shortOrderFillTransaction?: OandaTransaction;
  shortOrderCancelTransaction?: OandaTransaction;
  shortOrderRejectTransaction?: OandaTransaction;
  relatedTransactionIDs?: string[];
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
  /** A hedging account: an instrument can be held long and short at once (docs/brokers.md). */
  hedgingEnabled?: boolean;
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
