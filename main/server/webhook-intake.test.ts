import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import pino from 'pino';
import { InboxStore, openInboxDatabase } from '../store/inbox-db.js';
import { openDatabase } from '../store/db.js';
import { SignalRepo } from '../store/signals.js';
import type { StrategyRepo } from '../store/strategies.js';
import { tempDir } from '../test-support/agent.js';
import { inboxInsert, inboxRow } from '../test-support/inbox-rows.js';
import { openIntake, type Intake } from './webhook-intake.js';

const waitUntil = async (check: () => boolean, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('the intake during an alert storm', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  function setup() {
    const dir = tempDir();
    const inboxFile = path.join(dir, 'inbox.db');
    const mainDb = openDatabase({ file: path.join(dir, 'viewzenix.db') });
    const signals = new SignalRepo(mainDb);
    let copiedCalls = 0;
    const intake: Intake = openIntake({
      dbFile: path.join(dir, 'viewzenix.db'),
      inboxFile,
      host: '127.0.0.1',
      port: 0,
      strategies: {} as StrategyRepo,
      signals,
      log: pino({ level: 'silent' }),
      onCopied: () => copiedCalls++,
      checkpointThreadEntry: path.join(dir, 'no-such-entry.js'),
    });
    const writerDb = openInboxDatabase(inboxFile);
    const store = new InboxStore(writerDb);
    let closing: Promise<void> | undefined;
    const closeIntake = (): Promise<void> => (closing ??= intake.close());
    open.push(mainDb, { close: closeIntake }, writerDb);
    let n = 0;
    /** Commits `count` alerts (every tenth rejected) and reports them to the intake as the writer would. */
    const receive = (count: number): void => {
      store.commitBatch(Array.from({ length: count }, () => (++n % 10 === 0 ? inboxInsert(n, { status: 'rejected', code: 'INVALID_JSON', dedupeKey: undefined }) : inboxInsert(n))));
      store.syncCommittedNow();
      intake.copy(store.lastCommittedSeq(), store.takeCommitted());
      intake.durable(store.lastDurableSeq());
    };
    const stored = (): number => (mainDb.prepare('SELECT count(*) AS n FROM signals').get() as { n: number }).n;
    return { intake, signals, receive, stored, closeIntake, copiedCalls: () => copiedCalls };
  }

  it('copies nothing ahead of a worker that has enough, counts what waits in inbox.db, and copies it all once the storm passes', async () => {
    const { intake, receive, stored, copiedCalls } = setup();
    let storm = true;
    let wanted = false;
    intake.followStorm(() => storm, () => wanted);
    receive(1_200);
    await new Promise((r) => setTimeout(r, 120));
    expect(stored()).toBe(0);
    expect(copiedCalls()).toBe(0);
    expect(intake.notCopied()).toEqual({ queued: 1_080, rejected: 120 });

    // The worker asks for more: a small step, not the flood.
    wanted = true;
    await waitUntil(() => stored() > 0);
    expect(stored()).toBe(100);
    wanted = false;
    await new Promise((r) => setTimeout(r, 120));
    expect(stored()).toBe(100);
    expect(intake.notCopied()).toEqual({ queued: 990, rejected: 110 });

    // The storm is over: the rest is copied, in steps, without another report arriving.
    storm = false;
    await waitUntil(() => stored() === 1_200);
    expect(intake.notCopied()).toEqual({});
  });

  it('outside a storm copies every reported row at once, whatever the worker says', async () => {
    const { intake, receive, stored } = setup();
    intake.followStorm(() => false, () => false);
    receive(3);
    expect(stored()).toBe(3);
    expect(intake.notCopied()).toEqual({});
  });

  it('lists every answered alert during a storm, copied or still waiting in inbox.db, with the filters applied to both', async () => {
    const { intake, receive, signals, stored } = setup();
    let wanted = false;
    intake.followStorm(() => true, () => wanted);
    receive(150);
    wanted = true; // the worker takes a step: rows 1–100 are copied, the rest wait
    await waitUntil(() => stored() > 0);
    wanted = false;
    receive(150);
    await new Promise((r) => setTimeout(r, 60));
    expect(stored()).toBe(100);
    expect(intake.notCopied()).toEqual({ queued: 180, rejected: 20 });

    // Newest first, each alert once, the waiting ones as they will be copied (rows 1–300: s1 … s300, every tenth
    // rejected at the webhook).
    const all = Array.from({ length: 300 }, (_, i) => `s${300 - i}`);
    expect(signals.list({ limit: 5000 }).map((s) => s.id)).toEqual(all);
    const listed = signals.list({ limit: 5000 });
    expect(listed.find((s) => s.id === 's299')).toMatchObject({ strategyId: 'st', status: 'queued', symbol: 'AAPL', rawBody: '{"ticker":"AAPL","action":"buy","i":299}', parsed: { symbol: 'AAPL', action: 'buy' } });
    expect(listed.find((s) => s.id === 's260')).toMatchObject({ status: 'rejected', code: 'INVALID_JSON' });
    signals.get('s250'); // asking for one alert copies up to it: the list stays the same
    expect(stored()).toBe(250);
    expect(signals.list({ limit: 5000 })).toEqual(listed);

    // A limit cuts the newest; one reaching past the waiting rows goes on with the copied ones.
    expect(signals.list({ limit: 3 }).map((s) => s.id)).toEqual(['s300', 's299', 's298']);
    expect(signals.list({ limit: 53 }).map((s) => s.id)).toEqual(all.slice(0, 53));
    expect(signals.list({ status: 'rejected', limit: 5000 }).map((s) => s.id)).toEqual(all.filter((id) => Number(id.slice(1)) % 10 === 0));
    expect(signals.list({ status: 'queued', limit: 5 }).map((s) => s.id)).toEqual(['s299', 's298', 's297', 's296', 's295']);
    expect(signals.list({ status: 'done', limit: 5000 })).toEqual([]);
    expect(signals.list({ strategyId: 'other', limit: 5000 })).toEqual([]);
    expect(signals.list({ strategyId: 'st', limit: 5000 })).toHaveLength(300);

    // A waiting alert whose dedupe key is stored already will not be copied: it is not listed either.
    signals.ingest('elsewhere', [inboxRow(999, { id: 'x', dedupeKey: 'k299' })]);
    expect(signals.list({ limit: 3 }).map((s) => s.id)).toEqual(['s300', 's298', 's297']);
  });

  it('closing copies what waits in inbox.db, storm or not', async () => {
    const { intake, receive, signals, closeIntake } = setup();
    intake.followStorm(() => true, () => false);
    receive(700);
    expect(signals.countByStatus()).toEqual({});
    await closeIntake();
    expect(signals.countByStatus()).toEqual({ queued: 630, rejected: 70 });
  });
});
