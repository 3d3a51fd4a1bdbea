// Processes the inbox in arrival order. Work for one strategy and symbol runs strictly in order (an exit, then
// the reversal that follows); other symbols proceed in parallel. A row that keeps failing is set aside with its
// reason and never blocks the others. On start, rows left half-done by a crash are resumed first; the
// deterministic client order ids make a resumed row unable to place a second order.
import { Decimal } from 'decimal.js';
import type { SignalRepo, QueuedSignal, Decision } from '../store/signals.js';
import type { StrategyRepo, StrategyRow } from '../store/strategies.js';
import type { AccountRepo } from '../store/accounts.js';
import type { OrderRepo } from '../store/orders.js';
import type { AccountDayRepo } from '../store/account-days.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../events.js';
import type { OrderRouter } from '../orders/router.js';
import { neverSent } from '../orders/never-sent.js';
import type { OrderLifecycle } from '../orders/lifecycle.js';
import type { TradingStateService } from '../trading-state.js';
import { BrokerError, type OrderRequest } from '../brokers/port.js';
import { codeForReadError } from '../brokers/http/codes.js';
import { scrubText } from '../log.js';
import type { RiskVerdict } from '../risk/index.js';
import type { OrderIntent } from '../strategy/types.js';
import type { Signal } from '../../shared/signal.js';
import type { OrderView } from '../../shared/api-types.js';
import { KeyedQueue } from '../orders/keyed-queue.js';
import { TimeSlice } from './time-slice.js';
import { clientOrderId } from '../ids.js';
import { isTerminal } from '../../shared/order-status.js';
import { describeDenial, type Code } from '../../shared/codes.js';
import { accountName } from '../account-label.js';
import { brokerSymbol, planForAccount, checkRisk, contextAfterCancels, othersWorkingOrders, refuseSendOnStateChange, tradingStatesNow, type AccountSettings, type StrategySettings, type AccountFacts } from './decide.js';
import type { ApprovalService, HeldIntent } from '../approvals/service.js';

export interface WorkerDeps {
  signals: SignalRepo;
  strategies: StrategyRepo;
  accounts: AccountRepo;
  orders: OrderRepo;
  /** The day's starting equity and high per account (the loss limits'). */
  accountDays: AccountDayRepo;
  router: OrderRouter;
  lifecycle: OrderLifecycle;
  tradingState: TradingStateService;
  bus: EventBus;
  log: Logger;
  now?: () => string;
  /** How long an entry waits for the exit before it (a reversal) to fill, and the next alert for a symbol
   *  waits for a market order to settle. */
  fillWaitMs?: number;
  maxAttempts?: number;
  /** Holds orders of strategies with manual approval; without it such orders are denied (APPROVAL_REQUIRED). */
  approvals?: Pick<ApprovalService, 'hold'>;
  /** True during an alert storm (the agent: faster than 1,000 alerts/s): the listener goes first (see `slice`). */
  intakeStorm?: () => boolean;
  /** Resolves once the alert is on disk in the inbox (undefined: it is). An alert is copied and planned while its
   *  inbox commit is still being synced; nothing of it reaches a broker, or waits for approval, before then. */
  untilDurable?: (signalId: string) => Promise<void> | undefined;
  /** Told after each signal is finished (or set aside). */
  onDone?: () => void;
  /** Told whether the broker reads an alert is planned from worked (the account's `connected`). */
  brokerHealth?: { observe(accountId: string, err?: unknown): void };
}

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

/** Canceled or rejected with nothing filled: perhaps closed before it reached the broker (`neverSent` tells). */
const closedUnfilled = (o: OrderView): boolean => (o.status === 'canceled' || o.status === 'rejected') && Number(o.filledQuantity) === 0;

/** During an alert storm the worker runs 1 ms in every 1 + STORM_PAUSE_MS. */
const STORM_PAUSE_MS = 19;

/** Rows read from the inbox per query, and held in memory (queued or processing) at most. */
const READ_BATCH = 100;
const MAX_IN_FLIGHT = 500;
/** During an alert storm alerts are copied into signals only while fewer than this many are being worked on. */
const WANTS_MORE_BELOW = 50;

/** Adapters that price from alerts (the paper broker) expose this. */
interface PriceFed {
  observePrice(symbol: string, price: string): void;
}
const isPriceFed = (a: unknown): a is PriceFed => typeof (a as PriceFed | undefined)?.observePrice === 'function';

/**
 * What an alert did for one account: the orders it placed (as last seen) and, without orders, whether it acted all
 * the same (`acted`: a cancel-only alert canceled, or orders were held for approval). An account whose orders all
 * closed without reaching the broker did not trade: its alert is not `done` for them (`settle`).
 */
type Outcome = { orders: OrderView[]; acted?: boolean; denial?: { code: string; detail: string } };

export class SignalWorker {
  private readonly queue = new KeyedQueue();
  private readonly inFlight = new Set<string>();
  private lastSeq = 0;
  private stopped = false;
  private pumping = false;
  private again = false;
  private readonly now: () => string;
  /**
   * Each signal takes a turn of at most 1 ms before pending I/O runs. During an alert storm the worker also steps
   * aside for STORM_PAUSE_MS after each slice: acknowledging alerts within TradingView's timeout goes first, and the
   * backlog (already durable) is worked off at full speed once the storm passes. On two cores a worker catching up
   * flat out took the CPU the listener needed, and every alert's answer waited.
   */
  private readonly slice: TimeSlice;
  /** Denials of the signals being processed, written together with their final status. */
  private readonly held = new Map<string, Decision[]>();
  /** The in-flight cap stopped the last read: more rows may be waiting in the inbox. */
  private saturated = false;
  /** Signals being processed whose final status is not written yet. */
  private readonly unsettled = new Set<string>();
  /** Of those, the ones an order of which was closed unsent after the worker last looked at it (read again at the end). */
  private readonly recheck = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(private readonly d: WorkerDeps) {
    this.now = d.now ?? (() => new Date().toISOString());
    this.slice = new TimeSlice(1, undefined, () => (d.intakeStorm?.() ? STORM_PAUSE_MS : 0));
    this.unsubscribe = d.bus.subscribe((e) => {
      if (e.type === 'order') this.orderChanged(e.order);
    });
  }

  /** Signals taken from the inbox and not finished yet. */
  get backlog(): number {
    return this.inFlight.size;
  }

  /** Few signals are being worked on: during an alert storm, the intake copies more in (webhook-intake.ts). */
  get wantsMore(): boolean {
    return this.inFlight.size < WANTS_MORE_BELOW;
  }

  /** Called after the inbox commits new rows (and at start). */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        // A backlog is taken in bounded steps: reading and parsing every queued row at once would hold the
        // event loop (and the webhook listener) for as long; the rest is read as rows in flight finish.
        while (this.inFlight.size < MAX_IN_FLIGHT) {
          const limit = Math.min(READ_BATCH, MAX_IN_FLIGHT - this.inFlight.size);
          const rows = this.d.signals.pending(limit, this.lastSeq);
          for (const row of rows) {
            this.lastSeq = Math.max(this.lastSeq, row.seq);
            this.dispatch(row);
          }
          // A short read took every row there is (nothing is copied while this loop runs): no query to learn it.
          if (rows.length < limit) break;
        }
        if (this.inFlight.size >= MAX_IN_FLIGHT) this.saturated = true;
      } while (this.again && !this.stopped);
    } finally {
      this.pumping = false;
    }
  }

  private dispatch(row: QueuedSignal): void {
    if (this.inFlight.has(row.id)) return;
    this.inFlight.add(row.id);
    const key = `${row.strategyId}\u0000${row.parsed.symbol}`;
    void this.queue
      .run(key, async () => {
        await this.slice.turn();
        await this.process(row);
      })
      .catch((err: unknown) => this.failed(row, err))
      .finally(() => {
        this.inFlight.delete(row.id);
        this.unsettled.delete(row.id);
        this.recheck.delete(row.id);
        this.d.onDone?.();
        if (this.saturated && this.inFlight.size <= MAX_IN_FLIGHT / 2) {
          this.saturated = false;
          this.kick();
        }
      });
  }

  private failed(row: QueuedSignal, err: unknown): void {
    const message = (err as Error)?.message ?? String(err);
    this.d.log.error({ signalId: row.id, err }, 'processing a signal failed');
    this.d.signals.recordError(row.id, message);
    const attempts = row.attempts + 1;
    if (attempts >= (this.d.maxAttempts ?? 3)) {
      this.d.signals.finish(row.id, 'failed', this.now(), 'INTERNAL_ERROR', `Set aside after ${attempts} attempts: ${message}`);
      this.d.bus.publish({ type: 'signal', signal: { id: row.id, strategyId: row.strategyId, status: 'failed', code: 'INTERNAL_ERROR', symbol: row.parsed.symbol } });
    } else {
      // Retried on a later pass; other rows carry on meanwhile.
      const retry = setTimeout(() => {
        this.lastSeq = Math.min(this.lastSeq, row.seq - 1);
        this.kick();
      }, 1000 * attempts);
      retry.unref?.();
    }
  }

  private async process(row: QueuedSignal): Promise<void> {
    if (this.stopped) return;
    const { signals, strategies } = this.d;
    const found = strategies.get(row.strategyId);
    const strategy = found?.enabled ? found : undefined;
    // The alert's price reaches the accounts that price from alerts in the commit of the processing mark: one commit
    // fewer before the broker call. A failure to take it fails the alert after the mark, as before.
    let unobserved: { err: unknown } | undefined;
    signals.markProcessing(row.id, strategy && row.parsed.price ? () => (unobserved = this.observePrice(row, strategy)) : undefined);
    this.unsettled.add(row.id);
    if (!strategy) {
      signals.finish(row.id, 'denied', this.now(), 'WEBHOOK_NOT_FOUND', 'The strategy was deleted or disabled before the alert was processed.');
      return;
    }
    if (unobserved) throw unobserved.err;
    const outcomes: Outcome[] = [];
    const held: Decision[] = [];
    this.held.set(row.id, held);
    try {
      // Fan-out: one alert, an order (or a denial) per account, each with its own sizing and symbol mapping.
      for (const accountId of strategy.accountIds) outcomes.push(await this.forAccount(row, strategy, accountId));
    } finally {
      this.held.delete(row.id);
    }
    const { acted, denial: firstDenial } = this.settle(row.id, outcomes);
    const status = acted ? 'done' : 'denied';
    // Denials are written with the final status, in one commit: a crash before it leaves the row `processing`,
    // and the resumed run decides again.
    signals.finishWithDecisions(row.id, status, this.now(), acted ? undefined : firstDenial?.code, acted ? undefined : firstDenial?.detail, held);
    this.unsettled.delete(row.id); // from now on, a change of its orders is checked against the status written
    this.d.bus.publish({ type: 'signal', signal: { id: row.id, strategyId: row.strategyId, status, code: acted ? undefined : firstDenial?.code, symbol: row.parsed.symbol } });
  }

  /**
   * Whether the alert acted, and else the denial its signal shows. An account acted when one of its orders reached
   * the broker (or may have: one still in flight counts), or it acted without orders. An account whose orders were
   * all closed before reaching the broker (trading halted while they waited, or start-up reconciliation found them
   * absent and did not send them again) did not trade: its denial is why they were not sent.
   */
  private settle(signalId: string, outcomes: readonly Outcome[]): { acted: boolean; denial?: Outcome['denial'] } {
    // An order closed after the worker last looked at it is read again, and so is one it saw closed (it may have
    // filled since: canceled → filled).
    const fresh = this.recheck.delete(signalId);
    let denial: Outcome['denial'];
    for (const o of outcomes) {
      if (o.acted) return { acted: true };
      let unsent: Outcome['denial'];
      for (const seen of o.orders) {
        const order = fresh || closedUnfilled(seen) ? (this.d.orders.get(seen.id) ?? seen) : seen;
        const why = neverSent(this.d.orders, order);
        if (!why) return { acted: true };
        unsent ??= why;
      }
      denial ??= unsent ?? o.denial;
    }
    return { acted: false, denial };
  }

  /**
   * An order changed status. One closed without reaching the broker may mean that its alert, already finished as
   * `done`, did not trade after all (an order still unknown when the alert finished, found absent later and not sent
   * again because trading was halted meanwhile). A fill of an order of a finished alert may mean the reverse: one
   * held as never sent reached the broker after all (a slow first request that arrived past the grace).
   */
  private orderChanged(o: OrderView): void {
    if (!o.signalId) return;
    const unsent = closedUnfilled(o);
    const filled = Number(o.filledQuantity) !== 0;
    if (!unsent && !filled) return;
    const signalId = o.signalId;
    if (this.unsettled.has(signalId)) {
      // Still being worked on: the end of its run reads an order closed meanwhile again (and one it saw closed).
      if (unsent) this.recheck.add(signalId);
      return;
    }
    // After the commit that changed the order (an event may be published inside a transaction).
    queueMicrotask(() => {
      if (this.stopped) return;
      try {
        if (unsent) this.restateIfUnsent(signalId);
        else this.restateIfTraded(signalId);
      } catch (err) {
        this.d.log.error({ err, signalId }, 'checking whether a finished alert traded failed');
      }
    });
  }

  /** A `denied` signal one of whose orders filled after all is `done`: it traded. */
  private restateIfTraded(signalId: string): void {
    const { signals } = this.d;
    if (signals.status(signalId) !== 'denied') return; // the usual case: done already
    if (!signals.restate(signalId, 'denied', 'done', undefined, undefined)) return;
    const signal = signals.get(signalId)!;
    this.d.log.warn({ signalId }, 'an alert shown denied traded after all: an order of it held as never sent filled');
    this.d.bus.publish({ type: 'signal', signal: { id: signalId, strategyId: signal.strategyId, status: 'done', symbol: signal.symbol } });
  }

  /** A `done` signal none of whose orders reached the broker, and that did nothing else, becomes `denied` with why. */
  private restateIfUnsent(signalId: string): void {
    const { signals, orders } = this.d;
    if (signals.status(signalId) !== 'done') return; // still being worked on (the end of its run decides), or not done
    const signal = signals.get(signalId)!;
    const placed = orders.ofSignal(signalId);
    let first: Outcome['denial'];
    for (const o of placed) {
      const why = neverSent(orders, o);
      if (!why) return;
      first ??= why;
    }
    if (!first) return;
    // A cancel-only alert canceled something; an alert held for approval acted by being held.
    if (signals.decisions(signalId).some((d) => d.verdict === 'nothing' || d.verdict === 'pending_approval')) return;
    if (!signals.restate(signalId, 'done', 'denied', first.code, first.detail)) return;
    this.d.log.warn({ signalId, code: first.code }, 'an alert shown done did not trade: its orders were closed before reaching the broker');
    this.d.bus.publish({ type: 'signal', signal: { id: signalId, strategyId: signal.strategyId, status: 'denied', code: first.code, symbol: signal.symbol } });
  }

  /** Writes a decision at once (an order's, before the order exists), after the signal's held denials so the
   *  decisions keep their order. */
  private recordNow(d: Decision): void {
    for (const h of this.held.get(d.signalId)?.splice(0) ?? []) this.d.signals.recordDecision(h);
    this.d.signals.recordDecision(d);
  }

  private deny(row: QueuedSignal, accountId: string, code: Code, detail: string, data?: unknown): Outcome {
    const decision: Decision = { signalId: row.id, accountId, verdict: 'denied', code, detail, data, at: this.now() };
    const held = this.held.get(row.id);
    if (held) held.push(decision);
    else this.d.signals.recordDecision(decision);
    return { orders: [], denial: { code, detail } };
  }

  /**
   * The alert's price is a market observation, given to each of the strategy's accounts that prices from alerts (the
   * paper broker) under the symbol the orders carry at that broker (a mapped or rolled ticker's orders would otherwise
   * never see it); a limit or stop order is matched against it. Every account gets it; the first failure is returned.
   */
  private observePrice(row: QueuedSignal, strategy: StrategyRow): { err: unknown } | undefined {
    const { price } = row.parsed;
    let failure: { err: unknown } | undefined;
    for (const accountId of strategy.accountIds) {
      const adapter = this.d.router.adapter(accountId);
      if (!price || !isPriceFed(adapter)) continue;
      const account = this.d.accounts.get(accountId);
      if (!account) continue;
      try {
        adapter.observePrice(brokerSymbol(row.parsed, adapter.broker, account.config as AccountSettings, this.now()), price);
      } catch (err) {
        failure ??= { err };
      }
    }
    return failure;
  }

  /** `replanned`: this is the second planning of the alert for the account, after its cancels met fills (once only). */
  private async forAccount(row: QueuedSignal, strategy: StrategyRow, accountId: string, replanned = false): Promise<Outcome> {
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
      bus.publish({ type: 'notice', level: 'warning', code: 'DRIFT', message: `${account.name}: ${plan.drift.message}` });
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
    if (toCancel.length > 0) {
      const left = plan.intents.reduce((q, i) => (i.side === 'buy' ? q.plus(i.quantity) : q.minus(i.quantity)), new Decimal(facts.position));
      if (!left.isZero()) {
        // A partial exit or an add leaves a position whose stop-loss and take-profit it has just canceled.
        const warning = `${toCancel.length} working order(s) of ${facts.symbol} were canceled first (cancelOpenOrders); the ${left.toFixed()} left open keeps none of them, a stop-loss or take-profit included, unless this alert brings new ones.`;
        plan.warnings.push(warning);
        bus.publish({ type: 'notice', level: 'warning', code: 'ORDERS_CANCELED', message: `${account.name}: ${warning}` });
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

  /** Stops taking new rows and waits for the ones in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    await this.queue.drain();
  }
}
