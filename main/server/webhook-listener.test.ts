import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestAgent, builtWebhookThreadEntry, tempDir, eventually } from '../test-support/agent.js';
import { arrivalRate } from './webhook-listener.js';
import { InboxStore, openInboxDatabase } from '../store/inbox-db.js';
import { openDatabase } from '../store/db.js';
import { finishesWithin } from '../time-limit.js';

const refused = (port: number): Promise<boolean> =>
  fetch(`http://127.0.0.1:${port}/health`).then(
    () => false,
    () => true,
  );
const logText = (dataDir: string): string =>
  fs
    .readdirSync(path.join(dataDir, 'logs'))
    .map((f) => fs.readFileSync(path.join(dataDir, 'logs', f), 'utf8'))
    .join('\n');

describe('webhook listener thread lifecycle', () => {
  it('an agent stopped between a thread crash and its restart stops cleanly, and no thread is left listening', async () => {
    const agent = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() });
    expect(agent.webhookMode).toBe('thread');
    const port = agent.info.webhookPort;
    await agent.webhookListener.terminateThread!();
    await agent.stop(); // would never resolve if it waited for the dead thread's exit
    expect(fs.existsSync(path.join(agent.dataDir, 'agent.json'))).toBe(false);
    expect(await refused(port)).toBe(true);
  });

  it('a thread that does not stop when asked is ended after the limit: the agent stops, and the alert it answered is kept', async () => {
    // The built thread, deaf to the close message.
    const entry = path.join(tempDir(), 'deaf-webhook-thread.mjs');
    fs.writeFileSync(
      entry,
      [
        "import { parentPort } from 'node:worker_threads';",
        'const on = parentPort.on.bind(parentPort);',
        "parentPort.on = (event, listener) => on(event, event === 'message' ? (m) => { if (m.type !== 'close') listener(m); } : listener);",
        `await import(${JSON.stringify(pathToFileURL(builtWebhookThreadEntry()).href)});`,
      ].join('\n'),
    );
    const agent = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: entry });
    expect(agent.webhookMode).toBe('thread');
    const port = agent.info.webhookPort;
    const res = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"before-stop"}');
    expect(res.status).toBe(202);
    const started = Date.now();
    expect(await finishesWithin(agent.stop(), 15_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(8000); // the thread's limit (4 s), then it is ended
    expect(fs.existsSync(path.join(agent.dataDir, 'agent.json'))).toBe(false);
    expect(fs.existsSync(path.join(agent.dataDir, 'agent.lock'))).toBe(false);
    expect(await refused(port)).toBe(true);
    expect(logText(agent.dataDir)).toContain('the webhook thread did not stop in time; ending it');
    const db = openDatabase({ file: path.join(agent.dataDir, 'viewzenix.db'), readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM signals WHERE id = ?').get(res.body.signalId)).toEqual({ n: 1 });
    db.close();
  });

  /**
   * A thread entry that counts its starts in `starts` and each close message it is sent in `closes`: the built
   * thread at its first start, `later` (module code) at the next ones.
   */
  const restartingEntry = (later: string): { entry: string; starts: string; closes: string } => {
    const dir = tempDir();
    const entry = path.join(dir, 'restarting-webhook-thread.mjs');
    const starts = path.join(dir, 'starts');
    const closes = path.join(dir, 'closes');
    fs.writeFileSync(
      entry,
      [
        "import fs from 'node:fs';",
        "import { parentPort } from 'node:worker_threads';",
        `fs.appendFileSync(${JSON.stringify(starts)}, 'x');`,
        `parentPort.on('message', (m) => { if (m.type === 'close') fs.appendFileSync(${JSON.stringify(closes)}, 'x'); });`,
        `const real = () => import(${JSON.stringify(pathToFileURL(builtWebhookThreadEntry()).href)});`,
        `if (fs.readFileSync(${JSON.stringify(starts)}, 'utf8').length === 1) await real();`,
        `else { ${later} }`,
      ].join('\n'),
    );
    return { entry, starts, closes };
  };
  const timesOf = (file: string): number => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').length : 0);
  /** How long the listener's own stop takes (the agent's stop, which runs it first, then finds it done). */
  const listenerStopMs = async (agent: Awaited<ReturnType<typeof startTestAgent>>): Promise<number> => {
    const started = Date.now();
    expect(await finishesWithin(agent.webhookListener.close(), 15_000)).toBe(true);
    return Date.now() - started;
  };

  it('a restarted thread that never gets to listen is ended at once when the agent stops', async () => {
    const thread = restartingEntry('setInterval(() => {}, 1000);'); // loads and never listens
    const agent = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: thread.entry });
    await agent.webhookListener.terminateThread!();
    await eventually(() => timesOf(thread.starts), (n) => n === 2); // restarted (0.2 s)
    await new Promise((r) => setTimeout(r, 100));
    // It has not listened: it has received nothing, and is not waited for (it used to be, 4 s).
    expect(await listenerStopMs(agent)).toBeLessThan(2000);
    expect(await finishesWithin(agent.stop(), 15_000)).toBe(true);
    expect(fs.existsSync(path.join(agent.dataDir, 'agent.json'))).toBe(false);
    const log = logText(agent.dataDir);
    expect(log).toContain('the agent stops while the webhook thread is being restarted; ending it');
    expect(log).not.toContain('could not be restarted');
    expect(log).not.toContain('did not start listening in time');
  });

  it('a restarted thread slow to start (a loaded machine) is ended at once when the agent stops, not waited for; the alerts answered before are kept', async () => {
    // It would listen after 3 s (notes that it woke), and close when asked from then on.
    const awake = path.join(tempDir(), 'awake');
    const thread = restartingEntry(`await new Promise((r) => setTimeout(r, 3000));\nfs.appendFileSync(${JSON.stringify(awake)}, 'x');\nawait real();`);
    const agent = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: thread.entry });
    const port = agent.info.webhookPort;
    const res = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"before-crash"}');
    expect(res.status).toBe(202);
    await agent.webhookListener.terminateThread!();
    await eventually(() => timesOf(thread.starts), (n) => n === 2);
    expect(await listenerStopMs(agent)).toBeLessThan(2000);
    expect(await finishesWithin(agent.stop(), 15_000)).toBe(true);
    expect(timesOf(thread.closes)).toBe(0); // ended, not asked to close
    expect(await refused(port)).toBe(true);
    await new Promise((r) => setTimeout(r, 3500));
    expect(timesOf(awake)).toBe(0); // gone: it never woke to listen
    expect(await refused(port)).toBe(true);
    const db = openDatabase({ file: path.join(agent.dataDir, 'viewzenix.db'), readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM signals WHERE id = ?').get(res.body.signalId)).toEqual({ n: 1 });
    db.close();
    expect(logText(agent.dataDir)).not.toContain('could not be restarted');
  });

  it('a restarted thread that listens is closed as the first one would be: what it answered is kept', async () => {
    const thread = restartingEntry('await real();');
    const agent = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: thread.entry });
    const hook = new URL(agent.demoWebhookUrl!).pathname;
    await agent.webhookListener.terminateThread!();
    const res = await eventually(
      async () => agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"after-restart"}').catch(() => ({ status: 0, body: {} as Record<string, unknown> })),
      (r) => r.status === 202,
      15_000,
    );
    expect(res.status).toBe(202);
    expect(timesOf(thread.starts)).toBe(2);
    expect(await finishesWithin(agent.stop(), 15_000)).toBe(true);
    expect(timesOf(thread.closes)).toBe(1); // asked to close (it finishes what it received), not ended
    const log = logText(agent.dataDir);
    expect(log).not.toContain('ending it');
    const db = openDatabase({ file: path.join(agent.dataDir, 'viewzenix.db'), readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM signals WHERE id = ?').get(res.body.signalId)).toEqual({ n: 1 });
    db.close();
  });

  /** A thread entry that reads `mode` at each start: "real" runs the built thread, "hang" loads and never listens. */
  const switchableEntry = (): { entry: string; starts: string; setMode: (m: 'real' | 'hang') => void } => {
    const dir = tempDir();
    const entry = path.join(dir, 'switchable-webhook-thread.mjs');
    const mode = path.join(dir, 'mode');
    const starts = path.join(dir, 'starts');
    fs.writeFileSync(mode, 'real');
    fs.writeFileSync(
      entry,
      [
        "import fs from 'node:fs';",
        `fs.appendFileSync(${JSON.stringify(starts)}, 'x');`,
        `if (fs.readFileSync(${JSON.stringify(mode)}, 'utf8') === 'real') await import(${JSON.stringify(pathToFileURL(builtWebhookThreadEntry()).href)});`,
        'else setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    return { entry, starts, setMode: (m) => fs.writeFileSync(mode, m) };
  };

  it('a restart that fails is tried again until a thread listens; meanwhile the status says the listener is down', async () => {
    const thread = switchableEntry();
    const agent = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: thread.entry, webhookThreadStartLimitMs: 3000 });
    try {
      expect(agent.webhookMode).toBe('thread');
      const hook = new URL(agent.demoWebhookUrl!).pathname;
      thread.setMode('hang');
      await agent.webhookListener.terminateThread!();
      // Two restarts that never listen, each ended after the start limit, and the listener still down.
      await eventually(() => timesOf(thread.starts), (n) => n >= 3, 20_000);
      const down = await agent.api<{ webhook: { listening: boolean } }>('GET', '/api/status');
      expect(down.body.webhook.listening).toBe(false);
      thread.setMode('real');
      const res = await eventually(
        async () => agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"after-failed-restarts"}').catch(() => ({ status: 0, body: {} })),
        (r) => r.status === 202,
        15_000,
      );
      expect(res.status).toBe(202);
      const up = await agent.api<{ webhook: { listening: boolean; restarts: number } }>('GET', '/api/status');
      expect(up.body.webhook).toMatchObject({ listening: true, restarts: 1 });
      const log = logText(agent.dataDir);
      expect(log).toContain('the webhook thread did not start listening in time; ending it');
      expect(log).toContain('the webhook listener could not be restarted: alerts are not received; trying again');
      expect(log).toContain('the webhook listener is receiving alerts again');
    } finally {
      await agent.stop();
    }
  });

  it('a thread that never listens at start-up is ended after the limit, and the listener runs on the main thread', async () => {
    const thread = switchableEntry();
    thread.setMode('hang');
    // Long enough for a busy machine to start the thread at all (it must run its first line), far below the 10 s default.
    const agent = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: thread.entry, webhookThreadStartLimitMs: 1500 });
    try {
      expect(agent.webhookMode).toBe('in-process');
      expect(timesOf(thread.starts)).toBe(1);
      const res = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"hung-thread"}');
      expect(res.status).toBe(202);
      expect(logText(agent.dataDir)).toContain('the webhook thread did not start listening in time; ending it');
    } finally {
      await agent.stop();
    }
  });

  it('the listener refuses a port that is taken, as the main thread would (EADDRINUSE), and the agent does not start', async () => {
    const first = await startTestAgent({}, { webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() });
    try {
      await expect(startTestAgent({ webhookPort: first.info.webhookPort }, { webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.stop();
    }
  });
});

describe('alert storm detection', () => {
  it('compares the arrival rate over windows of at least 20 ms with the threshold, and calms down when alerts stop', () => {
    let now = 0;
    const stats = { received: 0 };
    const storm = arrivalRate(stats, () => now);
    expect(storm(1)).toBe(false);
    stats.received += 10;
    now = 10;
    expect(storm(1)).toBe(false); // a window shorter than 20 ms is not judged yet
    stats.received += 30;
    now = 20;
    expect(storm(1)).toBe(true); // 40 alerts in 20 ms: 2 per ms
    expect(storm(3)).toBe(false);
    now = 25;
    expect(storm(1)).toBe(true); // the last full window's rate holds until the next one
    stats.received += 5;
    now = 45;
    expect(storm(1)).toBe(false); // 5 alerts in 25 ms
  });
});

describe('a damaged inbox.db', () => {
  it('is moved aside, not fatal: the agent starts on a new one, and alerts received before stay duplicates', async () => {
    const dataDir = tempDir();
    const body = '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"before-damage"}';
    const first = await startTestAgent({ dataDir });
    const hook = new URL(first.demoWebhookUrl!).pathname;
    const before = await first.post(hook, body);
    expect(before.status).toBe(202);
    await first.stop();
    fs.writeFileSync(path.join(dataDir, 'inbox.db'), Buffer.alloc(8192, 7)); // not a database any more
    const again = await startTestAgent({ dataDir });
    try {
      const aside = fs.readdirSync(dataDir).filter((f) => f.startsWith('inbox.db.corrupt-'));
      expect(aside.length).toBeGreaterThanOrEqual(1);
      const kept = fs.readFileSync(path.join(dataDir, aside.find((f) => !f.endsWith('-wal') && !f.endsWith('-shm'))!));
      expect(kept.subarray(0, 8192)).toEqual(Buffer.alloc(8192, 7)); // the damaged file itself, kept for inspection
      // The new inbox took the dedupe keys over from the agent database.
      const resent = await again.post(hook, body);
      expect(resent.status).toBe(200);
      expect(resent.body.signalId).toBe(before.body.signalId);
      const fresh = await again.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"after-damage"}');
      expect(fresh.status).toBe(202);
    } finally {
      await again.stop();
    }
  });
});

describe('a copy into the agent database that fails', () => {
  it('ends nothing and loses nothing: the alert, answered 202, is copied and processed once the database takes writes again', async () => {
    const agent = await startTestAgent({}, { webhookThread: false });
    try {
      const hook = new URL(agent.demoWebhookUrl!).pathname;
      // The agent's own connection refuses new signals while the flag row exists.
      agent.db.exec("CREATE TEMP TABLE refuse (x); INSERT INTO refuse VALUES (1); CREATE TEMP TRIGGER refuse_signals BEFORE INSERT ON main.signals WHEN EXISTS (SELECT 1 FROM temp.refuse) BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;");
      const res = await agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"copy-fails"}');
      expect(res.status).toBe(202);
      const signalId = res.body.signalId as string;
      expect((await agent.api('GET', `/api/signals/${signalId}`)).status).toBe(404); // not copied yet
      agent.db.exec('DELETE FROM temp.refuse');
      const done = await eventually(
        async () => (await agent.api<{ status: string }>('GET', `/api/signals/${signalId}`)).body.status,
        (status) => status === 'done',
        10_000,
      );
      expect(done).toBe('done');
    } finally {
      await agent.stop();
    }
  });
});

describe('an alert copied and planned while its inbox commit is being synced', () => {
  it('is sent to the broker only once it is on disk, when it is also answered', async () => {
    const agent = await startTestAgent({}, { webhookThread: false });
    const realSync = InboxStore.prototype.syncCommitted;
    let release!: () => void;
    const disk = new Promise<void>((resolve) => (release = resolve));
    InboxStore.prototype.syncCommitted = async function (this: InboxStore) {
      await disk;
      return realSync.call(this);
    };
    try {
      const hook = new URL(agent.demoWebhookUrl!).pathname;
      let answered = false;
      const answer = agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"held-sync"}').finally(() => (answered = true));
      const latest = () => agent.db.prepare('SELECT id, status FROM signals ORDER BY seq DESC LIMIT 1').get() as { id: string; status: string } | undefined;
      const planned = await eventually(latest, (r) => r?.status === 'processing');
      expect(planned?.status).toBe('processing'); // copied and taken by the worker before the sync
      // Checked against the risk rules and stored meanwhile, but held before the broker call.
      const ordersOf = () => agent.db.prepare('SELECT client_order_id AS clientOrderId, status FROM orders WHERE signal_id = ?').all(planned!.id) as { clientOrderId: string; status: string }[];
      await eventually(ordersOf, (o) => o.length === 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      const [stored] = ordersOf();
      expect(ordersOf()).toEqual([{ clientOrderId: stored!.clientOrderId, status: 'submitting' }]);
      expect(agent.db.prepare('SELECT count(*) AS n FROM paper_orders WHERE client_order_id = ?').get(stored!.clientOrderId)).toEqual({ n: 0 });
      expect(latest()?.status).toBe('processing');
      release();
      const res = await answer;
      expect(res).toMatchObject({ status: 202, body: { signalId: planned!.id } });
      const done = await eventually(
        async () => (await agent.api<{ status: string }>('GET', `/api/signals/${planned!.id}`)).body.status,
        (status) => status === 'done',
      );
      expect(done).toBe('done');
      expect(agent.db.prepare("SELECT count(*) AS n FROM orders WHERE signal_id = ? AND status = 'filled'").get(planned!.id)).toEqual({ n: 1 });
    } finally {
      InboxStore.prototype.syncCommitted = realSync;
      release();
      await agent.stop();
    }
  });
});

describe('an inbox.db that lost its last alerts after they were copied (a power loss before their sync)', () => {
  it('continues under a new name: later alerts are copied and processed, and a re-send of a lost one is its duplicate', async () => {
    const dataDir = tempDir();
    const body = (id: string) => `{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"${id}"}`;
    const first = await startTestAgent({ dataDir });
    const hook = new URL(first.demoWebhookUrl!).pathname;
    const answers = [];
    for (const id of ['tail-1', 'tail-2', 'tail-3']) answers.push(await first.post(hook, body(id)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    await first.stop();
    // The power went before the last two rows' sync: inbox.db comes back without them; viewzenix.db kept their copies.
    const inbox = openInboxDatabase(path.join(dataDir, 'inbox.db'));
    const newest = (inbox.prepare('SELECT max(seq) AS seq FROM alerts').get() as { seq: number }).seq;
    inbox.prepare('DELETE FROM alerts WHERE seq > ?').run(newest - 2);
    inbox.prepare("DELETE FROM dedupe WHERE key LIKE '%tail-2%' OR key LIKE '%tail-3%'").run();
    inbox.close();
    const again = await startTestAgent({ dataDir });
    try {
      const fresh = await again.post(hook, '{"ticker":"MSFT","action":"buy","quantity":1,"price":420,"id":"after-loss"}');
      expect(fresh.status).toBe(202);
      const status = await eventually(
        async () => (await again.api<{ status?: string }>('GET', `/api/signals/${fresh.body.signalId as string}`)).body.status,
        (s) => s === 'done',
      );
      expect(status).toBe('done');
      const resent = await again.post(hook, body('tail-3'));
      expect(resent).toMatchObject({ status: 200, body: { signalId: answers[2]!.body.signalId } });
    } finally {
      await again.stop();
    }
  });
});
