// Sends orders to broker adapters. The order row (with its deterministic client order id) is stored before the
// network call; a submit is never retried blindly: a timeout or reset leaves the order UNKNOWN until the broker
// is asked for that client order id (reconcile), and only an order the broker certainly lacks is sent again.
import type { BrokerAdapter, OrderRequest, OrderUpdate } from '../brokers/port.js';
import { BrokerError } from '../brokers/port.js';
import type { OrderRepo } from '../store/orders.js';
import type { Logger } from '../log.js';
import type { OrderView } from '../../shared/api-types.js';
import type { Code } from '../../shared/codes.js';
import { randomId } from '../ids.js';
import type { OrderLifecycle } from './lifecycle.js';
import { traceAdapterCall } from '../latency-trace.js';

export function brokerErrorCode(err: BrokerError): Code {
  switch (err.kind) {
    case 'insufficient_funds':
      return 'INSUFFICIENT_FUNDS';
    case 'rate_limited':
      return 'BROKER_RATE_LIMITED';
    case 'auth':
      return 'BROKER_AUTH_FAILED';
    case 'unreachable':
      return 'BROKER_UNREACHABLE';
    case 'market_closed':
      return 'MARKET_CLOSED';
    case 'timeout':
    case 'connection_reset':
      return 'BROKER_OUTCOME_UNKNOWN';
    default:
      return 'BROKER_REJECTED';
  }
}

export interface SubmitContext {
  accountId: string;
  signalId?: string;
  strategyId?: string;
  leg: string;
}

export class OrderRouter {
  private readonly adapters = new Map<string, BrokerAdapter>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly orders: OrderRepo,
    private readonly lifecycle: OrderLifecycle,
    private readonly log: Logger,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  register(accountId: string, adapter: BrokerAdapter): void {
    this.adapters.set(accountId, adapter);
    this.unsubscribe.push(adapter.onUpdate((u) => this.onBrokerUpdate(accountId, u)));
  }

  adapter(accountId: string): BrokerAdapter | undefined {
    return this.adapters.get(accountId);
  }

  accountIds(): string[] {
    return [...this.adapters.keys()];
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** Stores the order (idempotent by client order id) and sends it if it has not been sent before. */
  async submit(request: OrderRequest, ctx: SubmitContext): Promise<OrderView> {
    const { order, created } = this.orders.insertIfAbsent({
      id: randomId('ord'),
      signalId: ctx.signalId,
      strategyId: ctx.strategyId,
      accountId: ctx.accountId,
      request,
      leg: ctx.leg,
      createdAt: this.now(),
    });
    if (!created && order.status !== 'created') return order; // already sent once: never again from here
    return this.send(order.id, request, ctx.accountId);
  }

  private async send(orderId: string, request: OrderRequest, accountId: string): Promise<OrderView> {
    const adapter = this.adapters.get(accountId);
    if (!adapter) {
      return this.lifecycle.transition(orderId, 'rejected', 'not_sent', { code: 'ACCOUNT_UNAVAILABLE' }, { reason: 'ACCOUNT_UNAVAILABLE: the broker account is not connected' });
    }
    this.lifecycle.transition(orderId, 'submitting', 'submit', { request });
    try {
      traceAdapterCall(orderId, (id) => this.orders.get(id)?.signalId);
      const answer = await adapter.submit(request);
      const current = this.orders.get(orderId)!;
      // A stream update may already have moved the order on; apply the answer only if it adds information.
      if (current.status === 'submitting' || current.status === 'unknown') return this.lifecycle.applyBrokerOrder(orderId, answer, 'submit_answer');
      this.lifecycle.note(orderId, 'submit_answer', { broker: answer });
      return current;
    } catch (err) {
      if (err instanceof BrokerError && err.outcomeUnknown) {
        this.log.warn({ orderId, kind: err.kind }, 'broker submit outcome unknown; will reconcile by client order id');
        return this.lifecycle.transition(orderId, 'unknown', 'submit_outcome_unknown', { error: err.kind, message: err.message }, { reason: 'BROKER_OUTCOME_UNKNOWN' });
      }
      if (err instanceof BrokerError) {
        const code = brokerErrorCode(err);
        if (code === 'BROKER_UNREACHABLE' || code === 'BROKER_RATE_LIMITED') {
          // Certainly not placed: back to created, so reconciliation may send it again with the same id.
          this.lifecycle.transition(orderId, 'unknown', 'submit_failed', { error: err.kind, message: err.message }, { reason: code });
          return this.orders.get(orderId)!;
        }
        return this.lifecycle.transition(orderId, 'rejected', 'broker_rejected', { error: err.kind, message: err.message }, { reason: `${code}: ${err.message}` });
      }
      this.log.error({ orderId, err }, 'unexpected error while submitting; outcome unknown');
      return this.lifecycle.transition(orderId, 'unknown', 'submit_error', { message: (err as Error).message }, { reason: 'BROKER_OUTCOME_UNKNOWN' });
    }
  }

  /** Resolves an order whose outcome is unknown (or that was never sent) by asking the broker for its client id. */
  async resolve(orderId: string, opts: { resend: boolean }): Promise<OrderView> {
    const order = this.orders.get(orderId)!;
    const adapter = this.adapters.get(order.accountId);
    if (!adapter) return order;
    let found;
    try {
      found = await adapter.orderByClientId(order.clientOrderId);
    } catch (err) {
      this.lifecycle.note(orderId, 'reconcile_failed', { message: (err as Error).message });
      return order;
    }
    if (found) return this.lifecycle.applyBrokerOrder(orderId, found, 'reconciled');
    if (order.status === 'submitting' || order.status === 'unknown' || order.status === 'created') {
      if (!opts.resend) {
        return this.lifecycle.transition(orderId, 'canceled', 'reconciled_absent', {}, { reason: 'not at the broker; not re-sent because trading is not active' });
      }
      const request = this.orders.request(orderId)!;
      this.lifecycle.note(orderId, 'resend_same_client_id', {});
      return this.send(orderId, request, order.accountId);
    }
    return order;
  }

  async cancel(orderId: string): Promise<OrderView> {
    const order = this.orders.get(orderId)!;
    const adapter = this.adapters.get(order.accountId);
    if (!adapter) return order;
    this.lifecycle.transition(orderId, 'cancel_pending', 'cancel_request', {});
    try {
      const b = await adapter.cancel(order.clientOrderId);
      return this.lifecycle.applyBrokerOrder(orderId, b, 'cancel_answer');
    } catch (err) {
      // The cancel lost the race (e.g. the order filled): ask the broker what happened.
      this.lifecycle.note(orderId, 'cancel_failed', { message: (err as Error).message });
      return this.resolve(orderId, { resend: false });
    }
  }

  private onBrokerUpdate(accountId: string, u: OrderUpdate): void {
    const order = this.orders.byClientId(u.kind === 'fill' ? u.fill.clientOrderId : u.order.clientOrderId);
    if (!order || order.accountId !== accountId) return; // not ours (placed by hand at the broker)
    try {
      if (u.kind === 'fill') this.lifecycle.applyFill(accountId, order.id, u.fill, u.order);
      else this.lifecycle.applyBrokerOrder(order.id, u.order, 'broker_update');
    } catch (err) {
      this.log.error({ err, orderId: order.id }, 'failed to apply a broker update');
    }
  }
}
