// Processes the inbox in arrival order. Work for one strategy and symbol runs strictly in order (an exit, then
// the reversal that follows); other symbols proceed in parallel. A row that keeps failing is set aside with its
// reason and never blocks the others. On start, rows left half-done by a crash are resumed first; the
// deterministic client order ids make a resumed row unable to place a second order.
import type { SignalRepo, QueuedSignal } from '../store/signals.js';
import type { StrategyRepo } from '../store/strategies.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../events.js';
import type { OrderRouter } from '../orders/router.js';
import type { OrderLifecycle } from '../orders/lifecycle.js';
import type { TradingStateService } from '../trading-state.js';
import type { OrderRequest } from '../brokers/port.js';
import { KeyedQueue } from '../orders/keyed-queue.js';
import { clientOrderId } from '../ids.js';
import { basicPlan } from './basic-plan.js';
import { isTerminal } from '../../shared/order-status.js';

export interface WorkerDeps {
  signals: SignalRepo;
  strategies: StrategyRepo;
  router: OrderRouter;
  lifecycle: OrderLifecycle;
  tradingState: TradingStateService;
  bus: EventBus;
  log: Logger;
  now?: () => string;
  /** How long the next alert for a symbol waits for a market order to fill. */
  fillWaitMs?: number;
  maxAttempts?: number;
}

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

  constructor(private readonly d: WorkerDeps) {
    this.now = d.now ?? (() => new Date().toISOString());
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
        for (;;) {
          const rows = this.d.signals.pending(500, this.lastSeq);
          if (rows.length === 0) break;
          for (const row of rows) {
            this.lastSeq = Math.max(this.lastSeq, row.seq);
            this.dispatch(row);
          }
        }
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
      .run(key, () => this.process(row))
      .catch((err: unknown) => this.failed(row, err))
      .finally(() => this.inFlight.delete(row.id));
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
    const { signals, strategies, router, tradingState, log } = this.d;
    signals.markProcessing(row.id);
    const signal = row.parsed;
    const strategy = strategies.get(row.strategyId);
    if (!strategy || !strategy.enabled) {
      signals.finish(row.id, 'denied', this.now(), 'WEBHOOK_NOT_FOUND', 'The strategy was deleted or disabled before the alert was processed.');
      return;
    }
    let placed = 0;
    let firstDenial: { code: string; detail: string } | undefined;
    for (const accountId of strategy.accountIds) {
      const adapter = router.adapter(accountId);
      if (!adapter) {
        firstDenial ??= { code: 'ACCOUNT_UNAVAILABLE', detail: `ACCOUNT_UNAVAILABLE: account=${accountId}` };
        signals.recordDecision({ signalId: row.id, accountId, verdict: 'denied', code: 'ACCOUNT_UNAVAILABLE', detail: firstDenial.detail, at: this.now() });
        continue;
      }
      if (signal.price && isPriceFed(adapter)) adapter.observePrice(signal.symbol, signal.price);
      const positions = await adapter.positions();
      const position = positions.find((p) => p.symbol === signal.symbol)?.quantity ?? '0';
      const state = tradingState.effective(accountId);
      const plan = basicPlan(signal, position, state.state);
      if (!plan.ok) {
        firstDenial ??= { code: plan.code, detail: plan.detail };
        signals.recordDecision({ signalId: row.id, accountId, verdict: 'denied', code: plan.code, detail: plan.detail, at: this.now() });
        continue;
      }
      signals.recordDecision({ signalId: row.id, accountId, verdict: 'order', data: { intents: plan.intents }, at: this.now() });
      for (const intent of plan.intents) {
        const request: OrderRequest = {
          clientOrderId: clientOrderId(row.id, accountId, intent.leg),
          symbol: signal.symbol,
          side: intent.side,
          type: 'market',
          quantity: intent.quantity,
          timeInForce: 'day',
          referencePrice: signal.price,
          reduceOnly: intent.leg === 'exit' ? true : undefined,
        };
        const order = await router.submit(request, { accountId, signalId: row.id, strategyId: strategy.id, leg: intent.leg });
        placed++;
        if (!isTerminal(order.status)) {
          // The next alert for this symbol waits for this one to settle (exit before reverse).
          const settled = await this.d.lifecycle.waitForTerminal(order.id, this.d.fillWaitMs ?? 30_000);
          if (!isTerminal(settled.status)) log.warn({ orderId: order.id, status: settled.status }, 'order not settled in time; continuing with the next alert');
        }
      }
    }
    const status = placed > 0 ? 'done' : 'denied';
    signals.finish(row.id, status, this.now(), placed > 0 ? undefined : firstDenial?.code, placed > 0 ? undefined : firstDenial?.detail);
    this.d.bus.publish({ type: 'signal', signal: { id: row.id, strategyId: row.strategyId, status, code: placed > 0 ? undefined : firstDenial?.code, symbol: signal.symbol } });
  }

  /** Stops taking new rows and waits for the ones in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue.drain();
  }
}
