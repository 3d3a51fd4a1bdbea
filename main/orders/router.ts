// Sends orders to broker adapters. The order row (with its deterministic client order id) is stored before the
// network call; a submit is never retried blindly: a timeout, reset or 5xx leaves the order UNKNOWN, and the
// broker is asked for that client order id with backoff. Only an order the broker certainly lacks (absent on
// repeated lookups, after a grace period for a request still in flight) is sent again, with the SAME id, so a
// broker that did take it refuses the copy. A 429 or a refused connection means the order was certainly not
// placed, so it waits (retry-after) and tries again. Requests are paced per account under the broker's limit,
// cancels and exits first; repeated broker failures open a circuit breaker that switches the account's trading
// state, with the reason.
import type { BrokerAdapter, OrderRequest, OrderUpdate, BrokerOrder } from '../brokers/port.js';
import type { OrderType } from '../../shared/signal.js';
import { BrokerError } from '../brokers/port.js';
import { codeForBrokerError } from '../brokers/http/codes.js';
import type { OrderRepo } from '../store/orders.js';
import type { Logger } from '../log.js';
import type { OrderView } from '../../shared/api-types.js';
import { isCode, type Code } from '../../shared/codes.js';
import type { TradingState } from '../../shared/trading-state.js';
import { isTerminal, type OrderStatus } from '../../shared/order-status.js';
import { randomId } from '../ids.js';
import type { OrderLifecycle } from './lifecycle.js';
import { AccountThrottle, type Lane } from './throttle.js';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerOptions } from './circuit-breaker.js';
import { traceAdapterCall } from '../latency-trace.js';
import { protectBracketRemainder } from './bracket-remainder.js';
import { accountLabel, accountName, type AccountNames } from '../account-label.js';

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

/** Why an order is canceled, as far as its position is concerned (stored with the cancel request). */
export interface CancelContext {
  /**
   * What follows the cancel: `position_closes` (flatten, or an alert whose orders close the position) or
   * `alert_orders` (the orders of the alert that canceled it, which decide the position). Left out for a cancel
   * nothing follows (a cancel alert). A bracket entry that ends after filling in part gets protective exits for the
   * filled quantity only when nothing follows (bracket-remainder.ts): exits of its own would fight those orders.
   */
  next?: 'position_closes' | 'alert_orders';
}

const NOT_SENT = Symbol('not sent');

/** Why an order that was allowed is not sent after all. */
export interface SendRefusal {
  code: Code;
  detail: string;
}

/** The part of TradingStateService the router needs (kept narrow so tests can pass the real service). */
export interface TradingStateControl {
  effective(accountId: string): { state: TradingState; reason?: string };
  set(state: TradingState, reason?: string, accountId?: string): unknown;
}

export interface RouterOptions {
  /** A submit, lookup or cancel that has not answered by then is treated as a timeout (outcome unknown). */
  requestTimeoutMs: number;
  /** Backoff between lookups of an UNKNOWN order: first delay, doubling up to the max. */
  resolveBaseMs: number;
  resolveMaxMs: number;
  /** An order is re-sent only when absent on this many lookups in a row... */
  absentLookups: number;
  /** ...and at least this long after it was last sent (a slow request may still reach the broker). */
  absentGraceMs: number;
  /** Retries of a submit the broker certainly did not take (429, connection refused). */
  maxCertainRetries: number;
  breaker: BreakerOptions;
}

/** How many times the absent grace a broker that reuses client ids gets (BrokerAdapter.clientIdsReusable). */
export const REUSABLE_ID_GRACE_FACTOR = 3;

export const DEFAULT_ROUTER_OPTIONS: RouterOptions = {
  requestTimeoutMs: 15_000,
  resolveBaseMs: 1_000,
  resolveMaxMs: 60_000,
  absentLookups: 2,
  absentGraceMs: 20_000,
  maxCertainRetries: 3,
  breaker: DEFAULT_BREAKER,
};

export class OrderRouter {
  private readonly adapters = new Map<string, BrokerAdapter>();
  private readonly throttles = new Map<string, AccountThrottle>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** Each account's update subscriptions (a replaced adapter's stay until the router closes, as before). */
  private readonly subscriptions = new Map<string, (() => void)[]>();
  private readonly resolving = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly sentAt = new Map<string, number>();
  private readonly sending = new Set<string>();
  private readonly resent = new Set<string>();
  private readonly absentSeen = new Map<string, number>();
  /** Orders whose last send was certainly not taken by the broker (all its attempts refused before placing). */
  private readonly notPlaced = new Set<string>();
  /** Cancels that stand (cancelStands) on their way to the broker, by order id: one at a time per order. */
  private readonly standing = new Map<string, Promise<boolean>>();
  private readonly onClose: (() => void)[] = [];
  private tradingState: TradingStateControl | undefined;
  private names: AccountNames | undefined;
  private opts: RouterOptions;
  private closed = false;

  constructor(
    private readonly orders: OrderRepo,
    private readonly lifecycle: OrderLifecycle,
    private readonly log: Logger,
    private readonly now: () => string = () => new Date().toISOString(),
    options: Partial<RouterOptions> = {},
  ) {
    this.opts = { ...DEFAULT_ROUTER_OPTIONS, ...options };
    // A bracket entry that ends after a partial fill, where the broker canceled its legs with it: protect the fill.
    lifecycle.whenEnded((orderId, status) => {
      if (status === 'canceled' || status === 'expired') protectBracketRemainder({ router: this, orders, lifecycle, log }, orders.get(orderId)!);
    });
  }

  /** Connects the router to the trading state (circuit breaker trips, re-send decisions) and adjusts options. */
  configure(tradingState: TradingStateControl, options: Partial<RouterOptions> = {}): void {
    this.tradingState = tradingState;
    this.opts = { ...this.opts, ...options };
    for (const b of this.breakers.values()) Object.assign(b.options, this.opts.breaker);
  }

  /** Where the router's messages (and the reconciler's, and the bracket notices) find an account's name. */
  nameAccounts(names: AccountNames): void {
    this.names = names;
    this.lifecycle.nameAccounts(names);
  }

  /** `Account "Paper" (acc_…)`, or `Account acc_…` for an account the store does not know (account-label.ts). */
  accountLabel(accountId: string): string {
    return accountLabel(this.names, accountId);
  }

  /** The lifecycle this router writes through (for the reconciler, built where only the router is at hand). */
  get lifecycleRef(): OrderLifecycle {
    return this.lifecycle;
  }

  get options(): Readonly<RouterOptions> {
    return this.opts;
  }

  register(accountId: string, adapter: BrokerAdapter): void {
    this.adapters.set(accountId, adapter);
    this.throttles.get(accountId)?.close();
    this.throttles.set(accountId, new AccountThrottle(adapter.capabilities.requestsPerMinute));
    this.breakers.set(accountId, new CircuitBreaker({ ...this.opts.breaker }));
    const subs = this.subscriptions.get(accountId) ?? [];
    subs.push(adapter.onUpdate((u) => this.onBrokerUpdate(accountId, u)));
    this.subscriptions.set(accountId, subs);
  }

  /**
   * Forgets an account (it was deleted): its broker updates are no longer applied, its pacing and breaker are
   * dropped, and its adapter is disconnected. Orders of the account can no longer be sent, looked up or canceled
   * here (the caller makes sure none is still open). False when no adapter was registered for it.
   */
  async unregister(accountId: string): Promise<boolean> {
    const adapter = this.adapters.get(accountId);
    for (const u of this.subscriptions.get(accountId) ?? []) u();
    this.subscriptions.delete(accountId);
    this.adapters.delete(accountId);
    this.throttles.get(accountId)?.close();
    this.throttles.delete(accountId);
    this.breakers.delete(accountId);
    if (!adapter) return false;
    try {
      await adapter.disconnect();
    } catch (err) {
      // The account is gone either way; a connection that would not close cleanly is only worth a line in the log.
      this.log.warn({ accountId, err }, 'the adapter of a removed account did not disconnect cleanly');
    }
    return true;
  }

  adapter(accountId: string): BrokerAdapter | undefined {
    return this.adapters.get(accountId);
  }

  accountIds(): string[] {
    return [...this.adapters.keys()];
  }

  /** Runs `fn` when the router closes (the reconciler's timer, for instance). */
  whenClosed(fn: () => void): void {
    this.onClose.push(fn);
  }

  close(): void {
    this.closed = true;
    for (const subs of this.subscriptions.values()) for (const u of subs) u();
    this.subscriptions.clear();
    for (const t of this.resolving.values()) clearTimeout(t);
    this.resolving.clear();
    for (const t of this.throttles.values()) t.close();
    for (const fn of this.onClose.splice(0)) fn();
  }

  /** The reconciler running for this router (set at start-up), for the API: run now, accept broker positions. */
  reconciler: { reconcileAll(trigger: string): Promise<unknown>; acceptBrokerPositions(accountId: string): Promise<void> } | undefined;

  /** The trader resumed trading on the account: the breaker closes again (also done on the next failure). */
  resetBreaker(accountId: string): void {
    this.breakers.get(accountId)?.reset();
  }

  /** Stores the order (idempotent by client order id) and sends it if it has not been sent before. */
  async submit(request: OrderRequest, ctx: SubmitContext): Promise<OrderView> {
    // The new row, its move to `submitting` and the caller's writes for it are one commit, made before the broker call.
    const { view, send } = this.orders.transaction(() => {
      const { order, created } = this.orders.insertIfAbsent(
        {
          id: randomId('ord'),
          signalId: ctx.signalId,
          strategyId: ctx.strategyId,
          accountId: ctx.accountId,
          request,
          leg: ctx.leg,
          ...(ctx.entryPrice !== undefined ? { entryPrice: ctx.entryPrice } : {}),
          createdAt: this.now(),
        },
        ctx.parentOrderId !== undefined ? { parentOrderId: ctx.parentOrderId } : {},
      );
      if (created) ctx.withOrder?.(); // (a resumed run finds the order, and what came with it, already stored)
      if (!created && order.status !== 'created') return { view: order, send: false }; // already sent once: never again from here
      const prepared = this.prepare(order.id, request, ctx.accountId);
      return { view: prepared, send: prepared.status === 'submitting' };
    });
    if (!send) return view;
    return this.sendPrepared(view.id, request, ctx.accountId, ctx.refuseSend, ctx.untilSendable, ctx.signalId);
  }

  /** Calls the adapter through the account's pacing and the request timeout. */
  private call<T>(accountId: string, lane: Lane, fn: (a: BrokerAdapter) => Promise<T>): Promise<T> {
    const adapter = this.adapters.get(accountId)!;
    return this.throttles.get(accountId)!.run(lane, () => withTimeout(fn(adapter), this.opts.requestTimeoutMs));
  }

  private async send(orderId: string, request: OrderRequest, accountId: string, refuseSend?: () => SendRefusal | undefined): Promise<OrderView> {
    const prepared = this.prepare(orderId, request, accountId);
    return prepared.status === 'submitting' ? this.sendPrepared(orderId, request, accountId, refuseSend) : prepared;
  }

  /** Refuses an order the account cannot take (rejected, not sent), or moves it to `submitting`. Synchronous, so
   *  it can share the commit that stores the order. */
  private prepare(orderId: string, request: OrderRequest, accountId: string): OrderView {
    const adapter = this.adapters.get(accountId);
    if (!adapter) {
      return this.lifecycle.transition(orderId, 'rejected', 'not_sent', { code: 'ACCOUNT_UNAVAILABLE' }, { reason: 'ACCOUNT_UNAVAILABLE: the broker account is not connected' });
    }
    const missing = missingCapability(adapter, request);
    if (missing) return this.lifecycle.transition(orderId, 'rejected', 'not_sent', { code: 'CAPABILITY_UNSUPPORTED' }, { reason: `CAPABILITY_UNSUPPORTED: ${missing}` });
    return this.lifecycle.transition(orderId, 'submitting', 'submit', { request });
  }

  private async sendPrepared(
    orderId: string,
    request: OrderRequest,
    accountId: string,
    refuseSend?: () => SendRefusal | undefined,
    untilSendable?: () => Promise<void> | undefined,
    signalId?: string,
  ): Promise<OrderView> {
    // Marked as sending while it waits for its alert's sync too: a lookup meanwhile (the reconciler) would find it
    // absent and must not send it a second time.
    this.sending.add(orderId);
    try {
      await untilSendable?.();
      return await this.attempts(orderId, request, accountId, refuseSend, signalId);
    } finally {
      this.sending.delete(orderId);
    }
  }

  /** `signalId`: the alert the order is for, when the caller knows it (the latency trace reads it otherwise). */
  private async attempts(orderId: string, request: OrderRequest, accountId: string, refuseSend?: () => SendRefusal | undefined, signalId?: string): Promise<OrderView> {
    const lane: Lane = request.reduceOnly ? 'urgent' : 'normal';
    for (let attempt = 0; ; attempt++) {
      this.sentAt.set(orderId, Date.now());
      this.absentSeen.delete(orderId);
      this.notPlaced.delete(orderId);
      let refused: SendRefusal | undefined;
      try {
        const answer = await this.call(accountId, lane, (a): Promise<BrokerOrder | typeof NOT_SENT> => {
          // Asked here, when the broker call would start: the account's pacing may have held the order a while.
          refused = refuseSend?.();
          if (refused) return Promise.resolve(NOT_SENT);
          traceAdapterCall(orderId, (id) => signalId ?? this.orders.get(id)?.signalId);
          return a.submit(request);
        });
        if (answer === NOT_SENT) {
          const r = refused!;
          this.log.warn({ orderId, code: r.code }, 'order not sent: the trading state changed after the risk check allowed it');
          return this.lifecycle.transition(orderId, 'rejected', 'not_sent', { code: r.code }, { reason: `${r.code}: ${r.detail}` });
        }
        this.breakerSuccess(accountId);
        const current = this.orders.get(orderId)!;
        // A stream update may already have moved the order on; apply the answer only if it adds information.
        if (current.status === 'submitting' || current.status === 'unknown') return this.lifecycle.applyBrokerOrder(orderId, answer, 'submit_answer');
        this.lifecycle.note(orderId, 'submit_answer', { broker: answer });
        return current;
      } catch (err) {
        const e = err instanceof BrokerError ? err : undefined;
        if (!e || e.outcomeUnknown) {
          if (e) this.breakerFailure(accountId, e);
          this.log.warn({ orderId, kind: e?.kind, err: e ? undefined : err }, 'broker submit outcome unknown; will look the order up by client order id');
          const o = this.orders.get(orderId)!;
          const moved = o.status !== 'submitting'; // a stream update already told us what happened
          const view = moved ? o : this.lifecycle.transition(orderId, 'unknown', 'submit_outcome_unknown', { error: e?.kind ?? 'exception', message: (err as Error).message }, { reason: 'BROKER_OUTCOME_UNKNOWN' });
          if (view.status === 'unknown') this.scheduleResolve(orderId, 0);
          return view;
        }
        const code = codeForBrokerError(e);
        if (code === 'BROKER_UNREACHABLE' || code === 'BROKER_RATE_LIMITED') {
          this.breakerFailure(accountId, e);
          // Certainly not placed: wait as the broker asks (or back off) and send again, same id.
          const wait = e.retryAfterMs ?? this.opts.resolveBaseMs * 2 ** attempt;
          this.throttles.get(accountId)?.pause(wait);
          if (attempt < this.opts.maxCertainRetries && !this.closed) {
            this.lifecycle.note(orderId, 'submit_retry', { error: e.kind, waitMs: wait, attempt: attempt + 1 });
            continue;
          }
          // Every attempt of this send was refused before the broker took it (a 429, a refused connection): the
          // lookup that follows may believe "absent" at once, without the grace for a request still in flight.
          this.notPlaced.add(orderId);
          const view = this.lifecycle.transition(orderId, 'unknown', 'submit_failed', { error: e.kind, message: e.message }, { reason: code });
          this.scheduleResolve(orderId, wait);
          return view;
        }
        // The broker is answering; it refused this order on its merits. (A refusal of the adapter's own, before
        // anything was sent, says nothing of the broker.)
        if (!e.refusedBeforeSending) this.breakerSuccess(accountId);
        if (this.resent.has(orderId)) {
          // A re-send refused (typically: client order id already used) means the first send did arrive after
          // all: the broker's order under this id is the truth, never a rejection.
          const existing = await this.call(accountId, 'urgent', (a) => a.orderByClientId(request.clientOrderId)).catch(() => undefined);
          if (existing) return this.lifecycle.applyBrokerOrder(orderId, existing, 'resend_refused_found');
        }
        if (e.refusedBeforeSending) {
          // The adapter refused it before any request (an order the broker does not take): closed as never sent,
          // under the same code the alert's denial shows (CAPABILITY_UNSUPPORTED, or the adapter's own), never as
          // the broker's rejection.
          return this.lifecycle.transition(orderId, 'rejected', 'not_sent', { code, error: e.kind, message: e.message }, { reason: `${code}: ${e.message}` });
        }
        return this.lifecycle.transition(orderId, 'rejected', 'broker_rejected', { error: e.kind, message: e.message }, { reason: `${code}: ${e.message}` });
      }
    }
  }

  private breakerSuccess(accountId: string): void {
    this.breakers.get(accountId)?.success();
  }

  private breakerFailure(accountId: string, err: BrokerError): void {
    const breaker = this.breakers.get(accountId);
    // The trader resumed trading after a trip: the breaker counts afresh and may trip again.
    if (breaker?.open && this.tradingState?.effective(accountId).state === 'active') breaker.reset();
    const reason = breaker?.failure(`${err.kind}: ${err.message}`);
    if (!reason) return;
    const to = this.breakers.get(accountId)!.options.tripTo;
    this.log.error({ accountId, to }, 'circuit breaker opened after repeated broker failures');
    this.tradingState?.set(to, reason, accountId);
    this.lifecycle.notice('error', `${this.accountLabel(accountId)}: ${reason}`, 'BROKER_CIRCUIT_OPEN');
  }

  /** Why an order the broker certainly lacks may not be sent again now (trading on its account not active, and
   *  not reducing for a reduce-only order), under the trading state's code; undefined when it may. */
  private resendRefusal(order: Pick<OrderView, 'id' | 'accountId'>): SendRefusal | undefined {
    const refused = this.tradingRefusal(order.accountId, this.orders.request(order.id)?.reduceOnly === true);
    return refused && { code: refused.code, detail: `not sent again because trading on the account is ${refused.code === 'TRADING_HALTED' ? 'halted' : 'reducing'}` };
  }

  /** Why the account's trading state refuses an order now (halted: any; reducing: one that is not reduce-only). */
  tradingRefusal(accountId: string, reduceOnly: boolean): SendRefusal | undefined {
    if (!this.tradingState) return undefined;
    const { state, reason } = this.tradingState.effective(accountId);
    if (state === 'active' || (state === 'reducing' && reduceOnly)) return undefined;
    const code = state === 'halted' ? 'TRADING_HALTED' : 'TRADING_REDUCING';
    return { code, detail: `trading is ${state} for account ${accountName(this.names, accountId)}${reason ? ` (${reason})` : ''}` };
  }

  /** Looks an UNKNOWN order up again after `delayMs`, with doubling backoff, until it is resolved. */
  scheduleResolve(orderId: string, delayMs: number, attempt = 0): void {
    if (this.closed || this.resolving.has(orderId)) return;
    const t = setTimeout(() => {
      this.resolving.delete(orderId);
      void this.resolve(orderId).then(
        (o) => {
          if (o.status === 'unknown' || o.status === 'submitting') this.scheduleResolve(orderId, Math.min(this.opts.resolveBaseMs * 2 ** attempt, this.opts.resolveMaxMs), attempt + 1);
        },
        (err: unknown) => this.log.error({ err, orderId }, 'resolving an order failed'),
      );
    }, delayMs);
    t.unref?.();
    this.resolving.set(orderId, t);
  }

  /** Asks the broker for the order by client id and applies the answer. An order the broker certainly lacks is
   *  re-sent with the same id (when trading allows) or closed as canceled with the reason. `sentBefore` is
   *  when it was last sent, for orders from a previous run (start-up reconciliation). */
  async resolve(orderId: string, opts: { sentBefore?: number } = {}): Promise<OrderView> {
    const order = this.orders.get(orderId)!;
    if (!this.adapters.has(order.accountId) || this.sending.has(orderId)) return order; // a send in progress answers for itself
    let found: BrokerOrder | undefined;
    try {
      found = await this.call(order.accountId, 'urgent', (a) => a.orderByClientId(order.clientOrderId));
      this.breakerSuccess(order.accountId);
    } catch (err) {
      if (err instanceof BrokerError) this.breakerFailure(order.accountId, err);
      this.lifecycle.note(orderId, 'lookup_failed', { message: (err as Error).message });
      return this.orders.get(orderId)!;
    }
    const current = this.orders.get(orderId)!;
    if (found) {
      this.absentSeen.delete(orderId);
      const applied = this.lifecycle.applyBrokerOrder(orderId, found, 'reconciled');
      void this.cancelStands(current, applied, found.status);
      return applied;
    }
    if (current.status !== 'submitting' && current.status !== 'unknown' && current.status !== 'created') return current;
    const seen = (this.absentSeen.get(orderId) ?? 0) + 1;
    this.absentSeen.set(orderId, seen);
    const sentAt = this.sentAt.get(orderId) ?? opts.sentBefore ?? Date.parse(current.updatedAt);
    // A local book's "absent" is certain at once: no request can still be on its way there. This is what re-sends,
    // right after a restart, an order stored as `submitting` by an agent killed before it could send it.
    const adapter = this.adapters.get(order.accountId)!;
    // Where the broker frees a final order's id, a late first request is not refused by the re-send's id: wait longer.
    const graceMs = adapter.clientIdsReusable === true ? this.opts.absentGraceMs * REUSABLE_ID_GRACE_FACTOR : this.opts.absentGraceMs;
    const certain = current.status === 'created' || adapter.authoritativeLookup === true || this.notPlaced.has(orderId) || (seen >= this.opts.absentLookups && Date.now() - sentAt >= graceMs);
    if (!certain) {
      this.lifecycle.note(orderId, 'lookup_absent', { lookups: seen });
      return current;
    }
    this.absentSeen.delete(orderId);
    this.notPlaced.delete(orderId);
    // Canceled while its outcome was unknown (the broker had nothing to cancel): never sent again.
    if (this.orders.events(orderId).some((e) => e.kind === 'cancel_request')) {
      return this.lifecycle.transition(orderId, 'canceled', 'canceled_before_sending', {}, { reason: 'canceled before it reached the broker: the broker never received it' });
    }
    const refused = this.resendRefusal(current);
    if (refused) {
      const kind = current.status === 'created' ? 'not_sent' : 'reconciled_absent';
      // The code says why, as the risk check would have (the signal shows it: the alert did not trade).
      return this.lifecycle.transition(orderId, 'canceled', kind, { code: refused.code }, { reason: `${refused.code}: not at the broker; ${refused.detail}` });
    }
    const request = this.orders.request(orderId)!;
    this.lifecycle.note(orderId, 'resend_same_client_id', { lookups: seen });
    this.resent.add(orderId);
    // Asked again at the broker call: the re-send may wait for the account's pacing (many orders re-sent after a
    // crash, a 429's pause) while the trader halts, and a halted account sends nothing.
    return this.send(orderId, request, current.accountId, () => this.resendRefusal(current));
  }

  async cancel(orderId: string, ctx: CancelContext = {}): Promise<OrderView> {
    const order = this.orders.get(orderId)!;
    if (!this.adapters.has(order.accountId) || isTerminal(order.status)) return order;
    if (order.status === 'created') return this.lifecycle.transition(orderId, 'canceled', 'canceled_before_sending', {}, { reason: 'canceled before it was sent' });
    // Only a working order becomes cancel_pending; for one whose outcome is unknown the broker is asked to cancel
    // by client id all the same, and its answer (or a lookup) tells what happened. What follows the cancel is
    // stored with the request: it is read when the order ends, however much later (a restart in between).
    const next = ctx.next !== undefined ? { next: ctx.next } : {};
    if (order.status === 'accepted' || order.status === 'partially_filled') this.lifecycle.transition(orderId, 'cancel_pending', 'cancel_request', next);
    else this.lifecycle.note(orderId, 'cancel_request', { status: order.status, ...next });
    try {
      const b = await this.call(order.accountId, 'urgent', (a) => a.cancel(order.clientOrderId));
      this.breakerSuccess(order.accountId);
      return this.lifecycle.applyBrokerOrder(orderId, b, 'cancel_answer');
    } catch (err) {
      if (brokerTrouble(err)) this.breakerFailure(order.accountId, err);
      // The cancel lost the race (e.g. the order filled) or its answer was lost: ask the broker what happened.
      this.lifecycle.note(orderId, 'cancel_failed', { message: (err as Error).message });
      const after = await this.resolve(orderId);
      if (after.status === 'cancel_pending') {
        // The broker could not be asked either: the order keeps working as far as we know; the reconciler checks it.
        return this.lifecycle.transition(orderId, after.filledQuantity === '0' ? 'accepted' : 'partially_filled', 'cancel_unconfirmed', {});
      }
      return after;
    }
  }

  /**
   * An order that must not work at the broker, reported working there (a lookup, the broker's stream, the reconciler's
   * list of open orders): the cancel stands, and is sent now. Two such orders:
   * - one the trader canceled while its submit's outcome was unknown, when the broker had nothing to cancel yet, that
   *   reached the broker after all (its request was still on the way): canceled again (router.cancel);
   * - one closed as never sent (`neverSent`: canceled before sending, found certainly absent and not sent again, or
   *   refused at the moment of sending after an earlier send) that reached the broker after the lookups gave up: its
   *   alert was told it did not trade, so it is canceled at the broker by client id (the local row is final already).
   *   A fill it got before the cancel is kept (the fill is the truth; its alert is then `done` again).
   * `before` is the order as it was before the broker's report was applied, `after` as it is now, `reported` the
   * status the broker gave. Resolves true when the order no longer works at the broker (canceled, or a cancel the
   * broker took, or it ended meanwhile; one the broker reports `cancel_pending` is being canceled already, and nothing
   * is sent), false when the cancel failed; undefined (no promise) when nothing stands.
   */
  cancelStands(before: OrderView, after: OrderView, reported: OrderStatus): Promise<boolean> | undefined {
    if (!OPEN_AT_BROKER.has(reported)) return undefined;
    const running = this.standing.get(after.id);
    if (running) return running;
    const why = this.whyCancelStands(before, after);
    if (!why) return undefined;
    if (!worksAtBroker(reported)) return Promise.resolve(true); // being canceled there already (a cancel not yet confirmed)
    this.log.warn({ orderId: after.id, clientOrderId: after.clientOrderId, accountId: after.accountId, reported, why }, 'an order that must not work reached the broker after all; canceling it there');
    this.lifecycle.note(after.id, 'cancel_stands', { reported, why });
    const done = (isTerminal(after.status) ? this.cancelClosed(after) : this.cancel(after.id).then((o) => !worksAtBroker(o.status)))
      .catch((err: unknown) => {
        this.log.error({ err, orderId: after.id }, 'canceling an order that reached the broker after it was canceled or closed failed');
        return false;
      })
      .finally(() => this.standing.delete(after.id));
    this.standing.set(after.id, done);
    return done;
  }

  /** Why the order must not be left working at the broker (see cancelStands), or undefined. */
  private whyCancelStands(before: OrderView, after: OrderView): string | undefined {
    if (before.status === 'unknown' || before.status === 'submitting') {
      if (isTerminal(after.status) || after.status === 'cancel_pending') return undefined;
      if (!this.orders.events(after.id).some((e) => e.kind === 'cancel_request')) return undefined;
      return 'canceled while its outcome was unknown';
    }
    if (before.status !== 'canceled' && before.status !== 'rejected') return undefined;
    const closing = this.orders.closingEvent(before.id, before.status);
    if (!closing || !NEVER_SENT_KINDS.has(closing.kind)) return undefined;
    return `closed ${before.status} as never sent (${closing.kind}): its alert was told it did not trade`;
  }

  /** Cancels at the broker, by client id, an order held as final here (closed as never sent). True when it no
   *  longer works there; the broker's answer (or, when the cancel fails, its view of the order) is applied. */
  private async cancelClosed(order: OrderView): Promise<boolean> {
    if (!this.adapters.has(order.accountId)) return false;
    try {
      const b = await this.call(order.accountId, 'urgent', (a) => a.cancel(order.clientOrderId));
      this.breakerSuccess(order.accountId);
      this.lifecycle.applyBrokerOrder(order.id, b, 'cancel_answer');
      return !worksAtBroker(b.status);
    } catch (err) {
      if (brokerTrouble(err)) this.breakerFailure(order.accountId, err);
      this.lifecycle.note(order.id, 'cancel_failed', { message: (err as Error).message });
      // The cancel may have lost a race (the order filled, or ended meanwhile): the broker's view tells.
      let now: BrokerOrder | undefined;
      try {
        now = await this.call(order.accountId, 'urgent', (a) => a.orderByClientId(order.clientOrderId));
      } catch {
        return false; // nothing known: the reconciler asks again and reports it
      }
      if (now) this.lifecycle.applyBrokerOrder(order.id, now, 'reconciled');
      return now === undefined || !worksAtBroker(now.status);
    }
  }

  /** The order a broker report belongs to: ours by client id, or a bracket child of ours adopted now. */
  orderFor(accountId: string, b: Pick<BrokerOrder, 'clientOrderId' | 'parentClientOrderId'>, full?: BrokerOrder): OrderView | undefined {
    const order = this.orders.byClientId(b.clientOrderId);
    if (order) return order.accountId === accountId ? order : undefined;
    if (!b.parentClientOrderId || !full) return undefined;
    const parent = this.orders.byClientId(b.parentClientOrderId);
    if (!parent || parent.accountId !== accountId) return undefined;
    const leg = childLeg(b.clientOrderId, full.type);
    return this.lifecycle.adoptChild(accountId, parent.id, full, leg);
  }

  private onBrokerUpdate(accountId: string, u: OrderUpdate): void {
    const order = this.orderFor(accountId, u.order, u.order);
    if (!order) return; // not ours (placed by hand at the broker): reconciliation accounts for its fills
    try {
      const after = u.kind === 'fill' ? this.lifecycle.applyFill(accountId, order.id, u.fill, u.order) : this.lifecycle.applyBrokerOrder(order.id, u.order, 'broker_update');
      // An order canceled while its outcome was unknown, or closed as never sent, reported working: its cancel stands
      // (after this report: the paper broker reports inside its own transaction).
      if ((order.status === 'unknown' || isTerminal(order.status)) && worksAtBroker(u.order.status)) queueMicrotask(() => void this.cancelStands(order, after, u.order.status));
    } catch (err) {
      this.log.error({ err, orderId: order.id }, 'failed to apply a broker update');
    }
  }
}

/** The statuses a broker gives an order that is open there (working, or with a cancel it has not confirmed yet). */
const OPEN_AT_BROKER: ReadonlySet<OrderStatus> = new Set(['accepted', 'partially_filled', 'cancel_pending']);

/** The order works at the broker (a cancel it took, `cancel_pending`, does not count: it is on its way out). */
const worksAtBroker = (status: OrderStatus): boolean => status === 'accepted' || status === 'partially_filled';

/** A failure that says the broker is in trouble (unreachable, rate-limiting, no answer): counted by the breaker. */
function brokerTrouble(err: unknown): err is BrokerError {
  return err instanceof BrokerError && (err.outcomeUnknown || err.kind === 'unreachable' || err.kind === 'rate_limited');
}

/** The kinds of the events with which the router closes an order that never reached the broker. */
const NEVER_SENT_KINDS = new Set(['not_sent', 'reconciled_absent', 'canceled_before_sending']);

/**
 * Why an order was closed without ever reaching the broker: refused before sending (no adapter, a capability
 * missing, the adapter's own refusal before any request, the trading state at the broker call), canceled before it was sent, or found certainly absent at the
 * broker and not sent again. Undefined for an order that is not closed, that reached the broker, or may have.
 * `code` is the one it was closed with (TRADING_HALTED, CAPABILITY_UNSUPPORTED …), `detail` says which order.
 */
export function neverSent(orders: Pick<OrderRepo, 'closingEvent'>, order: OrderView): { code: Code; detail: string } | undefined {
  if ((order.status !== 'canceled' && order.status !== 'rejected') || Number(order.filledQuantity) !== 0) return undefined;
  const closing = orders.closingEvent(order.id, order.status);
  if (!closing || !NEVER_SENT_KINDS.has(closing.kind)) return undefined;
  const stored = (closing.data as { code?: unknown } | undefined)?.code;
  const prefix = /^([A-Z_]+):/.exec(order.reason ?? '')?.[1];
  const code: Code = isCode(stored) ? stored : isCode(prefix) ? prefix : 'ORDER_NOT_SENT';
  const what = `${order.side} ${order.quantity} ${order.symbol}, ${order.clientOrderId}`;
  return { code, detail: `The order (${what}) was ${order.status} before it reached the broker${order.reason ? `: ${order.reason}` : ''}` };
}

/** A bracket child's leg: named by its client id where the agent chose it (`:tp`, `:sl`), else by its type (a
 *  broker that names the legs itself, as Alpaca does: the limit is the take-profit, a stop the stop-loss). */
export function childLeg(clientOrderId: string, type: OrderType): 'take_profit' | 'stop_loss' | 'child' {
  if (clientOrderId.endsWith(':tp')) return 'take_profit';
  if (clientOrderId.endsWith(':sl')) return 'stop_loss';
  if (type === 'limit') return 'take_profit';
  if (type === 'stop' || type === 'stop_limit' || type === 'trailing_stop') return 'stop_loss';
  return 'child';
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

/** Rejects with a timeout BrokerError when `p` takes longer than `ms`; the late settlement is swallowed. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new BrokerError('timeout', `no answer from the broker within ${ms} ms`)), ms);
    t.unref?.();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
