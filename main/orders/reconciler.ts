// Reconciliation: the broker is the truth. At start-up (before any new order) and every N seconds, per account:
//  1. every order we hold as not terminal is looked up by client order id and corrected from the broker's view
//     (UNKNOWN ones follow the router's re-send rule);
//  2. fills since the stored cursor are fetched and any we missed are applied (by trade id, so never twice);
//     fills of orders that are not ours (placed by hand at the broker) are counted as explained;
//  3. positions are compared with what our fills explain (plus the baseline of positions that were not ours).
// What cannot be explained (a position that differs twice in a row, an order the broker does not have although we
// saw it working, a report that contradicts a final status) halts the account with a reason the trader can act on.
import { Decimal } from 'decimal.js';
import type { OrderRepo } from '../store/orders.js';
import type { Logger } from '../log.js';
import type { Fill, Position } from '../brokers/port.js';
import type { OrderView } from '../../shared/api-types.js';
import { isTerminal } from '../../shared/order-status.js';

/** The prefix of every client order id the agent issues (main/ids.ts clientOrderId). */
const AGENT_ID_PREFIX = 'vz-';
import type { OrderLifecycle } from './lifecycle.js';
import type { OrderRouter, TradingStateControl } from './router.js';
import type { CancelContext } from './cancel.js';

export interface ReconcilerOptions {
  /** Seconds between periodic runs. */
  intervalMs: number;
  /** How far before the cursor each fills query starts (brokers' clocks and late-booked fills). */
  fillsOverlapMs: number;
  /** When there is no cursor yet: how far back the first fills query looks. */
  firstLookbackMs: number;
}

export const DEFAULT_RECONCILER_OPTIONS: ReconcilerOptions = { intervalMs: 30_000, fillsOverlapMs: 60_000, firstLookbackMs: 24 * 3600_000 };

export interface ReconcileReport {
  accountId: string;
  trigger: string;
  ordersChecked: number;
  ordersCorrected: number;
  /** Orders closed here as never sent, found open at the broker and canceled there, or being canceled there
   *  already (router.cancelStands). */
  ordersCanceled: number;
  /** Orders whose cancel the broker took but had not carried out long after (still working there): asked again. */
  cancelsResent: number;
  fillsRecovered: number;
  externalFills: number;
  lookupFailures: number;
  mismatches: string[];
  halted: boolean;
}

const OPEN = ['created', 'submitting', 'unknown', 'accepted', 'partially_filled', 'cancel_pending'] as const;

/** Orders of one account checked at the same time. */
const ORDERS_AT_ONCE = 8;

/** How long after its last cancel request an order may still be reported working before the cancel is sent again. */
const CANCEL_LOST_AFTER_MS = 30_000;

/** Runs `fn` on every item, at most `limit` at a time; resolves when all are done (each handles its own errors). */
async function inBatches<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export class Reconciler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<ReconcileReport[]> | undefined;
  private readonly opts: ReconcilerOptions;

  constructor(
    private readonly orders: OrderRepo,
    private readonly lifecycle: OrderLifecycle,
    private readonly router: OrderRouter,
    private readonly tradingState: TradingStateControl,
    private readonly log: Logger,
    options: Partial<ReconcilerOptions> = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    this.opts = { ...DEFAULT_RECONCILER_OPTIONS, ...options };
  }

  /** Every registered account, one after the other. Concurrent calls share one run. */
  reconcileAll(trigger: string): Promise<ReconcileReport[]> {
    this.running ??= (async () => {
      const out: ReconcileReport[] = [];
      try {
        for (const id of this.router.accountIds()) out.push(await this.reconcileAccount(id, trigger));
      } finally {
        this.running = undefined;
      }
      return out;
    })();
    return this.running;
  }

  /** Periodic reconciliation; stopped by stop() or when the router closes. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.reconcileAll('periodic').catch((err: unknown) => this.log.error({ err }, 'periodic reconciliation failed'));
    }, this.opts.intervalMs);
    this.timer.unref?.();
    this.router.whenClosed(() => this.stop());
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async reconcileAccount(accountId: string, trigger: string): Promise<ReconcileReport> {
    const adapter = this.router.adapter(accountId);
    const report: ReconcileReport = { accountId, trigger, ordersChecked: 0, ordersCorrected: 0, ordersCanceled: 0, cancelsResent: 0, fillsRecovered: 0, externalFills: 0, lookupFailures: 0, mismatches: [], halted: false };
    if (!adapter) return report;
    // The account was deleted while this run waited for its broker (it left the router in the delete's tick): its
    // cursor, baseline and trading state went with it, and nothing of this run is written back for it.
    const deleted = (): boolean => this.router.adapter(accountId) === undefined;
    const at = this.now();
    try {
      // 1. Orders we hold as working or unknown, several at a time: each is looked up (and re-sent) by its own client
      //    order id, so they are independent, and a crash that left many in flight is not worked off one broker
      //    round trip after another (the account's pacing still holds the requests under the broker's limit).
      await inBatches(this.orders.withStatus(OPEN, accountId), ORDERS_AT_ONCE, async (o) => {
        report.ordersChecked++;
        const before = o.status;
        const known = o.status === 'accepted' || o.status === 'partially_filled' || o.status === 'cancel_pending';
        if (known) {
          let b;
          try {
            b = await adapter.orderByClientId(o.clientOrderId);
          } catch (err) {
            report.lookupFailures++; // one lookup failing does not stop the rest; the next run asks again
            this.lifecycle.note(o.id, 'lookup_failed', { message: (err as Error).message, trigger });
            return;
          }
          if (!b) {
            report.mismatches.push(`order ${o.clientOrderId} (${o.side} ${o.quantity} ${o.symbol}) is ${o.status} here but the broker does not have it`);
            return;
          }
          this.lifecycle.applyBrokerOrder(o.id, b, 'reconciled');
          if (o.status === 'cancel_pending' && (b.status === 'accepted' || b.status === 'partially_filled') && (await this.cancelAgain(o, at))) report.cancelsResent++;
        } else {
          const r = await this.router.resolve(o.id);
          if (r.status === 'unknown' || r.status === 'submitting') this.router.scheduleResolve(o.id, this.router.options.resolveBaseMs);
        }
        const after = this.orders.get(o.id)!;
        if (after.status !== before) {
          report.ordersCorrected++;
          this.log.info({ orderId: o.id, from: before, to: after.status, trigger }, 'order reconciled');
        }
      });

      // 1b. Orders open at the broker: one of ours that we hold as final, or one carrying the agent's client id
      //     prefix that we have no record of (a database restored from an old backup), cannot be explained. One we
      //     closed as never sent (its first request reached the broker after the lookups gave up) is canceled there
      //     at once (router.cancelStands): a mismatch only when that cancel fails.
      for (const b of await adapter.openOrders()) {
        const mine = this.router.orderFor(accountId, b, b);
        if (mine && isTerminal(mine.status)) {
          const fresh = this.lifecycle.applyBrokerOrder(mine.id, b, 'reconciled');
          if (!isTerminal(fresh.status)) continue;
          const canceled = await this.router.cancelStands(mine, fresh, b.status);
          if (canceled) {
            report.ordersCanceled++;
            this.log.info({ orderId: mine.id, clientOrderId: b.clientOrderId, reported: b.status, trigger }, 'an order closed as never sent was open at the broker; canceled there');
            continue;
          }
          const more = canceled === false ? ' (closed before it reached the broker; canceling it there failed)' : '';
          report.mismatches.push(`order ${b.clientOrderId} is ${b.status} at the broker but ${fresh.status} here${more}`);
        } else if (!mine && b.clientOrderId.startsWith(AGENT_ID_PREFIX)) {
          report.mismatches.push(`order ${b.clientOrderId} (${b.side} ${b.quantity} ${b.symbol}) is open at the broker with an id this agent issued, but the agent has no record of it`);
        }
      }

      // 2. Fills since the cursor.
      const state = this.orders.reconcileState(accountId);
      const baseline = new Map(Object.entries(state?.baseline ?? {}).map(([k, v]) => [k, new Decimal(v)]));
      const since = state?.fillsCursor ? new Date(Date.parse(state.fillsCursor) - this.opts.fillsOverlapMs) : new Date(at.getTime() - this.opts.firstLookbackMs);
      let cursor = state?.fillsCursor;
      const applyFills = async (): Promise<void> => {
        for (const f of await adapter.fillsSince(since.toISOString())) {
          if (!cursor || f.time > cursor) cursor = f.time;
          const order = this.router.orderFor(accountId, { clientOrderId: f.clientOrderId }, undefined) ?? (await this.adoptFromBroker(accountId, f));
          if (deleted()) return;
          if (order) {
            if (this.orders.fills(order.id).some((x) => x.tradeId === f.tradeId)) continue;
            this.lifecycle.note(order.id, 'fill_recovered', { tradeId: f.tradeId, trigger });
            this.lifecycle.applyFill(accountId, order.id, f);
            report.fillsRecovered++;
          } else if (state && !this.orders.isExternalFillSeen(accountId, f.tradeId)) {
            // Not ours: traded by hand at the broker. Explained, so it moves the baseline (once per trade id).
            this.orders.markExternalFill(accountId, f.tradeId);
            const q = new Decimal(f.quantity);
            baseline.set(f.symbol, (baseline.get(f.symbol) ?? new Decimal(0)).plus(f.side === 'buy' ? q : q.neg()));
            report.externalFills++;
            this.lifecycle.positionChanged(accountId, f.symbol);
          } else if (!state) {
            this.orders.markExternalFill(accountId, f.tradeId);
          }
        }
      };
      await applyFills();

      // 3. Positions.
      let positions = await adapter.positions();
      if (!state) {
        // First reconciliation of this account: whatever the broker holds beyond our own fills predates us.
        for (const [sym, diff] of differences(positions, this.orders.netFilledBySymbol(accountId), new Map())) baseline.set(sym, diff);
        this.lifecycle.notice('info', `${this.router.accountLabel(accountId)}: first reconciliation; positions not opened by the agent are taken as they are.`);
      } else {
        let diffs = differences(positions, this.orders.netFilledBySymbol(accountId), baseline);
        if (diffs.size > 0) {
          // A fill may be landing right now: read fills and positions once more before calling it a mismatch.
          await applyFills();
          positions = await adapter.positions();
          diffs = differences(positions, this.orders.netFilledBySymbol(accountId), baseline);
        }
        for (const [sym, diff] of diffs) {
          const broker = positions.find((p) => p.symbol === sym)?.quantity ?? '0';
          report.mismatches.push(`position ${sym}: the broker holds ${broker}, the agent's records explain ${new Decimal(broker).minus(diff).toString()} (difference ${diff.toString()})`);
        }
      }

      // Contradictions the stream reported since the last run, checked against the broker now.
      for (const [orderId, what] of this.lifecycle.takeConflicts(accountId)) {
        const o = this.orders.get(orderId);
        if (!o) continue;
        // Fills beyond the order's quantity cannot be explained by any status the broker reports: the broker
        // placed it twice (at OANDA a late copy of a re-sent order, once the first had filled and freed its id).
        const fillsTotal = this.orders.fills(o.id).reduce((sum, f) => sum.plus(f.quantity), new Decimal(0));
        if (fillsTotal.greaterThan(o.quantity)) {
          report.mismatches.push(`order ${o.clientOrderId} (${o.side} ${o.quantity} ${o.symbol}) has fills of ${fillsTotal.toString()}: the broker placed it more than once; the position holds the extra ${fillsTotal.minus(o.quantity).toString()}`);
          continue;
        }
        const b = await adapter.orderByClientId(o.clientOrderId);
        if (b) this.lifecycle.applyBrokerOrder(o.id, b, 'reconciled');
        const now = this.orders.get(o.id)!;
        if (!b || b.status !== now.status) report.mismatches.push(`order ${o.clientOrderId}: ${what}; the broker now says ${b ? b.status : 'it does not have the order'}`);
      }

      if (deleted()) return report;
      this.orders.saveReconcileState(accountId, {
        fillsCursor: cursor,
        baseline: Object.fromEntries([...baseline].filter(([, v]) => !v.isZero()).map(([k, v]) => [k, v.toString()])),
        lastRunAt: at.toISOString(),
        lastResult: report.mismatches.length ? `mismatch: ${report.mismatches.join('; ')}` : 'ok',
      });
      if (report.mismatches.length) this.halt(report);
    } catch (err) {
      // The broker could not be asked: nothing is concluded; the next run tries again.
      this.log.warn({ accountId, trigger, err: (err as Error).message }, 'reconciliation could not reach the broker; will retry');
    }
    return report;
  }

  /**
   * An order the agent asked to cancel that the broker still shows working CANCEL_LOST_AFTER_MS after the last request
   * (the broker answered the cancel but never carried it out, or the request was lost on the way): the cancel is sent
   * again, with what was to follow it. A working report does not undo `cancel_pending` (state-machine.ts decideReport),
   * so without this the order would stay "being canceled" here while it can still fill there. True when sent again.
   */
  private async cancelAgain(o: OrderView, at: Date): Promise<boolean> {
    const last = this.orders.events(o.id).filter((e) => e.kind === 'cancel_request').at(-1);
    if (last && at.getTime() - Date.parse(last.at) < CANCEL_LOST_AFTER_MS) return false; // the broker may be on it now
    const next = (last?.data as { next?: CancelContext['next'] } | null | undefined)?.next;
    this.log.warn({ orderId: o.id, clientOrderId: o.clientOrderId, askedAt: last?.at }, 'an order asked to be canceled still works at the broker; asking again');
    await this.router.cancel(o.id, next !== undefined ? { next } : {});
    return true;
  }

  /** The trader checked the broker and wants its positions taken as they are: the baseline absorbs the difference. */
  async acceptBrokerPositions(accountId: string): Promise<void> {
    const adapter = this.router.adapter(accountId);
    if (!adapter) return;
    const positions = await adapter.positions();
    const state = this.orders.reconcileState(accountId);
    const baseline = new Map(Object.entries(state?.baseline ?? {}).map(([k, v]) => [k, new Decimal(v)]));
    for (const [sym, diff] of differences(positions, this.orders.netFilledBySymbol(accountId), baseline)) baseline.set(sym, (baseline.get(sym) ?? new Decimal(0)).plus(diff));
    this.orders.saveReconcileState(accountId, {
      fillsCursor: state?.fillsCursor,
      baseline: Object.fromEntries([...baseline].filter(([, v]) => !v.isZero()).map(([k, v]) => [k, v.toString()])),
      lastRunAt: this.now().toISOString(),
      lastResult: 'broker positions accepted by the trader',
    });
  }

  private async adoptFromBroker(accountId: string, f: Fill): Promise<OrderView | undefined> {
    const b = await this.router.adapter(accountId)?.orderByClientId(f.clientOrderId);
    return b?.parentClientOrderId ? this.router.orderFor(accountId, b, b) : undefined;
  }

  private halt(report: ReconcileReport): void {
    const reason = `RECONCILE_MISMATCH: ${report.mismatches.join('; ')}. Trading on this account is halted. Compare with the broker, correct the position there or accept the broker's positions, then resume trading.`;
    report.halted = true;
    const current = this.tradingState.effective(report.accountId);
    if (current.state === 'halted' && current.reason === reason) return; // already said; no notice every run
    this.log.error({ accountId: report.accountId, mismatches: report.mismatches, trigger: report.trigger }, 'reconciliation found a mismatch it cannot explain; account halted');
    this.tradingState.set('halted', reason, report.accountId);
    this.lifecycle.notice('error', `${this.router.accountLabel(report.accountId)}: ${reason}`, 'RECONCILE_MISMATCH');
  }
}

/** Broker position minus (baseline + our fills), per symbol, where not zero. */
function differences(positions: Position[], ours: Map<string, string>, baseline: Map<string, Decimal>): Map<string, Decimal> {
  const symbols = new Set([...positions.map((p) => p.symbol), ...ours.keys(), ...baseline.keys()]);
  const out = new Map<string, Decimal>();
  for (const s of symbols) {
    const broker = new Decimal(positions.find((p) => p.symbol === s)?.quantity ?? 0);
    const expected = new Decimal(ours.get(s) ?? 0).plus(baseline.get(s) ?? 0);
    const diff = broker.minus(expected);
    if (!diff.isZero()) out.set(s, diff);
  }
  return out;
}
