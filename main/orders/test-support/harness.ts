// A lifecycle on a real database with the real paper broker, for the order tests.
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { openDatabase, type Db } from '../../store/db.js';
import { OrderRepo } from '../../store/orders.js';
import { PaperRepo } from '../../store/paper.js';
import { TradingStateRepo } from '../../store/settings.js';
import { AccountRepo } from '../../store/accounts.js';
import { EventBus } from '../../events.js';
import { createLogger } from '../../log.js';
import { TradingStateService } from '../../trading-state.js';
import { OrderLifecycle } from '../lifecycle.js';
import { OrderRouter, type RouterOptions } from '../router.js';
import { PaperBroker, type PaperConfig } from '../../brokers/paper/paper-broker.js';
import { tempDir } from '../../test-support/agent.js';
import type { AgentEvent } from '../../../shared/api-types.js';

export interface Harness {
  db: Db;
  file: string;
  orders: OrderRepo;
  paperRepo: PaperRepo;
  bus: EventBus;
  events: AgentEvent[];
  lifecycle: OrderLifecycle;
  router: OrderRouter;
  tradingState: TradingStateService;
  /** The account store the router names accounts from: empty unless a test names one (`nameAccount`). */
  accounts: AccountRepo;
  /** Stores a paper account under this id and name, so messages name it as the trader would. */
  nameAccount(accountId: string, name: string): void;
  log: ReturnType<typeof createLogger>;
  paper(accountId?: string, config?: Partial<PaperConfig>): PaperBroker;
  close(): void;
}

export function harness(routerOptions: Partial<RouterOptions> = {}, file = path.join(tempDir(), 'orders.db')): Harness {
  const db = openDatabase({ file });
  const orders = new OrderRepo(db);
  const paperRepo = new PaperRepo(db);
  const bus = new EventBus();
  const events: AgentEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const log = createLogger({ level: 'warn', console: 'silent' });
  const lifecycle = new OrderLifecycle(orders, bus, log);
  const router = new OrderRouter(orders, lifecycle, log, undefined, routerOptions);
  const tradingState = new TradingStateService(new TradingStateRepo(db), bus);
  router.configure(tradingState);
  const accounts = new AccountRepo(db);
  router.nameAccounts(accounts);
  return {
    db,
    file,
    orders,
    paperRepo,
    bus,
    events,
    lifecycle,
    router,
    tradingState,
    accounts,
    nameAccount: (id, name) => accounts.insert({ id, name, broker: 'paper', environment: 'paper', config: {}, createdAt: new Date().toISOString() }),
    log,
    paper: (accountId = 'acc1', config = {}) => new PaperBroker(accountId, paperRepo, config),
    close: () => {
      router.close();
      db.close();
    },
  };
}

/** Signed position per symbol from the agent's fills table, compared with the paper broker's books. */
export function positionsFromFills(db: Db, accountId: string): Record<string, string> {
  const out: Record<string, Decimal> = {};
  for (const f of db.prepare('SELECT symbol, side, quantity FROM fills WHERE account_id = ?').all(accountId) as { symbol: string; side: string; quantity: string }[]) {
    out[f.symbol] = (out[f.symbol] ?? new Decimal(0)).plus(f.side === 'buy' ? f.quantity : new Decimal(f.quantity).neg());
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => !v.isZero()).map(([k, v]) => [k, v.toString()]));
}

export function paperPositions(db: Db, accountId: string): Record<string, string> {
  return Object.fromEntries((db.prepare('SELECT symbol, quantity FROM paper_positions WHERE account_id = ?').all(accountId) as { symbol: string; quantity: string }[]).map((r) => [r.symbol, new Decimal(r.quantity).toString()]));
}
