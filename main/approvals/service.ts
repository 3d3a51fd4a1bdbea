// Manual approval: the worker holds a strategy's order intents here instead of sending them; the trader approves
// (the risk check runs again, now, and the order is sent through the router with the deterministic client order
// id the worker would have used) or rejects; what is not decided in time expires (APPROVAL_EXPIRED).
//
// Exactly once: the row moves pending → approved by a conditional UPDATE (ApprovalRepo.claimApproval) before
// anything is sent, so only one approval can ever reach the router; the router itself refuses a second order
// with the same client order id. A crash between the claim and the send is repaired at start-up (resume()).
import type { ApprovalRepo, ApprovalRecord, NewApproval } from '../store/approvals.js';
import { toApprovalView } from '../store/approvals.js';
import type { SignalRepo } from '../store/signals.js';
import type { StrategyRepo } from '../store/strategies.js';
import type { AccountRepo } from '../store/accounts.js';
import type { OrderRepo } from '../store/orders.js';
import type { AccountDayRepo } from '../store/account-days.js';
import type { OrderRouter } from '../orders/router.js';
import type { SendRefusal } from '../orders/submit.js';
import type { OrderLifecycle } from '../orders/lifecycle.js';
import type { TradingStateService } from '../trading-state.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { BrokerError, type OrderRequest } from '../brokers/port.js';
import { codeForReadError } from '../brokers/http/codes.js';
import { scrubText } from '../log.js';
import type { OrderIntent } from '../strategy/types.js';
import type { RiskVerdict } from '../risk/index.js';
import type { ApprovalStatus, ApprovalView, OrderView } from '../../shared/api-types.js';
import { CODES, describeDenial, type Code } from '../../shared/codes.js';
import { randomId } from '../ids.js';
import { accountName } from '../account-label.js';
import { planForAccount, checkRisk, contextAfterCancels, othersWorkingOrders, refuseSendOnStateChange, tradingStatesNow, type AccountSettings, type StrategySettings } from '../signals/decide.js';

/** A refusal with the code the API answers with (its HTTP status comes from shared/codes.ts). */
export class ApprovalError extends Error {
  constructor(
    readonly code: Code,
    message?: string,
  ) {
    super(message ?? CODES[code].message);
  }
}

export interface ApprovalServiceDeps {
  repo: ApprovalRepo;
  signals: SignalRepo;
  strategies: StrategyRepo;
  accounts: AccountRepo;
  orders: OrderRepo;
  accountDays: AccountDayRepo;
  router: OrderRouter;
  lifecycle: OrderLifecycle;
  tradingState: TradingStateService;
  bus: EventBus;
  log: Logger;
  now?: () => string;
  /** How long approving an entry waits for the exit it depends on to fill. */
  fillWaitMs?: number;
  /** Upper bound on the expiry timer's sleep (it normally wakes exactly at the next expiry). */
  maxSleepMs?: number;
}

/** One intent the worker wants held, with its request built exactly as the worker would send it. */
export interface HeldIntent {
  intent: OrderIntent;
  request: OrderRequest;
  verdict: RiskVerdict;
}

export class ApprovalService {
  private readonly now: () => string;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Approvals whose risk check / send is in progress here: a concurrent second click is refused at once. */
  private readonly approving = new Set<string>();

  constructor(private readonly d: ApprovalServiceDeps) {
    this.now = d.now ?? (() => new Date().toISOString());
  }

  /** Called by the worker after the risk check passed: stores the intents as pending, announces them. */
  hold(input: { signalId: string; strategyId: string; accountId: string; intents: readonly HeldIntent[]; cancelOpenOrdersFirst: boolean; expiresAt: string }): ApprovalView[] {
    const at = this.now();
    const items: NewApproval[] = input.intents.map(({ intent, request, verdict }) => ({
      id: randomId('apr'),
      signalId: input.signalId,
      strategyId: input.strategyId,
      accountId: input.accountId,
      leg: intent.leg,
      dependsOn: intent.dependsOn,
      request: request as unknown as NewApproval['request'],
      intent,
      verdict: { allowed: verdict.allowed, rules: verdict.rules },
      cancelOpenOrders: input.cancelOpenOrdersFirst && !intent.dependsOn,
      createdAt: at,
      expiresAt: input.expiresAt,
    }));
    const detail = `pending approval until ${input.expiresAt}`;
    const rows = this.d.repo.hold(items, { signalId: input.signalId, accountId: input.accountId, detail, data: { approvalIds: items.map((i) => i.id) }, at });
    for (const r of rows) {
      if (r.status !== 'pending') continue;
      this.d.bus.publish({ type: 'approval-waiting', approvalId: r.id, accountId: r.accountId, strategyId: r.strategyId, symbol: r.symbol, side: r.side, quantity: r.quantity, expiresAt: r.expiresAt });
      this.publish(r);
    }
    this.schedule();
    return rows.map((r) => this.view(r));
  }

  list(opts: { status?: ApprovalStatus; limit?: number } = {}): ApprovalView[] {
    return this.d.repo.list(opts).map((r) => this.view(r));
  }

  get(id: string): ApprovalView | undefined {
    const r = this.d.repo.get(id);
    return r && this.view(r);
  }

  pendingCount(): number {
    return this.d.repo.countPending();
  }

  /**
   * Approves and sends. Refuses with NOT_FOUND, CONFLICT (already decided, or being approved right now),
   * APPROVAL_EXPIRED, the risk engine's code (TRADING_HALTED...; the approval stays pending), or
   * ACCOUNT_UNAVAILABLE. Returns the order as the router left it.
   */
  async approve(id: string, by = 'trader'): Promise<{ approval: ApprovalView; order: OrderView }> {
    const rec = this.pendingOrThrow(id);
    if (this.approving.has(id)) throw new ApprovalError('CONFLICT', `Approval ${id} is being approved already.`);
    this.approving.add(id);
    try {
      await this.waitForDependency(rec);
      const refuseSend = await this.recheckRisk(rec);
      const at = this.now();
      if (!this.d.repo.claimApproval(id, { at, by })) {
        this.sweep();
        const now = this.d.repo.get(id);
        if (now?.status === 'expired') throw new ApprovalError('APPROVAL_EXPIRED');
        throw new ApprovalError('CONFLICT', `Approval ${id} was already ${now?.status ?? 'decided'}.`);
      }
      const order = await this.send(this.d.repo.get(id)!, refuseSend);
      const done = this.d.repo.get(id)!;
      this.publish(done);
      return { approval: this.view(done), order };
    } finally {
      this.approving.delete(id);
    }
  }

  reject(id: string, reason?: string, by = 'trader'): ApprovalView {
    this.pendingOrThrow(id);
    if (this.approving.has(id)) throw new ApprovalError('CONFLICT', `Approval ${id} is being approved right now.`);
    if (!this.d.repo.reject(id, { at: this.now(), by, reason })) {
      const now = this.d.repo.get(id);
      throw new ApprovalError(now?.status === 'expired' ? 'APPROVAL_EXPIRED' : 'CONFLICT', `Approval ${id} was already ${now?.status ?? 'decided'}.`);
    }
    const done = this.d.repo.get(id)!;
    this.publish(done);
    return this.view(done);
  }

  /** Marks every pending approval past its expiry as expired; returns their ids. */
  sweep(): string[] {
    const ids = this.d.repo.expireDue(this.now());
    for (const id of ids) {
      const r = this.d.repo.get(id);
      if (!r) continue;
      this.d.log.info({ approvalId: id, signalId: r.signalId, accountId: r.accountId }, 'approval expired: the order was not sent');
      this.publish(r);
      this.d.bus.publish({ type: 'notice', level: 'warning', code: 'APPROVAL_EXPIRED', message: `Approval expired: ${r.side} ${r.quantity} ${r.symbol} was not sent.` });
    }
    return ids;
  }

  /** Start-up: expire what passed while the agent was down, send approved orders a crash left unsent, and
   *  keep a timer set for the next expiry. Call after the start-up reconciliation. */
  async start(): Promise<void> {
    this.running = true;
    this.sweep();
    for (const r of this.d.repo.list({ status: 'approved', limit: 1000 })) {
      if (r.orderId) continue;
      this.d.log.warn({ approvalId: r.id }, 'approved order not linked to an order (crash during approval); sending it now with its client order id');
      await this.send(r).catch((err: unknown) => this.d.log.error({ approvalId: r.id, err }, 'sending an approved order failed'));
    }
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sleeps until the earliest pending expiry (re-armed whenever an approval is held or decided). */
  private schedule(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.d.repo.nextExpiry();
    if (!next) return;
    const wait = Math.min(Math.max(Date.parse(next) - Date.parse(this.now()), 0), this.d.maxSleepMs ?? 60_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.sweep();
      } catch (err) {
        this.d.log.error({ err }, 'approval expiry sweep failed');
      }
      this.schedule();
    }, wait + 5);
    this.timer.unref?.();
  }

  private pendingOrThrow(id: string): ApprovalRecord {
    const rec = this.d.repo.get(id);
    if (!rec) throw new ApprovalError('NOT_FOUND', `No approval ${id}.`);
    if (rec.status === 'pending' && rec.expiresAt <= this.now()) this.sweep();
    const cur = this.d.repo.get(id)!;
    if (cur.status === 'expired') throw new ApprovalError('APPROVAL_EXPIRED');
    if (cur.status !== 'pending') throw new ApprovalError('CONFLICT', `Approval ${id} was already ${cur.status}.`);
    return cur;
  }

  /** An entry held behind a reversal's exit is sent only once that exit was approved and filled. */
  private async waitForDependency(rec: ApprovalRecord): Promise<void> {
    if (!rec.dependsOn) return;
    const before = this.d.repo.bySignalLeg(rec.signalId, rec.accountId, rec.dependsOn);
    if (!before) return;
    if (before.status !== 'approved' || !before.orderId) throw new ApprovalError('CONFLICT', `Approve the ${rec.dependsOn} order of this alert first (approval ${before.id}, ${before.status}).`);
    const settled = await this.d.lifecycle.waitForTerminal(before.orderId, this.d.fillWaitMs ?? 30_000);
    if (settled.status !== 'filled') throw new ApprovalError('EXIT_NOT_FILLED', `The ${rec.dependsOn} order is ${settled.status}, not filled; the ${rec.leg} order was not sent.`);
  }

  /** The risk check again, against the account as it is now (the trading state or the position may have moved).
   *  Returns the trading-state check to ask again at the broker call (see SubmitContext.refuseSend). */
  private async recheckRisk(rec: ApprovalRecord): Promise<() => SendRefusal | undefined> {
    const { router, accounts, strategies, signals, tradingState } = this.d;
    const adapter = router.adapter(rec.accountId);
    const account = accounts.get(rec.accountId);
    const signal = signals.get(rec.signalId)?.parsed;
    if (!adapter || !account) throw new ApprovalError('ACCOUNT_UNAVAILABLE', `The account ${accountName(accounts, rec.accountId)} is not connected; nothing was sent.`);
    if (!signal) throw new ApprovalError('NOT_FOUND', `The alert ${rec.signalId} of this approval is gone.`);
    const strategySettings = (strategies.get(rec.strategyId)?.config ?? {}) as StrategySettings;
    const accountSettings = account.config as AccountSettings;
    const now = this.now();
    let facts: Awaited<ReturnType<typeof planForAccount>>;
    try {
      facts = await planForAccount({ signal, accountId: rec.accountId, adapter, orders: this.d.orders, accountDays: this.d.accountDays, strategySettings, accountSettings, now, strategyId: rec.strategyId });
    } catch (err) {
      // A broker read failed (nothing was sent, and a read has no outcome to wait for): refused with the broker's
      // code, and the approval stays pending, to be approved once the broker answers again.
      if (!(err instanceof BrokerError)) throw err;
      const code = codeForReadError(err);
      this.d.log.info({ approvalId: rec.id, code }, 'approval refused: the broker could not be read; it stays pending');
      throw new ApprovalError(code, `The broker of account ${accountName(accounts, rec.accountId)} could not be read (${scrubText(err.message)}); nothing was sent and the approval stays pending.`);
    }
    const state = tradingStatesNow(tradingState, rec.accountId);
    // The working orders the approved order cancels first are not pending for it.
    if (rec.cancelOpenOrders) facts.context = contextAfterCancels(facts.context, othersWorkingOrders(this.d.orders, rec.accountId, rec.symbol, rec.signalId));
    const verdict = checkRisk({ intent: rec.intent as OrderIntent, assetClass: facts.assetClass, state, accountSettings, strategySettings, context: facts.context, now });
    if (verdict.stateChange) tradingState.set(verdict.stateChange.to, verdict.stateChange.detail, rec.accountId);
    if (!verdict.allowed) {
      const d = verdict.denial!;
      this.d.log.info({ approvalId: rec.id, code: d.code }, 'approval refused by the risk check; it stays pending');
      throw new ApprovalError(d.code, d.detail);
    }
    return refuseSendOnStateChange(tradingState, rec.accountId, state, { intent: rec.intent as OrderIntent, assetClass: facts.assetClass, accountSettings, strategySettings, context: facts.context }, this.now);
  }

  /** Sends an approved order. Without `refuseSend` (an approved order a crash left unsent), it is not sent while
   *  trading on the account is halted. */
  private async send(rec: ApprovalRecord, refuseSend: () => SendRefusal | undefined = () => this.haltedRefusal(rec)): Promise<OrderView> {
    const { router, orders } = this.d;
    if (rec.cancelOpenOrders) {
      // A full exit closes the position; any other approved order decides it (read by bracket-remainder.ts).
      const next = rec.leg === 'exit' ? ('position_closes' as const) : ('alert_orders' as const);
      for (const o of othersWorkingOrders(orders, rec.accountId, rec.symbol, rec.signalId)) await router.cancel(o.id, { next });
    }
    const request = rec.request as unknown as OrderRequest;
    const order = await router.submit(request, { accountId: rec.accountId, signalId: rec.signalId, strategyId: rec.strategyId, leg: rec.leg, refuseSend });
    this.d.repo.setOrder(rec.id, order.id);
    this.d.log.info({ approvalId: rec.id, orderId: order.id, clientOrderId: request.clientOrderId, status: order.status }, 'approved order sent');
    return order;
  }

  private haltedRefusal(rec: ApprovalRecord): SendRefusal | undefined {
    if (this.d.tradingState.effective(rec.accountId).state !== 'halted') return undefined;
    return { code: 'TRADING_HALTED', detail: describeDenial('TRADING_HALTED', { symbol: rec.symbol, state: 'halted' }) };
  }

  private publish(r: ApprovalRecord): void {
    this.d.bus.publish({ type: 'approval', approval: this.view(r) });
  }

  private view(r: ApprovalRecord): ApprovalView {
    return {
      ...toApprovalView(r),
      strategyName: this.d.strategies.get(r.strategyId)?.name,
      accountName: this.d.accounts.get(r.accountId)?.name,
    };
  }
}
