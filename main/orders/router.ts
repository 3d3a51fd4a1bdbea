// Sends orders to broker adapters. The order row (with its deterministic client order id) is stored before the
// network call; a submit is never retried blindly: a timeout, reset or 5xx leaves the order UNKNOWN, and the
// broker is asked for that client order id with backoff. Only an order the broker certainly lacks (absent on
// repeated lookups, after a grace period for a request still in flight) is sent again, with the SAME id, so a
// broker that did take it refuses the copy. A 429 or a refused connection means the order was certainly not
// placed, so it waits (retry-after) and tries again. Requests are paced per account under the broker's limit,
// cancels and exits first; repeated broker failures open a circuit breaker that switches the account's trading
// state, with the reason.
// Storing and sending an order is submit.ts, looking up one whose outcome is unknown resolve.ts, cancels and the
// cancel that stands cancel.ts; the router holds the accounts, their pacing and breakers, and the broker's updates.
import type { BrokerAdapter, OrderRequest, OrderUpdate, BrokerOrder } from '../brokers/port.js';
import type { OrderType } from '../../shared/signal.js';
import { BrokerError } from '../brokers/port.js';
import type { OrderRepo } from '../store/orders.js';
import type { Logger } from '../log.js';
import type { OrderView } from '../../shared/api-types.js';
import type { TradingState } from '../../shared/trading-state.js';
import { isTerminal, type OrderStatus } from '../../shared/order-status.js';
import type { OrderLifecycle } from './lifecycle.js';
import { AccountThrottle, type Lane } from './throttle.js';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerOptions } from './circuit-breaker.js';
import { protectBracketRemainder } from './bracket-remainder.js';
import { accountLabel, accountName, type AccountNames } from '../account-label.js';
import { sendOrder, submitOrder, type SendRefusal, type SubmitContext } from './submit.js';
import { resolveOrder, scheduleResolve } from './resolve.js';
import { cancelOrder, cancelStands, worksAtBroker, type CancelContext } from './cancel.js';

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

export const DEFAULT_ROUTER_OPTIONS: RouterOptions = {
  requestTimeoutMs: 15_000,
  resolveBaseMs: 1_000,
  resolveMaxMs: 60_000,
  absentLookups: 2,
  absentGraceMs: 20_000,
  maxCertainRetries: 3,
  breaker: DEFAULT_BREAKER,
};

/** What the router's parts (submit.ts, resolve.ts, cancel.ts) work with: its stores, its accounts and their pacing,
 *  what it remembers of each order's sends and cancels, and its own methods, through which each part reaches the
 *  others. */
export interface RouterParts {
  orders: OrderRepo;
  lifecycle: OrderLifecycle;
  log: Logger;
  now(): string;
  adapters: ReadonlyMap<string, BrokerAdapter>;
  throttles: ReadonlyMap<string, AccountThrottle>;
  resolving: Map<string, ReturnType<typeof setTimeout>>;
  sentAt: Map<string, number>;
  sending: Set<string>;
  resent: Set<string>;
  absentSeen: Map<string, number>;
  notPlaced: Set<string>;
  standing: Map<string, Promise<boolean>>;
  options(): Readonly<RouterOptions>;
  closed(): boolean;
  /** Calls the adapter through the account's pacing and the request timeout. */
  call<T>(accountId: string, lane: Lane, fn: (a: BrokerAdapter) => Promise<T>): Promise<T>;
  breakerSuccess(accountId: string): void;
  breakerFailure(accountId: string, err: BrokerError): void;
  resendRefusal(order: Pick<OrderView, 'id' | 'accountId'>): SendRefusal | undefined;
  send(orderId: string, request: OrderRequest, accountId: string, refuseSend?: () => SendRefusal | undefined): Promise<OrderView>;
  scheduleResolve(orderId: string, delayMs: number): void;
  resolve(orderId: string): Promise<OrderView>;
  cancelStands(before: OrderView, after: OrderView, reported: OrderStatus): Promise<boolean> | undefined;
}

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
  /** The state above and the router's own methods, for submit.ts, resolve.ts and cancel.ts. */
  private readonly parts: RouterParts;

  constructor(
    private readonly orders: OrderRepo,
    private readonly lifecycle: OrderLifecycle,
    private readonly log: Logger,
    private readonly now: () => string = () => new Date().toISOString(),
    options: Partial<RouterOptions> = {},
  ) {
    this.opts = { ...DEFAULT_ROUTER_OPTIONS, ...options };
    this.parts = {
      orders,
      lifecycle,
      log,
      now: () => this.now(),
      adapters: this.adapters,
      throttles: this.throttles,
      resolving: this.resolving,
      sentAt: this.sentAt,
      sending: this.sending,
      resent: this.resent,
      absentSeen: this.absentSeen,
      notPlaced: this.notPlaced,
      standing: this.standing,
      options: () => this.opts,
      closed: () => this.closed,
      call: (accountId, lane, fn) => this.call(accountId, lane, fn),
      breakerSuccess: (accountId) => this.breakerSuccess(accountId),
      breakerFailure: (accountId, err) => this.breakerFailure(accountId, err),
      scheduleResolve: (orderId, delayMs) => this.scheduleResolve(orderId, delayMs),
      resolve: (orderId) => this.resolve(orderId),
      resendRefusal: (order) => this.resendRefusal(order),
      send: (orderId, request, accountId, refuseSend) => sendOrder(this.parts, orderId, request, accountId, refuseSend),
      cancelStands: (before, after, reported) => this.cancelStands(before, after, reported),
    };
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
  submit(request: OrderRequest, ctx: SubmitContext): Promise<OrderView> {
    return submitOrder(this.parts, request, ctx);
  }

  /** Calls the adapter through the account's pacing and the request timeout. */
  private call<T>(accountId: string, lane: Lane, fn: (a: BrokerAdapter) => Promise<T>): Promise<T> {
    const adapter = this.adapters.get(accountId)!;
    return this.throttles.get(accountId)!.run(lane, () => withTimeout(fn(adapter), this.opts.requestTimeoutMs));
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

  /** Looks an UNKNOWN order up again after `delayMs`, with backoff (resolve.ts). */
  scheduleResolve(orderId: string, delayMs: number, attempt = 0): void {
    scheduleResolve(this.parts, orderId, delayMs, attempt);
  }

  /** Asks the broker for the order by client id and applies the answer (resolve.ts). */
  resolve(orderId: string, opts: { sentBefore?: number } = {}): Promise<OrderView> {
    return resolveOrder(this.parts, orderId, opts);
  }

  /** Cancels the order at its broker (cancel.ts). */
  cancel(orderId: string, ctx: CancelContext = {}): Promise<OrderView> {
    return cancelOrder(this.parts, orderId, ctx);
  }

  /** The cancel that stands for an order that must not work at the broker, reported working there (cancel.ts). */
  cancelStands(before: OrderView, after: OrderView, reported: OrderStatus): Promise<boolean> | undefined {
    return cancelStands(this.parts, before, after, reported);
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

/** A bracket child's leg: named by its client id where the agent chose it (`:tp`, `:sl`), else by its type (a
 *  broker that names the legs itself, as Alpaca does: the limit is the take-profit, a stop the stop-loss). */
export function childLeg(clientOrderId: string, type: OrderType): 'take_profit' | 'stop_loss' | 'child' {
  if (clientOrderId.endsWith(':tp')) return 'take_profit';
  if (clientOrderId.endsWith(':sl')) return 'stop_loss';
  if (type === 'limit') return 'take_profit';
  if (type === 'stop' || type === 'stop_limit' || type === 'trailing_stop') return 'stop_loss';
  return 'child';
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
