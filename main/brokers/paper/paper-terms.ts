// The paper broker's terms: its settings, what it accepts (capabilities and the checks on a request), and how its
// stored rows read as broker orders. paper-broker.ts holds the books, paper-matching.ts the matching.
import { Decimal } from 'decimal.js';
import type { PaperOrderRow } from '../../store/paper.js';
import { BrokerError, type BrokerCapabilities, type BrokerOrder, type InstrumentInfo, type OrderRequest } from '../port.js';
import type { OrderStatus } from '../../../shared/order-status.js';

export interface PaperConfig {
  currency: string;
  startingCash: string;
  /** Slippage against the trader on market orders and triggered stops, in basis points. */
  slippageBps: string;
  /** Commission per fill, in account currency. */
  commissionPerOrder: string;
  allowShort: boolean;
  fractional: boolean;
  /** Market orders fill in two parts (half, then the rest), as on a thin book: rehearses the agent's handling of
   *  partial fills, and lets the broker contract suite check that positions equal the signed sum of fills. */
  partialFills: boolean;
}

export const DEFAULT_PAPER_CONFIG: PaperConfig = {
  currency: 'USD',
  startingCash: '100000',
  slippageBps: '0',
  commissionPerOrder: '0',
  allowShort: true,
  fractional: true,
  partialFills: false,
};

export const PAPER_CAPABILITIES: BrokerCapabilities = {
  orderTypes: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'],
  timeInForce: ['day', 'gtc', 'ioc', 'fok', 'opg', 'cls'],
  brackets: true,
  oco: true,
  trailingStops: true,
  fractional: true,
  shortSelling: true,
  clientIdLookup: true,
  modify: false,
  requestsPerMinute: 1_000_000,
  streaming: true,
};

export function isPositive(v: string | undefined): boolean {
  if (v === undefined) return false;
  try {
    const d = new Decimal(v);
    return d.isFinite() && d.greaterThan(0);
  } catch {
    return false;
  }
}

export function validate(req: OrderRequest, caps: BrokerCapabilities): void {
  if (!caps.orderTypes.includes(req.type)) throw new BrokerError('invalid', `order type ${req.type} is not supported by the paper broker`);
  if (!isPositive(req.quantity)) throw new BrokerError('invalid', 'quantity must be positive');
  if ((req.type === 'limit' || req.type === 'stop_limit') && !isPositive(req.limitPrice)) throw new BrokerError('invalid', `${req.type} order needs a positive limit price`);
  if ((req.type === 'stop' || req.type === 'stop_limit') && !isPositive(req.stopPrice)) throw new BrokerError('invalid', `${req.type} order needs a positive stop price`);
  if (req.type === 'trailing_stop' && isPositive(req.trailAmount) === isPositive(req.trailPercent)) throw new BrokerError('invalid', 'a trailing stop needs exactly one of a positive trail amount or trail percent');
  if (req.takeProfit && !isPositive(req.takeProfit.limitPrice)) throw new BrokerError('invalid', 'a take-profit needs a positive limit price');
  if (req.stopLoss && !isPositive(req.stopLoss.stopPrice) && !isPositive(req.stopLoss.trailAmount) && !isPositive(req.stopLoss.trailPercent)) {
    throw new BrokerError('invalid', 'a stop-loss needs a positive stop price, trail amount or trail percent');
  }
}

/**
 * Refuses, before the order reaches the books, a fraction of a unit the instrument trades only whole (`info` not
 * fractionable: a futures contract, or any symbol on an account with fractional quantities off), with
 * QUANTITY_NOT_WHOLE. A reduce-only order may carry a fraction only to close one the books already hold (kept from
 * before whole contracts were enforced): what it leaves of the position (`held`, read only then) must be whole.
 */
export function checkWholeQuantity(req: OrderRequest, info: InstrumentInfo, held: () => Decimal.Value): void {
  if (info.fractionable !== false) return;
  const lot = new Decimal(info.lotSize);
  const qty = new Decimal(req.quantity);
  if (qty.mod(lot).isZero()) return;
  if (req.reduceOnly && Decimal.max(0, new Decimal(held()).abs().minus(qty)).mod(lot).isZero()) return;
  const below = qty.div(lot).floor().times(lot);
  const send = below.gt(0) ? `${below.toString()} or ${below.plus(lot).toString()}` : `at least ${lot.toString()}`;
  const message =
    info.assetClass === 'future'
      ? `${req.symbol} is a futures contract and trades in whole contracts: ${qty.toString()} is not a whole number of contracts. Send ${send}.`
      : `fractional quantities are not enabled for this paper account: ${qty.toString()} ${req.symbol} is not a whole number. Send ${send}, or enable fractional quantities in the account's paper settings.`;
  throw new BrokerError('invalid', message, undefined, 'QUANTITY_NOT_WHOLE');
}

export function toBrokerOrder(o: PaperOrderRow): BrokerOrder {
  return {
    clientOrderId: o.clientOrderId,
    brokerOrderId: o.brokerOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type as BrokerOrder['type'],
    quantity: o.quantity,
    filledQuantity: o.filledQuantity,
    averageFillPrice: o.averageFillPrice,
    status: o.status as OrderStatus,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    reason: o.reason,
    updatedAt: o.updatedAt,
    parentClientOrderId: o.parentClientOrderId,
  };
}
