// A bracket entry that ends (canceled, or expired with its time in force) after filling in part. At Alpaca a
// bracket's take-profit and stop-loss "won't be active until the first order is completely filled", and "if any one
// of the orders is canceled, any remaining open order in the group is canceled": the legs go with the entry, and
// the quantity that did fill is left without exits. Where the adapter says its broker works that way
// (BrokerAdapter.bracketLegsAfterCompleteFill), the agent raises an error notice naming the account, the symbol and
// the unprotected quantity, and places the exits itself: the bracket's own take-profit and stop-loss for the filled
// quantity, reduce-only, good until canceled, one cancelling the other (an OCO) where the broker has OCO orders, else
// the stop-loss alone (protection first). The exit is linked to the entry (parent_order_id), as the legs would be.
//
// The exit is stored in the commit that stores the end of the entry (OrderLifecycle.whenEnded), under a client order
// id derived from the entry's: a restart in between finds it stored and sends it (the router's lookup of an order
// stored but not sent), and no report of the end, however often repeated, places a second one.
//
// Not when the agent itself canceled the entry for something that follows (CancelContext.next): flatten, or an alert
// whose orders close the position, needs no exits; an alert whose orders follow decides the position itself (exits
// of the agent's own would hold the shares its exit needs at Alpaca, or close the position twice), and the notice
// then only says what is left without exits.
import { Decimal } from 'decimal.js';
import type { OrderRepo } from '../store/orders.js';
import type { Logger } from '../log.js';
import type { OrderView } from '../../shared/api-types.js';
import { stopLossShape, type OrderRequest } from '../brokers/port.js';
import { clientOrderId } from '../ids.js';
import type { OrderLifecycle } from './lifecycle.js';
import type { OrderRouter } from './router.js';
import type { CancelContext } from './cancel.js';

/** The leg name the protective exit is stored with. */
export const PROTECT_LEG = 'protect';

export interface RemainderDeps {
  router: OrderRouter;
  orders: OrderRepo;
  lifecycle: OrderLifecycle;
  log: Logger;
}

/** Called (synchronously, in the commit of the transition) for every order that has just ended. */
export function protectBracketRemainder(d: RemainderDeps, entry: OrderView): void {
  if (entry.status !== 'canceled' && entry.status !== 'expired') return;
  const filled = new Decimal(entry.filledQuantity);
  if (filled.lte(0)) return;
  const adapter = d.router.adapter(entry.accountId);
  if (adapter?.bracketLegsAfterCompleteFill !== true) return;
  const request = d.orders.request(entry.id);
  if (!request || request.reduceOnly === true || (request.takeProfit === undefined && request.stopLoss === undefined)) return;

  const held = `${filled.toString()} ${entry.symbol}`;
  const what = `the bracket entry ${entry.clientOrderId} (${entry.side} ${entry.quantity} ${entry.symbol}) was ${entry.status} after ${filled.toString()} filled, and the broker canceled its take-profit and stop-loss with it: ${held} had no exits`;
  const next = cancelNext(d.orders, entry.id);
  if (next === 'position_closes') {
    d.lifecycle.note(entry.id, 'remainder_left_to_close', { filled: filled.toString() });
    return;
  }
  const account = d.router.accountLabel(entry.accountId);
  if (next === 'alert_orders') {
    d.lifecycle.note(entry.id, 'remainder_left_to_alert', { filled: filled.toString() });
    d.log.error({ orderId: entry.id, accountId: entry.accountId, symbol: entry.symbol, unprotected: filled.toString() }, 'a partly filled bracket entry was canceled for a later alert; its filled quantity has no exits');
    d.lifecycle.notice(
      'error',
      `${account}: ${what}. A later alert canceled the entry and its own orders decide the position, so the agent placed no exits for these ${held}: check the position, and place a stop at the broker or send an exit if it stays open.`,
      'BRACKET_LEGS_CANCELED',
    );
    return;
  }

  // Trading halted: nothing is sent, a protective exit neither (halted allows only cancels). The notice says what is
  // left without exits; the trader decides.
  const halted = d.router.tradingRefusal(entry.accountId, true);
  if (halted) {
    d.lifecycle.note(entry.id, 'remainder_left_halted', { filled: filled.toString(), code: halted.code });
    d.log.error({ orderId: entry.id, accountId: entry.accountId, symbol: entry.symbol, unprotected: filled.toString() }, 'a partly filled bracket entry ended while trading is halted; its filled quantity has no exits');
    d.lifecycle.notice('error', `${account}: ${what}. Trading is halted, so the agent placed no exits for these ${held}: place a stop at the broker, or resume trading and send an exit.`, 'BRACKET_LEGS_CANCELED');
    return;
  }
  const exit = protectiveExit(entry, request, filled.toString(), adapter.capabilities.oco);
  d.log.error({ orderId: entry.id, accountId: entry.accountId, symbol: entry.symbol, unprotected: filled.toString(), protective: exit.request.clientOrderId }, 'a partly filled bracket entry ended and the broker canceled its legs; placing exits for the filled quantity');
  d.lifecycle.notice('error', `${account}: ${what}. The agent placed ${exit.description} for them (order ${exit.request.clientOrderId}).`, 'BRACKET_LEGS_CANCELED');
  // Stored now, in this commit; sent once the commit is over (the router awaits before any broker call).
  d.router
    .submit(exit.request, { accountId: entry.accountId, signalId: entry.signalId, strategyId: entry.strategyId, leg: PROTECT_LEG, parentOrderId: entry.id, refuseSend: () => d.router.tradingRefusal(entry.accountId, true) })
    .then(
      (o) => {
        if (o.status !== 'rejected' && o.status !== 'canceled') return;
        d.log.error({ orderId: o.id, accountId: entry.accountId, reason: o.reason }, 'the protective exit of a partly filled bracket entry was not placed');
        d.lifecycle.notice('error', `${account}: the protective exit ${o.clientOrderId} for ${held} (of the bracket entry ${entry.clientOrderId}) was not placed (${o.reason ?? o.status}): the ${held} have no exits. Close them or place a stop at the broker.`, 'BRACKET_LEGS_CANCELED');
      },
      (err: unknown) => d.log.error({ err, entryId: entry.id }, 'placing the protective exit of a partly filled bracket entry failed'),
    );
}

/** What the last cancel request of the order said follows it (none: nothing does, or the order was not canceled by
 *  the agent). */
function cancelNext(orders: OrderRepo, orderId: string): CancelContext['next'] {
  const requests = orders.events(orderId).filter((e) => e.kind === 'cancel_request');
  return (requests.at(-1)?.data as { next?: CancelContext['next'] } | null | undefined)?.next;
}

/**
 * The exit for `quantity` of the entry at its bracket's own levels: an OCO of the take-profit (a limit) and the
 * stop-loss (stop or stop-limit) where the broker has OCO orders; otherwise the stop-loss alone (a trailing one
 * included), or the take-profit alone when the bracket had no stop-loss.
 */
export function protectiveExit(entry: OrderView, request: OrderRequest, quantity: string, oco: boolean): { request: OrderRequest; description: string } {
  const base = {
    clientOrderId: clientOrderId(entry.clientOrderId, entry.accountId, PROTECT_LEG),
    symbol: request.symbol,
    side: entry.side === 'buy' ? ('sell' as const) : ('buy' as const),
    quantity,
    timeInForce: 'gtc' as const,
    reduceOnly: true,
  };
  const tp = request.takeProfit?.limitPrice;
  const sl = request.stopLoss !== undefined ? stopLossShape(request.stopLoss) : undefined;
  const stopWords = sl === undefined ? '' : sl.type === 'trailing_stop' ? `a trailing stop-loss ${sl.trailAmount !== undefined ? `${sl.trailAmount} away` : `${sl.trailPercent}% away`}` : `a stop-loss at ${sl.stopPrice}${sl.limitPrice !== undefined ? ` (limit ${sl.limitPrice})` : ''}`;
  if (tp !== undefined && sl !== undefined && sl.type !== 'trailing_stop' && oco) {
    const stopLoss = sl.limitPrice !== undefined ? { stopPrice: sl.stopPrice, limitPrice: sl.limitPrice } : { stopPrice: sl.stopPrice };
    return {
      request: { ...base, type: 'limit', limitPrice: tp, takeProfit: { limitPrice: tp }, stopLoss, referencePrice: tp },
      description: `a take-profit at ${tp} and ${stopWords}, one cancelling the other,`,
    };
  }
  if (sl !== undefined) {
    const dropped = tp !== undefined ? ` (not the take-profit at ${tp}: the broker cannot hold both for the same ${quantity} unless one cancels the other)` : '';
    return { request: { ...base, ...sl, ...(sl.stopPrice !== undefined ? { referencePrice: sl.stopPrice } : {}) }, description: `${stopWords}${dropped}` };
  }
  return { request: { ...base, type: 'limit', limitPrice: tp!, referencePrice: tp! }, description: `a take-profit at ${tp!}` };
}
