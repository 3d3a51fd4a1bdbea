// Resolving an order whose outcome is unknown (a submit that timed out, was reset or got a 5xx): the broker is asked
// for its client order id with backoff. Only an order the broker certainly lacks (absent on repeated lookups, after
// a grace period for a request still in flight) is sent again, with the SAME id, so a broker that did take it refuses
// the copy; one canceled meanwhile, or that the trading state refuses now, is closed instead.
import type { BrokerOrder } from '../brokers/port.js';
import { BrokerError } from '../brokers/port.js';
import type { OrderView } from '../../shared/api-types.js';
import type { RouterParts } from './router.js';

/** How many times the absent grace a broker that reuses client ids gets (BrokerAdapter.clientIdsReusable). */
export const REUSABLE_ID_GRACE_FACTOR = 3;

/** Looks an UNKNOWN order up again after `delayMs`, with doubling backoff, until it is resolved. */
export function scheduleResolve(d: RouterParts, orderId: string, delayMs: number, attempt = 0): void {
  if (d.closed() || d.resolving.has(orderId)) return;
  const t = setTimeout(() => {
    d.resolving.delete(orderId);
    void resolveOrder(d, orderId).then(
      (o) => {
        if (o.status === 'unknown' || o.status === 'submitting') scheduleResolve(d, orderId, Math.min(d.options().resolveBaseMs * 2 ** attempt, d.options().resolveMaxMs), attempt + 1);
      },
      (err: unknown) => d.log.error({ err, orderId }, 'resolving an order failed'),
    );
  }, delayMs);
  t.unref?.();
  d.resolving.set(orderId, t);
}

/** Asks the broker for the order by client id and applies the answer. An order the broker certainly lacks is
 *  re-sent with the same id (when trading allows) or closed as canceled with the reason. `sentBefore` is
 *  when it was last sent, for orders from a previous run (start-up reconciliation). */
export async function resolveOrder(d: RouterParts, orderId: string, opts: { sentBefore?: number } = {}): Promise<OrderView> {
  const order = d.orders.get(orderId)!;
  if (!d.adapters.has(order.accountId) || d.sending.has(orderId)) return order; // a send in progress answers for itself
  let found: BrokerOrder | undefined;
  try {
    found = await d.call(order.accountId, 'urgent', (a) => a.orderByClientId(order.clientOrderId));
    d.breakerSuccess(order.accountId);
  } catch (err) {
    if (err instanceof BrokerError) d.breakerFailure(order.accountId, err);
    d.lifecycle.note(orderId, 'lookup_failed', { message: (err as Error).message });
    return d.orders.get(orderId)!;
  }
  const current = d.orders.get(orderId)!;
  if (found) {
    d.absentSeen.delete(orderId);
    const applied = d.lifecycle.applyBrokerOrder(orderId, found, 'reconciled');
    void d.cancelStands(current, applied, found.status);
    return applied;
  }
  if (current.status !== 'submitting' && current.status !== 'unknown' && current.status !== 'created') return current;
  const seen = (d.absentSeen.get(orderId) ?? 0) + 1;
  d.absentSeen.set(orderId, seen);
  const sentAt = d.sentAt.get(orderId) ?? opts.sentBefore ?? Date.parse(current.updatedAt);
  // A local book's "absent" is certain at once: no request can still be on its way there. This is what re-sends,
  // right after a restart, an order stored as `submitting` by an agent killed before it could send it.
  const adapter = d.adapters.get(order.accountId)!;
  // Where the broker frees a final order's id, a late first request is not refused by the re-send's id: wait longer.
  const graceMs = adapter.clientIdsReusable === true ? d.options().absentGraceMs * REUSABLE_ID_GRACE_FACTOR : d.options().absentGraceMs;
  const certain = current.status === 'created' || adapter.authoritativeLookup === true || d.notPlaced.has(orderId) || (seen >= d.options().absentLookups && Date.now() - sentAt >= graceMs);
  if (!certain) {
    d.lifecycle.note(orderId, 'lookup_absent', { lookups: seen });
    return current;
  }
  d.absentSeen.delete(orderId);
  d.notPlaced.delete(orderId);
  // Canceled while its outcome was unknown (the broker had nothing to cancel): never sent again.
  if (d.orders.events(orderId).some((e) => e.kind === 'cancel_request')) {
    return d.lifecycle.transition(orderId, 'canceled', 'canceled_before_sending', {}, { reason: 'canceled before it reached the broker: the broker never received it' });
  }
  const refused = d.resendRefusal(current);
  if (refused) {
    const kind = current.status === 'created' ? 'not_sent' : 'reconciled_absent';
    // The code says why, as the risk check would have (the signal shows it: the alert did not trade).
    return d.lifecycle.transition(orderId, 'canceled', kind, { code: refused.code }, { reason: `${refused.code}: not at the broker; ${refused.detail}` });
  }
  const request = d.orders.request(orderId)!;
  d.lifecycle.note(orderId, 'resend_same_client_id', { lookups: seen });
  d.resent.add(orderId);
  // Asked again at the broker call: the re-send may wait for the account's pacing (many orders re-sent after a
  // crash, a 429's pause) while the trader halts, and a halted account sends nothing.
  return d.send(orderId, request, current.accountId, () => d.resendRefusal(current));
}
