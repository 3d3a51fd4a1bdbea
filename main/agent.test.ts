import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startTestAgent, tempDir, eventually, builtWebhookThreadEntry } from './test-support/agent.js';
import type { OrderView } from '../shared/api-types.js';
import { PaperBroker } from './brokers/paper/paper-broker.js';
import { finishesWithin } from './time-limit.js';
import { tokenFromHash } from '../renderer/src/api/token.js';
import { withNotCopied } from './agent.js';

describe('agent start and stop', () => {
  it('writes agent.json with pid, bound ports and UI URL, a 0600 token file, and removes agent.json on stop', async () => {
    const agent = await startTestAgent();
    const info = JSON.parse(fs.readFileSync(path.join(agent.dataDir, 'agent.json'), 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, webhookPort: agent.info.webhookPort, controlPort: agent.info.controlPort });
    expect(info.webhookPort).toBeGreaterThan(0);
    expect(info.uiUrl).toBe(`http://127.0.0.1:${agent.info.controlPort}/#token=${agent.token}`);
    expect(fs.statSync(path.join(agent.dataDir, 'control-token')).mode & 0o777).toBe(0o600);
    await agent.stop();
    expect(fs.existsSync(path.join(agent.dataDir, 'agent.json'))).toBe(false);
  });

  it('a control token with characters that end a fragment value (&, #, %, +) is encoded in the UI address, and read back whole', async () => {
    const token = 'tok&en#with%25+and=chars-0123456789';
    const agent = await startTestAgent({ controlToken: token });
    try {
      const url = new URL(agent.info.uiUrl);
      expect(new URLSearchParams(url.hash.slice(1)).get('token')).toBe(token); // what the desktop shell reads
      expect(tokenFromHash(url.hash)).toBe(token); // what the UI reads
      expect(tokenFromHash(url.hash.replace('#token=', '#/orders&token='))).toBe(token);
      expect((await agent.api('GET', '/api/status')).status).toBe(200);
    } finally {
      await agent.stop();
    }
  });

  it('refuses a second agent on the same data directory with a clear message', async () => {
    const agent = await startTestAgent();
    await expect(startTestAgent({ dataDir: agent.dataDir })).rejects.toThrow(/already running with the data directory/);
    await agent.stop();
  });

  it('takes over the lock of a crashed agent whose process is gone', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'agent.lock'), '999999999');
    const agent = await startTestAgent({ dataDir });
    expect(agent.info.pid).toBe(process.pid);
    await agent.stop();
  });

  it('uses VIEWZENIX_CONTROL_TOKEN when given', async () => {
    const agent = await startTestAgent({ controlToken: 'override-token-0123456789abcdef' });
    expect(agent.token).toBe('override-token-0123456789abcdef');
    await agent.stop();
  });

  it('seeds the paper account and demo strategy once', async () => {
    const agent = await startTestAgent();
    const dataDir = agent.dataDir;
    const first = await agent.api<{ items: { id: string; name: string }[] }>('GET', '/api/strategies');
    expect(first.body.items.map((s) => s.name)).toEqual(['Demo strategy']);
    await agent.stop();
    const again = await startTestAgent({ dataDir });
    const second = await again.api<{ items: { id: string }[] }>('GET', '/api/strategies');
    expect(second.body.items.map((s) => s.id)).toEqual(first.body.items.map((s) => s.id));
    await again.stop();
  });

  it('an alert re-sent after a restart is still a duplicate and places no second order', async () => {
    const agent = await startTestAgent();
    const hook = new URL(agent.demoWebhookUrl!).pathname;
    const body = JSON.stringify({ ticker: 'AAPL', action: 'buy', quantity: 1, price: 190, time: new Date().toISOString().slice(0, 19) + 'Z' });
    const first = await agent.post(hook, body);
    expect(first.status).toBe(202);
    await eventually(async () => (await agent.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items, (i) => i.length === 1 && i[0]!.status === 'filled');
    const dataDir = agent.dataDir;
    await agent.stop();
    const again = await startTestAgent({ dataDir });
    const second = await again.post(new URL(again.demoWebhookUrl!).pathname, body);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ status: 'duplicate', signalId: first.body.signalId });
    const orders = (await again.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items;
    expect(orders).toHaveLength(1);
    await again.stop();
  });

  it('while halted, an alert is stored but no order is sent, and the denial says why', async () => {
    const agent = await startTestAgent();
    await agent.api('PUT', '/api/trading-state', { state: 'halted' });
    const res = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
    expect(res.status).toBe(202);
    const signal = await eventually(
      async () => (await agent.api<{ status: string; code?: string }>('GET', `/api/signals/${res.body.signalId as string}`)).body,
      (s) => s.status !== 'queued' && s.status !== 'processing',
    );
    expect(signal).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    expect((await agent.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items).toHaveLength(0);
    await agent.stop();
  });

  it('a stale alert that would open a position is denied with STALE_ALERT and sends no order', async () => {
    const agent = await startTestAgent();
    const res = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"time":"2026-03-02T14:31:00Z"}');
    expect(res.status).toBe(202);
    const signal = await eventually(
      async () => (await agent.api<{ status: string; code?: string; message?: string }>('GET', `/api/signals/${res.body.signalId as string}`)).body,
      (s) => s.status === 'denied' || s.status === 'done',
    );
    expect(signal).toMatchObject({ status: 'denied', code: 'STALE_ALERT' });
    expect((await agent.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items).toHaveLength(0);
    await agent.stop();
  });

  it('a demo alert without a price: the paper broker rejects the market order, and the reason says how to fix the alert', async () => {
    const agent = await startTestAgent();
    const res = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"ZZZ","action":"buy","quantity":1}');
    expect(res.status).toBe(202);
    const orders = await eventually(
      async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${res.body.signalId as string}`)).body.items,
      (i) => i.length === 1 && i[0]!.status === 'rejected',
    );
    expect(orders[0]).toMatchObject({ symbol: 'ZZZ', status: 'rejected' });
    expect(orders[0]!.reason).toContain('no price known for ZZZ');
    expect(orders[0]!.reason).toContain('"price": "{{close}}"');
    // With the price, as the demo's example and the alert builder's templates send it, it fills (another symbol: the
    // duplicate-order guard would hold the same order sent moments ago).
    const priced = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"YYY","action":"buy","quantity":1,"price":"12.5"}');
    const filled = await eventually(
      async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${priced.body.signalId as string}`)).body.items,
      (i) => i.length === 1 && i[0]!.status === 'filled',
    );
    expect(filled[0]).toMatchObject({ status: 'filled' });
    await agent.stop();
  });

  it('flatten closes every position', async () => {
    const agent = await startTestAgent();
    const hook = new URL(agent.demoWebhookUrl!).pathname;
    await agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":3,"price":190}');
    await agent.post(hook, '{"ticker":"TSLA","action":"sell","quantity":2,"price":250}');
    await eventually(async () => (await agent.api<{ items: unknown[] }>('GET', '/api/positions')).body.items, (i) => i.length === 2);
    const res = await agent.api<{ closing: OrderView[] }>('POST', '/api/flatten', {});
    expect(res.body.closing).toHaveLength(2);
    const positions = await eventually(async () => (await agent.api<{ items: unknown[] }>('GET', '/api/positions')).body.items, (i) => i.length === 0);
    expect(positions).toEqual([]);
    await agent.stop();
  });
});

const logText = (dataDir: string): string =>
  fs
    .readdirSync(path.join(dataDir, 'logs'))
    .map((f) => fs.readFileSync(path.join(dataDir, 'logs', f), 'utf8'))
    .join('\n');

describe('an agent whose checkpoint thread died', () => {
  // A build whose checkpoint-thread.js throws as it loads; the thread dies before the agent has even started.
  const brokenEntry = (): string => {
    const file = path.join(tempDir(), 'checkpoint-thread.js');
    fs.writeFileSync(file, "throw new Error('checkpoint-thread.js failed to load');\n");
    return file;
  };

  it.each([
    { mode: 'in-process', overrides: { webhookThread: false } },
    { mode: 'thread', overrides: { webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() } },
  ])('keeps taking alerts and stops promptly, removing agent.json and the lock (webhook listener $mode)', async ({ overrides }) => {
    const agent = await startTestAgent({}, { ...overrides, checkpointThreadEntry: brokenEntry() });
    await new Promise((r) => setTimeout(r, 300)); // the thread has died by now
    const res = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
    expect(res.status).toBe(202);
    const status = await eventually(
      async () => (await agent.api<{ status: string }>('GET', `/api/signals/${res.body.signalId as string}`)).body.status,
      (s) => s === 'done',
    );
    expect(status).toBe('done');
    const started = Date.now();
    const stopped = await Promise.race([agent.stop().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5000))]);
    expect(stopped).toBe(true); // it used to wait forever for the dead thread's exit
    expect(Date.now() - started).toBeLessThan(3000);
    expect(fs.existsSync(path.join(agent.dataDir, 'agent.json'))).toBe(false);
    expect(fs.existsSync(path.join(agent.dataDir, 'agent.lock'))).toBe(false);
    const log = await eventually(() => logText(agent.dataDir), (t) => t.includes('agent stopped'));
    expect(log).toContain('the checkpoint thread stopped unexpectedly; restarting it');
    expect(log).toContain('checkpoint-thread.js failed to load');
  });
});

describe('a stop whose parts fail or hang', () => {
  const gone = (dataDir: string) => ({
    agentJson: fs.existsSync(path.join(dataDir, 'agent.json')),
    lock: fs.existsSync(path.join(dataDir, 'agent.lock')),
  });
  const refused = (port: number): Promise<boolean> =>
    fetch(`http://127.0.0.1:${port}/health`).then(
      () => false,
      () => true,
    );

  it('a part that fails is logged, and the rest of the stop still runs', async () => {
    const agent = await startTestAgent();
    const listener = agent.webhookListener;
    const close = listener.close.bind(listener);
    listener.close = async () => {
      await close();
      throw new Error('the listener failed to close');
    };
    await agent.stop();
    expect(gone(agent.dataDir)).toEqual({ agentJson: false, lock: false });
    expect(await refused(agent.info.controlPort)).toBe(true);
    expect(() => agent.db.prepare('SELECT 1').get()).toThrow(/not open/);
    // The log transport writes from its own thread: wait for the stop's last line to be on disk.
    const log = await eventually(() => logText(agent.dataDir), (t) => t.includes('agent stopped'));
    expect(log).toContain('stopping: the webhook listener failed; the agent stops all the same');
    expect(log).toContain('agent stopped');
  });

  it("the window's event stream is ended by the stop, not waited for and then cut off", async () => {
    const agent = await startTestAgent();
    const res = await fetch(`${agent.controlBase}/api/events`, { headers: { authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(200);
    // How the stream ends for the client: its end (the last chunk), or an error when the connection is cut (the
    // server used to wait 2 s for the stream, then close every connection).
    const ended = (async () => {
      for await (const _chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        // the ': connected' comment, and nothing else until the stop
      }
    })().then(
      () => 'ended',
      (err: Error) => `cut off: ${err.message}`,
    );
    expect(await finishesWithin(agent.stop(), 15_000)).toBe(true);
    expect(await ended).toBe('ended');
    expect(gone(agent.dataDir)).toEqual({ agentJson: false, lock: false });
  });

  it('a part that never finishes is logged and left behind after its limit: the stop ends, agent.json and the lock are removed', async () => {
    // A paper account whose broker connection never finishes disconnecting.
    const agent = await startTestAgent({}, { adapterFactory: (a, _creds, { paperRepo }) => (a.broker === 'paper' ? Object.assign(new PaperBroker(a.id, paperRepo), { disconnect: () => new Promise<void>(() => {}) }) : undefined) });
    const started = Date.now();
    expect(await finishesWithin(agent.stop(), 15_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(8000); // one part's limit (5 s) and the rest
    expect(gone(agent.dataDir)).toEqual({ agentJson: false, lock: false });
    expect(await refused(agent.info.controlPort)).toBe(true);
    expect(await refused(agent.info.webhookPort)).toBe(true);
    const log = await eventually(() => logText(agent.dataDir), (t) => t.includes('agent stopped'));
    expect(log).toContain('stopping: the broker connections did not finish in time; the agent stops without waiting for it');
    expect(log).toContain('agent stopped');
  });
});

describe('the status counts of signals', () => {
  it('count the alerts an alert storm left in inbox.db with the copied ones, by status', () => {
    expect(withNotCopied({ queued: 2, done: 5 }, { queued: 300, rejected: 4 })).toEqual({ queued: 302, done: 5, rejected: 4 });
    expect(withNotCopied({ done: 1 }, {})).toEqual({ done: 1 });
  });
});
