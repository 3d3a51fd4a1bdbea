import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../store/db.js';
import { SignalRepo } from '../store/signals.js';
import { StrategyRepo } from '../store/strategies.js';
import { AccountRepo } from '../store/accounts.js';
import type { InboxInsert } from '../store/inbox-db.js';
import { EventBus } from '../events.js';
import { createLogger } from '../log.js';
import { tempDir, eventually } from '../test-support/agent.js';
import { inboxRow } from '../test-support/inbox-rows.js';
import { SignalWorker, type WorkerDeps } from './worker.js';

let db: Db | undefined;
afterEach(() => db?.close());

describe('the worker reading the inbox', () => {
  it('takes the queued rows with one query when they are fewer than a batch (no second query to find none left)', async () => {
    db = openDatabase({ file: path.join(tempDir(), 'w.db') });
    const signals = new SignalRepo(db);
    signals.ingest('e1', [inboxRow(1), inboxRow(2), inboxRow(3)]);
    let reads = 0;
    const counted = Object.assign(Object.create(signals) as SignalRepo, {
      pending: (limit: number, after: number) => {
        reads++;
        return signals.pending(limit, after);
      },
    });
    // Their strategy ("st") does not exist: each is denied WEBHOOK_NOT_FOUND without any broker.
    const worker = new SignalWorker({ signals: counted, strategies: new StrategyRepo(db), bus: new EventBus(), log: createLogger({ level: 'silent', console: 'silent' }) } as unknown as WorkerDeps);
    worker.kick();
    expect(reads).toBe(1);
    await eventually(() => worker.backlog, (n) => n === 0);
    expect(signals.get('s3')?.status).toBe('denied');
    signals.ingest('e1', [inboxRow(4)]);
    worker.kick();
    expect(reads).toBe(2);
    await eventually(() => worker.backlog, (n) => n === 0);
    expect(signals.get('s4')?.status).toBe('denied');
  });
});

describe('the worker taking an alert', () => {
  it("gives the alert's price to the accounts that price from alerts in the commit of the processing mark", async () => {
    db = openDatabase({ file: path.join(tempDir(), 'w.db') });
    const d = db;
    const signals = new SignalRepo(d);
    const at = new Date().toISOString();
    new AccountRepo(d).insert({ id: 'acc1', name: 'Paper', broker: 'paper', environment: 'paper', config: {}, createdAt: at });
    new StrategyRepo(d).insert({ id: 'st', name: 'S', webhookId: 'wh_price', enabled: true, config: {}, accountIds: ['acc1'], createdAt: at });
    signals.ingest('e1', [inboxRow(1, { parsed: { symbol: 'AAPL', action: 'buy', price: '101.5' } as unknown as InboxInsert['parsed'] })]);
    const seen: { symbol: string; price: string; inTransaction: boolean; status: string | undefined }[] = [];
    // Prices from alerts like the paper broker; anything past that fails the alert, which this test does not look at.
    const adapter = {
      broker: 'paper',
      observePrice: (symbol: string, price: string) => seen.push({ symbol, price, inTransaction: d.inTransaction, status: signals.status('s1') }),
    };
    const worker = new SignalWorker({
      signals,
      strategies: new StrategyRepo(d),
      accounts: new AccountRepo(d),
      router: { adapter: () => adapter },
      bus: new EventBus(),
      log: createLogger({ level: 'silent', console: 'silent' }),
    } as unknown as WorkerDeps);
    worker.kick();
    await eventually(() => seen.length, (n) => n === 1);
    await worker.stop();
    expect(seen).toEqual([{ symbol: 'AAPL', price: '101.5', inTransaction: true, status: 'processing' }]);
  });
});
