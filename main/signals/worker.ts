// Processes the inbox in arrival order. Work for one strategy and symbol runs strictly in order (an exit, then
// the reversal that follows); other symbols proceed in parallel. A row that keeps failing is set aside with its
// reason and never blocks the others. On start, rows left half-done by a crash are resumed first; the
// deterministic client order ids make a resumed row unable to place a second order.
// Planning and sending an alert for each account is account-plan.ts; its final status, and restating it when its
// orders change, settle.ts.
import type { SignalRepo, QueuedSignal, Decision } from '../store/signals.js';
import type { StrategyRepo, StrategyRow } from '../store/strategies.js';
import type { AccountRepo } from '../store/accounts.js';
import type { OrderRepo } from '../store/orders.js';
import type { AccountDayRepo } from '../store/account-days.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../events.js';
import type { OrderRouter } from '../orders/router.js';
import type { OrderLifecycle } from '../orders/lifecycle.js';
import type { TradingStateService } from '../trading-state.js';
import { KeyedQueue } from '../orders/keyed-queue.js';
import { TimeSlice } from './time-slice.js';
import type { Code } from '../../shared/codes.js';
import { brokerSymbol, type AccountSettings } from './decide.js';
import type { ApprovalService } from '../approvals/service.js';
import { AccountPlanner } from './account-plan.js';
import { Settlement, type Outcome } from './settle.js';
import { traceStep } from '../latency-trace.js';
import { isStorageError } from '../store/db.js';

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
  /** Starts of an alert's processing that never finished before it is set aside (MAX_STARTS). */
  maxStarts?: number;
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

/** An alert the database could not take a write for (a full disk) is tried again after this long. */
const STORAGE_RETRY_MS = 5_000;
/** Such failures are told in the log once in this long at most. */
const STORAGE_TELL_EVERY_MS = 60_000;

/**
 * Times an alert's processing may start (each start is counted in its row, `attempts`, before anything else is done)
 * without finishing before it is set aside. An alert whose processing throws is set aside after maxAttempts (3); one
 * that brings the whole agent down (an error nothing handled, memory exhausted) never reaches that count, and the
 * agent, restarted, would resume it first and go down again, for ever. Five: a few restarts of the agent while an
 * alert waits on its order (up to fillWaitMs) are no reason to set it aside.
 */
export const MAX_STARTS = 5;

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
  private readonly settlement: Settlement;
  private readonly planner: AccountPlanner;
  private readonly unsubscribe: () => void;

  constructor(private readonly d: WorkerDeps) {
    this.now = d.now ?? (() => new Date().toISOString());
    this.slice = new TimeSlice(1, undefined, () => (d.intakeStorm?.() ? STORM_PAUSE_MS : 0));
    this.settlement = new Settlement(d, () => this.stopped);
    this.planner = new AccountPlanner(
      d,
      () => this.now(),
      (row, accountId, code, detail, data) => this.deny(row, accountId, code, detail, data),
      (decision) => this.recordNow(decision),
    );
    this.unsubscribe = d.bus.subscribe((e) => {
      if (e.type === 'order') this.settlement.orderChanged(e.order);
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
        traceStep(row.id, 'queue');
        await this.slice.turn();
        traceStep(row.id, 'slice');
        await this.process(row);
      })
      .catch((err: unknown) => this.failed(row, err))
      .finally(() => {
        this.inFlight.delete(row.id);
        this.settlement.unsettled.delete(row.id);
        this.settlement.recheck.delete(row.id);
        this.d.onDone?.();
        if (this.saturated && this.inFlight.size <= MAX_IN_FLIGHT / 2) {
          this.saturated = false;
          this.kick();
        }
      });
  }

  private failed(row: QueuedSignal, err: unknown): void {
    const message = (err as Error)?.message ?? String(err);
    if (isStorageError(err)) return this.storageFailed(row, err);
    this.d.log.error({ signalId: row.id, err }, 'processing a signal failed');
    const attempts = row.attempts + 1;
    try {
      this.d.signals.recordError(row.id, message);
      if (attempts >= (this.d.maxAttempts ?? 3)) {
        this.d.signals.finish(row.id, 'failed', this.now(), 'INTERNAL_ERROR', `Set aside after ${attempts} attempts: ${message}`);
        this.d.bus.publish({ type: 'signal', signal: { id: row.id, strategyId: row.strategyId, status: 'failed', code: 'INTERNAL_ERROR', symbol: row.parsed.symbol } });
        return;
      }
    } catch (again) {
      // The failure itself could not be written (the database refused): nothing is counted, the alert waits.
      return this.storageFailed(row, again);
    }
    // Retried on a later pass; other rows carry on meanwhile.
    this.retryLater(row, 1000 * attempts);
  }

  /**
   * The agent's database refused a write (a full disk, most often): not the alert's fault, so it is not one of its
   * attempts and is never set aside for it. It waits, on disk in signals or inbox.db, and is tried again every
   * STORAGE_RETRY_MS until the database takes writes again; other alerts meet the same refusal meanwhile. Told in the
   * log at the first such failure and then once a minute at most, not once per alert.
   */
  private storageFailed(row: QueuedSignal, err: unknown): void {
    const now = Date.now();
    if (now - this.storageToldAt >= STORAGE_TELL_EVERY_MS) {
      this.storageToldAt = now;
      this.d.log.error(
        { signalId: row.id, err },
        `the agent database could not be written (${(err as { code?: string })?.code ?? 'error'}): alerts wait, on disk, and are tried again every ${STORAGE_RETRY_MS / 1000} s. Free some disk space if it is full.`,
      );
    }
    this.storageRetries.add(row.id);
    this.retryLater(row, STORAGE_RETRY_MS);
  }

  private storageToldAt = Number.NEGATIVE_INFINITY;
  /** Alerts waiting to be tried again after the database refused a write: their next start is not counted. */
  private readonly storageRetries = new Set<string>();

  private retryLater(row: QueuedSignal, ms: number): void {
    const retry = setTimeout(() => {
      this.lastSeq = Math.min(this.lastSeq, row.seq - 1);
      this.kick();
    }, ms);
    retry.unref?.();
  }

  private async process(row: QueuedSignal): Promise<void> {
    if (this.stopped) return;
    if (row.attempts >= (this.d.maxStarts ?? MAX_STARTS)) return this.setAsideAfterStarts(row);
    const { signals, strategies } = this.d;
    const found = strategies.get(row.strategyId);
    const strategy = found?.enabled ? found : undefined;
    // The alert's price reaches the accounts that price from alerts in the commit of the processing mark: one commit
    // fewer before the broker call. A failure to take it fails the alert after the mark, as before.
    let unobserved: { err: unknown } | undefined;
    // A start after the database refused a write (storageFailed) is the same start going on: not counted again.
    const counted = !this.storageRetries.delete(row.id);
    signals.markProcessing(row.id, strategy && row.parsed.price ? () => (unobserved = this.observePrice(row, strategy)) : undefined, counted);
    this.settlement.unsettled.add(row.id);
    traceStep(row.id, 'mark');
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
      for (const accountId of strategy.accountIds) outcomes.push(await this.planner.forAccount(row, strategy, accountId));
    } finally {
      this.held.delete(row.id);
    }
    const { acted, denial: firstDenial } = this.settlement.settle(row.id, outcomes);
    const status = acted ? 'done' : 'denied';
    // Denials are written with the final status, in one commit: a crash before it leaves the row `processing`,
    // and the resumed run decides again.
    signals.finishWithDecisions(row.id, status, this.now(), acted ? undefined : firstDenial?.code, acted ? undefined : firstDenial?.detail, held);
    this.settlement.unsettled.delete(row.id); // from now on, a change of its orders is checked against the status written
    this.d.bus.publish({ type: 'signal', signal: { id: row.id, strategyId: row.strategyId, status, code: acted ? undefined : firstDenial?.code, symbol: row.parsed.symbol } });
  }

  /**
   * The alert's processing started `row.attempts` times and never finished: the agent stopped each time (most likely
   * brought down by this very alert). It is set aside, so the alerts after it are processed; orders it may have placed
   * stay tracked as every order is.
   */
  private setAsideAfterStarts(row: QueuedSignal): void {
    const detail = `Set aside after its processing started ${row.attempts} times without finishing: the agent stopped each time (see the agent log for why). Orders it placed, if any, are still tracked in Orders; send the alert again once the cause is fixed.`;
    this.d.log.error({ signalId: row.id, starts: row.attempts }, 'an alert whose processing never finished was set aside');
    this.d.signals.finish(row.id, 'failed', this.now(), 'INTERNAL_ERROR', detail);
    this.d.bus.publish({ type: 'signal', signal: { id: row.id, strategyId: row.strategyId, status: 'failed', code: 'INTERNAL_ERROR', symbol: row.parsed.symbol } });
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

  /** Stops taking new rows and waits for the ones in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    await this.queue.drain();
  }
}
