// The checks an order passes before it is sent to Alpaca (AlpacaAdapter.submit): crypto, bracket / OTO / OCO,
// extended hours, trailing stop and fractional orders as Orders at Alpaca describes them.
import { Decimal } from 'decimal.js';
import { BrokerError, type BrokerCapabilities, type OrderRequest } from '../port.js';
import { alpacaTimeInForce, isCryptoSymbol, isFractional } from './mapping.js';

const CRYPTO_TYPES = new Set(['market', 'limit', 'stop_limit']);
const CRYPTO_TIF = new Set(['gtc', 'ioc']);

/** Refuses, before any network call, what Alpaca documents it would refuse. */
export function precheck(capabilities: BrokerCapabilities, req: OrderRequest, symbol: string): void {
  const invalid = (why: string) => new BrokerError('invalid', `Alpaca does not accept this order: ${why}`);
  if (!capabilities.orderTypes.includes(req.type)) throw invalid(`order type ${req.type}`);
  if (!capabilities.timeInForce.includes(req.timeInForce)) throw invalid(`time in force ${req.timeInForce}`);
  if (req.clientOrderId.length === 0 || req.clientOrderId.length > 128) throw invalid('client order id must be 1-128 characters');
  const hasLegs = req.takeProfit !== undefined || req.stopLoss !== undefined;
  if (isCryptoSymbol(symbol)) {
    if (!CRYPTO_TYPES.has(req.type)) throw invalid(`crypto supports market, limit and stop_limit only, not ${req.type}`);
    if (!CRYPTO_TIF.has(alpacaTimeInForce(req, symbol))) throw invalid(`crypto supports gtc and ioc only (day is sent as gtc), not ${req.timeInForce}`);
    if (hasLegs) throw invalid('crypto orders cannot carry take-profit / stop-loss legs');
  }
  if (hasLegs) {
    if (req.timeInForce !== 'day' && req.timeInForce !== 'gtc') throw invalid('bracket / OTO / OCO orders must be day or gtc');
    if (req.extendedHours) throw invalid('bracket orders cannot trade in extended hours');
    if (req.takeProfit && req.takeProfit.limitPrice === undefined) throw invalid('take-profit needs a limit price');
    if (req.stopLoss && req.stopLoss.stopPrice === undefined) throw invalid('stop-loss needs a stop price');
  }
  // Alpaca takes only limit orders as extended-hours eligible, and a trailing stop "will not trigger outside of the
  // regular market hours" (Orders at Alpaca, Trailing Stop Orders): say so rather than only "limit order".
  if (req.extendedHours && req.type === 'trailing_stop') throw invalid('a trailing stop cannot be sent with extended hours: Alpaca triggers trailing stops only in regular market hours and takes extended-hours orders only as day or gtc limit orders; send it without extendedHours, or use a limit order to trade in extended hours');
  if (req.extendedHours && (req.type !== 'limit' || (req.timeInForce !== 'day' && req.timeInForce !== 'gtc'))) throw invalid('extended hours needs a day or gtc limit order');
  if (req.type === 'trailing_stop' && req.trailAmount === undefined && req.trailPercent === undefined) throw invalid('trailing stop needs a trail amount or percent');
  if (!new Decimal(req.quantity).gt(0)) throw invalid('quantity must be positive');
  if (!isCryptoSymbol(symbol) && isFractional(req.quantity)) {
    // Alpaca: fractional equity orders are simple market, limit, stop or stop_limit orders, time in force day.
    const whole = 'use a whole number of shares';
    if (hasLegs) throw invalid(`fractional quantity ${req.quantity} cannot carry take-profit / stop-loss legs (fractional orders must be simple orders); ${whole}`);
    if (req.type === 'trailing_stop') throw invalid(`fractional quantity ${req.quantity} cannot be a trailing stop (fractional orders must be market, limit, stop or stop_limit); ${whole}`);
    const tif = alpacaTimeInForce(req, symbol);
    if (tif !== 'day') throw invalid(`fractional quantity ${req.quantity} is accepted only as a day order, not ${tif}; use time in force day or ${whole}`);
  }
}
