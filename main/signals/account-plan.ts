// What one alert does for one account: its facts read (asked again after a broker's blip), the plan checked against
// the risk rules, the symbol's working orders canceled first where the alert says so, and its legs submitted in
// order (an exit before the entry that depends on it); or, with manual approval, its orders held for the trader.
import { Decimal } from 'decimal.js';
import type { QueuedSignal, Decision } from '../store/signals.js';
import type { StrategyRow } from '../store/strategies.js';
import { BrokerError, type OrderRequest } from '../brokers/port.js';
import { codeForReadError } from '../brokers/http/codes.js';
import { scrubText } from '../log.js';
import type { RiskVerdict } from '../risk/index.js';
import type { OrderIntent } from '../strategy/types.js';
import type { Signal } from '../../shared/signal.js';
import type { OrderView } from '../../shared/api-types.js';
import { clientOrderId } from '../ids.js';
import { isTerminal } from '../../shared/order-status.js';
import { describeDenial, type Code } from '../../shared/codes.js';
import { accountLabel, accountName } from '../account-label.js';
import { traceStep } from '../latency-trace.js';
import { planForAccount, checkRisk, contextAfterCancels, othersWorkingOrders, refuseSendOnStateChange, tradingStatesNow, type AccountSettings, type StrategySettings, type AccountFacts } from './decide.js';
import type { HeldIntent } from '../approvals/service.js';
import type { Outcome } from './settle.js';
import type { WorkerDeps } from './worker.js';

/** Reads of the facts an alert is planned from: asked again at most this many times after a transient failure. */
const READ_RETRIES = 2;
/** A Retry-After longer than this is not waited for: the alert is denied (BROKER_RATE_LIMITED). */
const MAX_READ_RETRY_WAIT_MS = 5_000;

/** How long to wait before reading again after `err`, or undefined when the alert is to be denied now. */
export function readRetryDelayMs(err: unknown, attempt: number): number | undefined {
  if (!(err instanceof BrokerError) || attempt >= READ_RETRIES) return undefined;
  if (err.kind === 'rate_limited') {
    const wait = err.retryAfterMs ?? 1000 * 2 ** attempt;
    return wait <= MAX_READ_RETRY_WAIT_MS ? wait : undefined;
  }
  // A read's 5xx arrives as `unreachable` (a read has no outcome to reconcile), as does a refused connection.
  if (err.kind === 'server_error' || err.kind === 'connection_reset' || err.kind === 'unreachable') return 500 * 3 ** attempt; // 0.5 s, then 1.5 s
  return undefined;
}

export class AccountPlanner {
  constructor(
    private readonly d: WorkerDeps,
    private readonly now: () => string,
    /** Records a denial for the account (held, while the signal is processed, to be written with its final status). */
    private readonly deny: (row: QueuedSignal, accountId: string, code: Code, detail: string, data?: unknown) => Outcome,
    /** Writes a decision at once, after the signal's held denials. */
    private readonly recordNow: (d: Decision) => void,
  ) {}

  /** `replanned`: this is the second planning of the alert for the account, after its cancels met fills (once only). */
  async forAccount(row: QueuedSignal, strategy: StrategyRow, accountId: string, replanned = false): Promise<Outcome> {
    const { router, orders, tradingState, log, bus } = this.d;
    const signal: Signal = row.parsed;
    const adapter = router.adapter(accountId);
    const account = this.d.accounts.get(accountId);
    if (!adapter || !account) {
      const denied = this.deny(row, accountId, 'ACCOUNT_UNAVAILABLE', describeDenial('ACCOUNT_UNAVAILABLE', { account: accountName(this.d.accounts, accountId) }));
      // A run resumed after a crash keeps the orders its first run stored (one may be at the broker, or have filled
      // there): the alert is not shown as one that sent nothing. They are reconciled once the account is back.
      return row.attempts > 0 ? { ...denied, orders: orders.forSignal(row.id, accountId).filter((o) => o.status !== 'created') } : denied;
    }
    const strategySettings = strategy.config as StrategySettings;
    const accountSettings = account.config as AccountSettings;
    const now = this.now();
    let facts: AccountFacts;
    for (let attempt = 0; ; attempt++) {
      try {
        // Only a row processed before (resumed after a crash, or retried) can have orders of its own: a first run's
        // read of them would find none, on every alert.
        facts = await planForAccount({ signal, accountId, adapter, orders, accountDays: this.d.accountDays, strategySettings, accountSettings, now, signalId: row.attempts > 0 ? row.id : undefined, strategyId: strategy.id });
        traceStep(row.id, 'plan');
        break;
      } catch (err) {
        // A broker that answered "not now" (a 429 with its Retry-After, a 5xx), dropped the connection or refused it
        // is asked again a moment later (twice, within 2 s): one blip must not cost the alert, an exit most of all.
        // A read that timed out, or refused keys, denies the alert at once.
        const wait = readRetryDelayMs(err, attempt);
        if (wait === undefined) return this.denyUnreadable(row, accountId, err);
        log.info({ signalId: row.id, accountId, kind: (err as BrokerError).kind, waitMs: wait }, 'broker read failed while planning the alert; asking again');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    this.d.brokerHealth?.observe(accountId);
    const plan = facts.plan;
    if (plan.drift) {
      log.warn({ signalId: row.id, accountId, drift: plan.drift }, 'position drift: the alert expected a different position');
      bus.publish({ type: 'notice', level: 'warning', code: 'DRIFT', message: `${accountLabel(this.d.accounts, accountId)}: ${plan.drift.message}`, accountId });
    }
    if (plan.kind === 'denied') return this.deny(row, accountId, plan.denial.code, plan.denial.detail, { warnings: plan.warnings, drift: plan.drift });
    // Nothing of the alert reaches a broker (an order, a cancel) or waits for the trader's approval before the alert
    // is on disk (the paper broker has already taken its price, as market data: a price is not an order). Its orders
    // are checked and stored while the sync runs; each waits for it before the broker call (router.submit).
    const durable = (): Promise<void> | undefined => this.d.untilDurable?.(row.id);
    // A cancel-only alert (no intents) only reduces exposure; it is not held.
    if (plan.approval.mode === 'manual' && plan.intents.length > 0) {
      if (!this.d.approvals) return this.deny(row, accountId, 'APPROVAL_REQUIRED', describeDenial('APPROVAL_REQUIRED', { strategy: strategy.name }));
      await durable();
      return this.holdForApproval(row, strategy, accountId, facts, plan.approval.expiresAt ?? now, plan.cancelOpenOrdersFirst, plan.warnings);
    }

    const checked = tradingStatesNow(tradingState, accountId);
    // The symbol's working orders the alert cancels first are not pending for its legs (its own orders, from a run
    // a crash cut short, are not in the facts at all: planForAccount).
    const toCancel = plan.cancelOpenOrdersFirst ? othersWorkingOrders(orders, accountId, facts.symbol, row.id) : [];
    facts.context = contextAfterCancels(facts.context, toCancel, row.id);
    const check = (intent: OrderIntent): RiskVerdict => {
      const verdict = checkRisk({ intent, assetClass: facts.assetClass, state: checked, accountSettings, strategySettings, context: facts.context, now });
      if (verdict.stateChange) tradingState.set(verdict.stateChange.to, verdict.stateChange.detail, accountId);
      return verdict;
    };
    // Every leg that waits for no other is checked before anything is canceled: a denied alert changes nothing (an
    // exit refused while halted leaves the position's stop-loss and take-profit working).
    const verdicts = new Map<string, RiskVerdict>();
    // A leg an earlier run of this alert stored (a crash cut that run short) was judged then, and its decision is
    // stored with it: it is not judged again, against a position its own fills may have changed.
    const storedBefore = new Map(facts.own.map((o) => [o.clientOrderId, o]));
    const stored = (intent: OrderIntent): OrderView | undefined => {
      const o = storedBefore.get(clientOrderId(row.id, accountId, intent.leg));
      return o && o.status !== 'created' ? o : undefined;
    };
    for (const intent of plan.intents) {
      if (intent.dependsOn || stored(intent)) continue;
      const verdict = check(intent);
      if (!verdict.allowed) {
        const d = verdict.denial!;
        return this.deny(row, accountId, d.code, d.detail, { rules: verdict.rules, intent });
      }
      verdicts.set(intent.leg, verdict);
    }
    traceStep(row.id, 'risk');
    if (toCancel.length > 0) {
      const left = plan.intents.reduce((q, i) => (i.side === 'buy' ? q.plus(i.quantity) : q.minus(i.quantity)), new Decimal(facts.position));
      if (!left.isZero()) {
        // A partial exit or an add leaves a position whose stop-loss and take-profit it has just canceled.
        const warning = `${toCancel.length} working order(s) of ${facts.symbol} were canceled first (cancelOpenOrders); the ${left.toFixed()} left open keeps none of them, a stop-loss or take-profit included, unless this alert brings new ones.`;
        plan.warnings.push(warning);
        bus.publish({ type: 'notice', level: 'warning', code: 'ORDERS_CANCELED', message: `${accountLabel(this.d.accounts, accountId)}: ${warning}`, accountId });
      }
      await durable();
      // What follows for the position (read if a canceled bracket entry had filled in part: bracket-remainder.ts).
      const next = plan.intents.length === 0 ? undefined : left.isZero() ? ('position_closes' as const) : ('alert_orders' as const);
      let filledMeanwhile = false;
      for (const o of toCancel) {
        const after = await router.cancel(o.id, next === undefined ? {} : { next });
        if (new Decimal(after.filledQuantity).gt(o.filledQuantity)) filledMeanwhile = true;
      }
      if (filledMeanwhile && plan.intents.length > 0 && !replanned) {
        // A canceled order filled (in part) before its cancel took, as a take-profit may: the legs were sized on a
        // position that is no longer there, and Alpaca (like most brokers) has no reduce-only orders, so an exit of
        // the old size would open the opposite position. The alert is planned and checked again on the position now.
        log.info({ signalId: row.id, accountId, symbol: facts.symbol }, 'an order canceled before the alert filled meanwhile; planning the alert again on the position it left');
        return this.forAccount(row, strategy, accountId, true);
      }
    }
    const sent = new Map<string, OrderView>(); // leg → its order, as last seen
    const placed = (): OrderView[] => [...sent.values()];
    for (const intent of plan.intents) {
      const earlier = stored(intent);
      if (earlier) {
        sent.set(intent.leg, earlier);
        if (!isTerminal(earlier.status) && earlier.type === 'market' && !plan.intents.some((i) => i.dependsOn === intent.leg)) sent.set(intent.leg, await this.d.lifecycle.waitForTerminal(earlier.id, this.d.fillWaitMs ?? 30_000));
        continue;
      }
      if (intent.dependsOn) {
        const before = sent.get(intent.dependsOn);
        if (before) {
          const settled = await this.d.lifecycle.waitForTerminal(before.id, this.d.fillWaitMs ?? 30_000);
          sent.set(intent.dependsOn, settled);
          if (settled.status !== 'filled') {
            return { ...this.deny(row, accountId, 'EXIT_NOT_FILLED', describeDenial('EXIT_NOT_FILLED', { symbol: facts.symbol, exitStatus: settled.status })), orders: placed() };
          }
          // The entry is checked against the position as it is after the exit, not as it was before.
          let fresh: Awaited<ReturnType<typeof adapter.positions>>;
          try {
            fresh = await adapter.positions();
          } catch (err) {
            return { ...this.denyUnreadable(row, accountId, err), orders: placed() };
          }
          facts.context.positions = fresh.map((p) => ({ symbol: p.symbol, quantity: p.quantity, averagePrice: p.averagePrice, marketPrice: p.marketPrice }));
        }
      }
      // A leg behind another is checked once that one is done, against the position it left.
      const verdict = verdicts.get(intent.leg) ?? check(intent);
      if (!verdict.allowed) {
        const d = verdict.denial!;
        return { ...this.deny(row, accountId, d.code, d.detail, { rules: verdict.rules, intent }), orders: placed() };
      }
      const decision: Decision = { signalId: row.id, accountId, verdict: 'order', data: { intent, rules: verdict.rules, warnings: plan.warnings, ...(plan.drift ? { drift: plan.drift } : {}) }, at: this.now() };
      const { leg, dependsOn: _d, ...fields } = intent;
      const request: OrderRequest = { ...fields, clientOrderId: clientOrderId(row.id, accountId, leg), referencePrice: fields.referencePrice ?? signal.price };
      // The decision is stored in the commit that stores the order (never one without the other).
      const order = await router.submit(request, {
        accountId,
        signalId: row.id,
        strategyId: strategy.id,
        leg,
        // An exit is measured against the position's average price (the cooldown after a loss).
        ...(request.reduceOnly ? { entryPrice: facts.context.positions.find((p) => p.symbol === request.symbol)?.averagePrice } : {}),
        withOrder: () => this.recordNow(decision),
        untilSendable: durable,
        // The trader may halt (or a loss limit reduce) trading while the order waits for the sync or the account's
        // pacing: the trading-state rule is asked again, under the state at the moment of the broker call.
        refuseSend: refuseSendOnStateChange(tradingState, accountId, checked, { intent, assetClass: facts.assetClass, accountSettings, strategySettings, context: facts.context }, this.now),
      });
      sent.set(leg, order);
      // Legs of one alert are not "recent orders" of each other: a reversal's exit and entry share a side and
      // would otherwise trip the duplicate-order guard.
      if (!isTerminal(order.status) && request.type === 'market' && !plan.intents.some((i) => i.dependsOn === leg)) {
        // The next alert for this symbol waits for this market order to settle (exit before reverse).
        const settled = await this.d.lifecycle.waitForTerminal(order.id, this.d.fillWaitMs ?? 30_000);
        sent.set(leg, settled);
        if (!isTerminal(settled.status)) log.warn({ orderId: order.id, status: settled.status }, 'order not settled in time; continuing with the next alert');
      }
    }
    if (plan.intents.length === 0) this.recordNow({ signalId: row.id, accountId, verdict: 'nothing', detail: 'open orders canceled', at: this.now() });
    return { orders: placed(), acted: plan.intents.length === 0 };
  }

  /**
   * A broker read the plan needs (positions, open orders, account, instrument, clock) failed. Nothing was sent,
   * and a read has no outcome to wait for (even a timeout): the alert is denied for this account with the
   * broker's code, at once, and the strategy's other accounts carry on. Retrying the whole alert would ask
   * every account again, and a broker that is down stays down for seconds to hours. Only broker failures are
   * denied here; anything else is the agent's own fault and sets the alert aside as before.
   */
  private denyUnreadable(row: QueuedSignal, accountId: string, err: unknown): Outcome {
    if (!(err instanceof BrokerError)) throw err;
    this.d.brokerHealth?.observe(accountId, err);
    const code = codeForReadError(err);
    const reason = scrubText(err.message);
    this.d.log.warn({ signalId: row.id, accountId, code, kind: err.kind, reason }, 'broker could not be read while planning the alert; denied for this account');
    return this.deny(row, accountId, code, describeDenial(code, { account: accountName(this.d.accounts, accountId), reason }), { error: err.kind });
  }

  /** Manual approval: every intent must pass the risk check now; then all are held (nothing is sent) and the
   *  trader approves each one (the check runs again then). One denied intent holds nothing. */
  private holdForApproval(row: QueuedSignal, strategy: StrategyRow, accountId: string, facts: AccountFacts, expiresAt: string, cancelOpenOrdersFirst: boolean, warnings: unknown): Outcome {
    const { tradingState } = this.d;
    const plan = facts.plan;
    if (plan.kind === 'denied') return { orders: [] };
    const account = this.d.accounts.get(accountId);
    const strategySettings = strategy.config as StrategySettings;
    const accountSettings = (account?.config ?? {}) as AccountSettings;
    const now = this.now();
    const state = tradingStatesNow(tradingState, accountId);
    const held: HeldIntent[] = [];
    for (const intent of plan.intents) {
      const verdict = checkRisk({ intent, assetClass: facts.assetClass, state, accountSettings, strategySettings, context: facts.context, now });
      if (verdict.stateChange) tradingState.set(verdict.stateChange.to, verdict.stateChange.detail, accountId);
      if (!verdict.allowed) {
        const d = verdict.denial!;
        return this.deny(row, accountId, d.code, d.detail, { rules: verdict.rules, intent });
      }
      const { leg, dependsOn: _d, ...fields } = intent;
      // Built exactly as the automatic path builds it: approving sends this very request, same client order id.
      const request: OrderRequest = { ...fields, clientOrderId: clientOrderId(row.id, accountId, leg), referencePrice: fields.referencePrice ?? row.parsed.price };
      held.push({ intent, request, verdict });
    }
    const views = this.d.approvals!.hold({ signalId: row.id, strategyId: strategy.id, accountId, intents: held, cancelOpenOrdersFirst, expiresAt });
    this.d.log.info({ signalId: row.id, accountId, approvals: views.map((v) => v.id), expiresAt, warnings }, 'orders held for manual approval');
    return { orders: [], acted: true };
  }
}
