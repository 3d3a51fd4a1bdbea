import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../store/db.js';
import { SignalRepo } from '../store/signals.js';
import { StrategyRepo } from '../store/strategies.js';
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
