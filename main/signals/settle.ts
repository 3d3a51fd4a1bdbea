// Settling an alert's final status from what it did for each account: `done` when an order of it reached the broker
// (or may have), or it acted without orders; `denied` with why when none did. A finished alert is restated when its
// orders change later: one closed without reaching the broker may mean it did not trade after all, and a fill of an
// order held as never sent that it did.
import type { OrderView } from '../../shared/api-types.js';
import { neverSent } from '../orders/never-sent.js';
import type { WorkerDeps } from './worker.js';

/**
 * What an alert did for one account: the orders it placed (as last seen) and, without orders, whether it acted all
 * the same (`acted`: a cancel-only alert canceled, or orders were held for approval). An account whose orders all
 * closed without reaching the broker did not trade: its alert is not `done` for them (`settle`).
 */
export type Outcome = { orders: OrderView[]; acted?: boolean; denial?: { code: string; detail: string } };

/** Canceled or rejected with nothing filled: perhaps closed before it reached the broker (`neverSent` tells). */
const closedUnfilled = (o: OrderView): boolean => (o.status === 'canceled' || o.status === 'rejected') && Number(o.filledQuantity) === 0;

export class Settlement {
  /** Signals being processed whose final status is not written yet. */
  readonly unsettled = new Set<string>();
  /** Of those, the ones an order of which was closed unsent after the worker last looked at it (read again at the end). */
  readonly recheck = new Set<string>();

  constructor(
    private readonly d: Pick<WorkerDeps, 'signals' | 'orders' | 'log' | 'bus'>,
    private readonly stopped: () => boolean,
  ) {}

  /**
   * Whether the alert acted, and else the denial its signal shows. An account acted when one of its orders reached
   * the broker (or may have: one still in flight counts), or it acted without orders. An account whose orders were
   * all closed before reaching the broker (trading halted while they waited, or start-up reconciliation found them
   * absent and did not send them again) did not trade: its denial is why they were not sent.
   */
  settle(signalId: string, outcomes: readonly Outcome[]): { acted: boolean; denial?: Outcome['denial'] } {
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
  orderChanged(o: OrderView): void {
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
      if (this.stopped()) return;
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
}
