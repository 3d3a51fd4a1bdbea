// Submitting an order: the order row (with its deterministic client order id) is stored before the network call, and
// sent once. A timeout, reset or 5xx leaves the order UNKNOWN, to be looked up by client order id (resolve.ts); a
// 429 or a refused connection means the order was certainly not placed, so it waits (retry-after) and tries again,
// with the same id.
import type { BrokerAdapter, OrderRequest, BrokerOrder } from '../brokers/port.js';
import { BrokerError } from '../brokers/port.js';
import { codeForBrokerError } from '../brokers/http/codes.js';
import type { OrderView } from '../../shared/api-types.js';
import type { Code } from '../../shared/codes.js';
import { randomId } from '../ids.js';
import type { Lane } from './throttle.js';
import { traceAdapterCall, traceStep } from '../latency-trace.js';
import type { RouterParts } from './router.js';

export interface SubmitContext {
  accountId: string;
  signalId?: string;
  strategyId?: string;
  leg: string;
  /** For an exit: the position's average price when it was placed (what the cooldown after a loss measures the
   *  exit's fills against). */
  entryPrice?: string;
  /** Writes that belong with a new order (the decision that placed it), made in the commit that stores it; not
   *  made when the order exists already. */
  withOrder?: () => void;
  /** Awaited after the order is stored and before it may reach the broker: the alert that placed it must be on
   *  disk first (InboxCopier.untilDurable). The order is stored while that sync runs. */
  untilSendable?: () => Promise<void> | undefined;
  /** Asked right before every send, once the wait above and the account's pacing are over: a reason not to send
   *  now (trading halted, or reducing and this order would add, since the risk check allowed it) leaves the order
   *  rejected, never sent. */
  refuseSend?: () => SendRefusal | undefined;
  /** The order this one belongs to: the entry whose filled part a protective exit covers (bracket-remainder.ts). */
  parentOrderId?: string;
}

const NOT_SENT = Symbol('not sent');

/** Why an order that was allowed is not sent after all. */
export interface SendRefusal {
  code: Code;
  detail: string;
}

/** Stores the order (idempotent by client order id) and sends it if it has not been sent before. */
export async function submitOrder(d: RouterParts, request: OrderRequest, ctx: SubmitContext): Promise<OrderView> {
  // The new row, its move to `submitting` and the caller's writes for it are one commit, made before the broker call;
  // its audit rows are sealed by the next commit, after the call (sealLater in store/audit.ts).
  const { view, send } = d.orders.transaction(() => {
    const { order, created } = d.orders.insertIfAbsent(
      {
        id: randomId('ord'),
        signalId: ctx.signalId,
        strategyId: ctx.strategyId,
        accountId: ctx.accountId,
        request,
        leg: ctx.leg,
        ...(ctx.entryPrice !== undefined ? { entryPrice: ctx.entryPrice } : {}),
        createdAt: d.now(),
      },
      ctx.parentOrderId !== undefined ? { parentOrderId: ctx.parentOrderId } : {},
    );
    if (created) ctx.withOrder?.(); // (a resumed run finds the order, and what came with it, already stored)
    if (!created && order.status !== 'created') return { view: order, send: false }; // already sent once: never again from here
    const prepared = prepare(d, order.id, request, ctx.accountId);
    return { view: prepared, send: prepared.status === 'submitting' };
  }, { sealLater: true });
  if (ctx.signalId !== undefined) traceStep(ctx.signalId, 'store');
  if (!send) return view;
  return sendPrepared(d, view.id, request, ctx.accountId, ctx.refuseSend, ctx.untilSendable, ctx.signalId);
}

export async function sendOrder(d: RouterParts, orderId: string, request: OrderRequest, accountId: string, refuseSend?: () => SendRefusal | undefined): Promise<OrderView> {
  const prepared = prepare(d, orderId, request, accountId);
  return prepared.status === 'submitting' ? sendPrepared(d, orderId, request, accountId, refuseSend) : prepared;
}

/** Refuses an order the account cannot take (rejected, not sent), or moves it to `submitting`. Synchronous, so
 *  it can share the commit that stores the order. */
function prepare(d: RouterParts, orderId: string, request: OrderRequest, accountId: string): OrderView {
  const adapter = d.adapters.get(accountId);
  if (!adapter) {
    return d.lifecycle.transition(orderId, 'rejected', 'not_sent', { code: 'ACCOUNT_UNAVAILABLE' }, { reason: 'ACCOUNT_UNAVAILABLE: the broker account is not connected' });
  }
  const missing = missingCapability(adapter, request);
  if (missing) return d.lifecycle.transition(orderId, 'rejected', 'not_sent', { code: 'CAPABILITY_UNSUPPORTED' }, { reason: `CAPABILITY_UNSUPPORTED: ${missing}` });
  return d.lifecycle.transition(orderId, 'submitting', 'submit', { request });
}

async function sendPrepared(
  d: RouterParts,
  orderId: string,
  request: OrderRequest,
  accountId: string,
  refuseSend?: () => SendRefusal | undefined,
  untilSendable?: () => Promise<void> | undefined,
  signalId?: string,
): Promise<OrderView> {
  // Marked as sending while it waits for its alert's sync too: a lookup meanwhile (the reconciler) would find it
  // absent and must not send it a second time.
  d.sending.add(orderId);
  try {
    await untilSendable?.();
    if (signalId !== undefined) traceStep(signalId, 'sync');
    return await attempts(d, orderId, request, accountId, refuseSend, signalId);
  } finally {
    d.sending.delete(orderId);
  }
}

/** `signalId`: the alert the order is for, when the caller knows it (the latency trace reads it otherwise). */
async function attempts(d: RouterParts, orderId: string, request: OrderRequest, accountId: string, refuseSend?: () => SendRefusal | undefined, signalId?: string): Promise<OrderView> {
  const lane: Lane = request.reduceOnly ? 'urgent' : 'normal';
  for (let attempt = 0; ; attempt++) {
    d.sentAt.set(orderId, Date.now());
    d.absentSeen.delete(orderId);
    d.notPlaced.delete(orderId);
    let refused: SendRefusal | undefined;
    try {
      const answer = await d.call(accountId, lane, (a): Promise<BrokerOrder | typeof NOT_SENT> => {
        // Asked here, when the broker call would start: the account's pacing may have held the order a while.
        refused = refuseSend?.();
        if (refused) return Promise.resolve(NOT_SENT);
        traceAdapterCall(orderId, (id) => signalId ?? d.orders.get(id)?.signalId);
        return a.submit(request);
      });
      if (answer === NOT_SENT) {
        const r = refused!;
        d.log.warn({ orderId, code: r.code }, 'order not sent: the trading state changed after the risk check allowed it');
        return d.lifecycle.transition(orderId, 'rejected', 'not_sent', { code: r.code }, { reason: `${r.code}: ${r.detail}` });
      }
      d.breakerSuccess(accountId);
      const current = d.orders.get(orderId)!;
      // A stream update may already have moved the order on; apply the answer only if it adds information.
      if (current.status === 'submitting' || current.status === 'unknown') return d.lifecycle.applyBrokerOrder(orderId, answer, 'submit_answer');
      d.lifecycle.note(orderId, 'submit_answer', { broker: answer });
      return current;
    } catch (err) {
      const e = err instanceof BrokerError ? err : undefined;
      if (!e || e.outcomeUnknown) {
        if (e) d.breakerFailure(accountId, e);
        d.log.warn({ orderId, kind: e?.kind, err: e ? undefined : err }, 'broker submit outcome unknown; will look the order up by client order id');
        const o = d.orders.get(orderId)!;
        const moved = o.status !== 'submitting'; // a stream update already told us what happened
        const view = moved ? o : d.lifecycle.transition(orderId, 'unknown', 'submit_outcome_unknown', { error: e?.kind ?? 'exception', message: (err as Error).message }, { reason: 'BROKER_OUTCOME_UNKNOWN' });
        if (view.status === 'unknown') d.scheduleResolve(orderId, 0);
        return view;
      }
      const code = codeForBrokerError(e);
      if (code === 'BROKER_UNREACHABLE' || code === 'BROKER_RATE_LIMITED') {
        d.breakerFailure(accountId, e);
        // Certainly not placed: wait as the broker asks (or back off) and send again, same id.
        const wait = e.retryAfterMs ?? d.options().resolveBaseMs * 2 ** attempt;
        d.throttles.get(accountId)?.pause(wait);
        if (attempt < d.options().maxCertainRetries && !d.closed()) {
          d.lifecycle.note(orderId, 'submit_retry', { error: e.kind, waitMs: wait, attempt: attempt + 1 });
          continue;
        }
        // Every attempt of this send was refused before the broker took it (a 429, a refused connection): the
        // lookup that follows may believe "absent" at once, without the grace for a request still in flight.
        d.notPlaced.add(orderId);
        const view = d.lifecycle.transition(orderId, 'unknown', 'submit_failed', { error: e.kind, message: e.message }, { reason: code });
        d.scheduleResolve(orderId, wait);
        return view;
      }
      // The broker is answering; it refused this order on its merits. (A refusal of the adapter's own, before
      // anything was sent, says nothing of the broker.)
      if (!e.refusedBeforeSending) d.breakerSuccess(accountId);
      if (d.resent.has(orderId)) {
        // A re-send refused (typically: client order id already used) means the first send did arrive after
        // all: the broker's order under this id is the truth, never a rejection.
        const existing = await d.call(accountId, 'urgent', (a) => a.orderByClientId(request.clientOrderId)).catch(() => undefined);
        if (existing) return d.lifecycle.applyBrokerOrder(orderId, existing, 'resend_refused_found');
      }
      if (e.refusedBeforeSending) {
        // The adapter refused it before any request (an order the broker does not take): closed as never sent,
        // under the same code the alert's denial shows (CAPABILITY_UNSUPPORTED, or the adapter's own), never as
        // the broker's rejection.
        return d.lifecycle.transition(orderId, 'rejected', 'not_sent', { code, error: e.kind, message: e.message }, { reason: `${code}: ${e.message}` });
      }
      return d.lifecycle.transition(orderId, 'rejected', 'broker_rejected', { error: e.kind, message: e.message }, { reason: `${code}: ${e.message}` });
    }
  }
}

/** Denies locally, before any network call, an order the adapter cannot take. */
export function missingCapability(adapter: BrokerAdapter, r: OrderRequest): string | undefined {
  const c = adapter.capabilities;
  if (!c.orderTypes.includes(r.type)) return `order type ${r.type} (the ${adapter.broker} adapter supports ${c.orderTypes.join(', ')})`;
  if (!c.timeInForce.includes(r.timeInForce)) return `time in force ${r.timeInForce}`;
  if ((r.takeProfit || r.stopLoss) && !c.brackets) return 'bracket orders (take-profit / stop-loss)';
  if ((r.trailAmount || r.trailPercent || r.stopLoss?.trailAmount || r.stopLoss?.trailPercent) && !c.trailingStops) return 'trailing stops';
  return undefined;
}
