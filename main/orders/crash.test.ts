// Crash recovery: an agent in a child process with orders in flight is killed with SIGKILL, then started again.
// Start-up reconciliation must run before any new order, and afterwards the agent's order book and fills must
// match the paper broker's books exactly (no order lost, none doubled).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase, type Db } from '../store/db.js';
import { tempDir, eventually } from '../test-support/agent.js';
import { paperPositions, positionsFromFills } from './test-support/harness.js';

const root = path.resolve(import.meta.dirname, '../..');
const dist = (p: string) => pathToFileURL(path.join(root, 'dist', p)).href;

// The child: a real agent (startAgent) whose paper account answers submits slowly or loses the answer after the
// broker took the order, and loses every stream update, when FAULTY=1 (FAULTS: which of those faults, comma
// separated; 'slow' alone keeps every order from reaching the broker). It prints its webhook URL, control API
// address and token when ready.
const childScript = `
import { startAgent } from '${dist('main/agent.js')}';
import { PaperBroker } from '${dist('main/brokers/paper/paper-broker.js')}';
import { FaultyAdapter } from '${dist('main/brokers/paper/faulty-adapter.js')}';
import path from 'node:path';
const dataDir = process.argv[2];
const faulty = process.env.FAULTY === '1';
const agent = await startAgent(
  { dataDir, webhookPort: 0, controlPort: 0, webhookHost: '127.0.0.1', console: 'silent', logLevel: 'info', seedDemo: true },
  {
    uiDir: path.join(dataDir, 'no-ui'),
    fillWaitMs: 500,
    adapterFactory: (a, _credentials, { paperRepo }) => {
      if (!faulty || a.broker !== 'paper') return undefined;
      return new FaultyAdapter(new PaperBroker(a.id, paperRepo), { submitFaultRate: 1, faults: (process.env.FAULTS ?? 'timeout_after_accept,slow').split(','), slowMs: 600000, dropUpdateRate: 1, seed: 11 });
    },
  },
);
process.on('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
console.log('READY ' + agent.demoWebhookUrl + ' http://127.0.0.1:' + agent.info.controlPort + ' ' + agent.token);
`;

interface Child {
  child: ChildProcess;
  webhook: string;
  /** Calls the child's control API. */
  api(method: string, p: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

function startChild(scriptFile: string, dataDir: string, faulty: boolean, faults?: string): Promise<Child> {
  const child = spawn(process.execPath, [scriptFile, dataDir], { env: { ...process.env, FAULTY: faulty ? '1' : '0', ...(faults ? { FAULTS: faults } : {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+) (\S+) (\S+)\n/.exec(out);
      if (!m) return;
      const [, webhook, control, token] = m as unknown as [string, string, string, string];
      const api = async (method: string, p: string, body?: unknown) => {
        const res = await fetch(control + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      resolve({ child, webhook, api });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`child exited with ${code}: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

const alert = (i: number) => JSON.stringify({ ticker: `SYM${i}`, action: 'buy', quantity: 1 + (i % 3), price: 100 + i, id: `crash-alert-${i}` });

describe('crash recovery with orders in flight', () => {
  let dataDir: string;
  let scriptFile: string;
  let db: Db | undefined;

  beforeAll(() => {
    // `npm test` builds before the unit tests; build here only when run on its own without dist/.
    if (!fs.existsSync(path.join(root, 'dist', 'main', 'agent.js'))) {
      execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
    }
    dataDir = tempDir('vz-crash-');
    scriptFile = path.join(dataDir, 'child.mjs');
    fs.writeFileSync(scriptFile, childScript);
  }, 180_000);

  afterAll(() => db?.close());

  it('after SIGKILL, start-up reconciliation runs before any new order and the order book matches the broker', async () => {
    const first = await startChild(scriptFile, dataDir, true);
    const N = 8;
    for (let i = 0; i < N; i++) {
      const res = await fetch(first.webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alert(i) });
      expect(res.status).toBe(202);
    }
    db = openDatabase({ file: path.join(dataDir, 'viewzenix.db') });
    const inFlight = await eventually(
      () => db!.prepare("SELECT count(*) AS n FROM orders WHERE status = 'submitting'").get() as { n: number },
      (r) => r.n === N,
      10_000,
    );
    expect(inFlight.n).toBe(N); // every order is on the wire, none answered
    const atBrokerBeforeKill = (db.prepare('SELECT count(*) AS n FROM paper_orders').get() as { n: number }).n;
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await startChild(scriptFile, dataDir, false);
    const lastStartupSeq = (db.prepare('SELECT max(seq) AS s FROM order_events').get() as { s: number }).s;
    // A new alert after the restart: its order must come after everything start-up reconciliation wrote.
    const res = await fetch(second.webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alert(100) });
    expect(res.status).toBe(202);
    const { signalId } = (await res.json()) as { signalId: string };
    // Every alert finished (the new one too: the resumed ones' orders may all be final before it is planned).
    const finished = await eventually(
      () => db!.prepare("SELECT (SELECT status FROM signals WHERE id = ?) AS status, (SELECT count(*) FROM signals WHERE status IN ('queued', 'processing')) AS unfinished").get(signalId) as { status: string | null; unfinished: number },
      (r) => r.status !== null && r.unfinished === 0,
      60_000,
    );
    expect(finished).toEqual({ status: 'done', unfinished: 0 });
    // The resumed alerts are not judged against the positions their own orders opened.
    expect(db.prepare("SELECT status, count(*) AS n FROM signals GROUP BY status").all()).toEqual([{ status: 'done', n: N + 1 }]);
    const settled = await eventually(
      () => db!.prepare("SELECT count(*) AS n FROM orders WHERE status NOT IN ('filled', 'canceled', 'rejected', 'expired')").get() as { n: number },
      (r) => r.n === 0,
      60_000,
    );
    expect(settled.n).toBe(0);

    const events = db.prepare('SELECT e.seq, e.kind, o.client_order_id AS cid, o.signal_id AS sig FROM order_events e JOIN orders o ON o.id = e.order_id ORDER BY e.seq').all() as { seq: number; kind: string; cid: string; sig: string }[];
    const reconciledAtStart = events.filter((e) => e.kind === 'reconciled' && e.seq <= lastStartupSeq);
    const newOrderCreated = events.find((e) => e.kind === 'created' && e.seq > lastStartupSeq && !events.some((x) => x.kind === 'created' && x.seq <= lastStartupSeq && x.cid === e.cid));
    expect(reconciledAtStart.length).toBeGreaterThanOrEqual(atBrokerBeforeKill); // orders the broker had were found at start-up
    expect(newOrderCreated).toBeDefined();
    expect(newOrderCreated!.seq).toBeGreaterThan(Math.max(...reconciledAtStart.map((e) => e.seq)));

    // The books: one broker order per agent order, same status, positions equal the sum of fills.
    const ours = db.prepare('SELECT client_order_id AS cid, status, account_id AS acct FROM orders').all() as { cid: string; status: string; acct: string }[];
    const books = db.prepare('SELECT client_order_id AS cid, status FROM paper_orders').all() as { cid: string; status: string }[];
    expect(ours).toHaveLength(N + 1);
    expect(books).toHaveLength(N + 1);
    const bookStatus = new Map(books.map((b) => [b.cid, b.status]));
    for (const o of ours) expect(bookStatus.get(o.cid)).toBe(o.status);
    const acct = ours[0]!.acct;
    expect(positionsFromFills(db, acct)).toEqual(paperPositions(db, acct));
    expect(Object.keys(paperPositions(db, acct))).toHaveLength(N + 1);
    const state = db.prepare('SELECT state FROM trading_state WHERE scope = ?').get(acct) as { state: string } | undefined;
    expect(state?.state ?? 'active').toBe('active'); // everything was explained

    second.child.kill('SIGTERM');
    await exited(second.child);
    const log = fs.readdirSync(path.join(dataDir, 'logs')).map((f) => fs.readFileSync(path.join(dataDir, 'logs', f), 'utf8')).join('\n');
    const recon = log.lastIndexOf('start-up reconciliation finished');
    expect(recon).toBeGreaterThan(-1);
    expect(log.indexOf('agent started', recon)).toBeGreaterThan(recon);
    console.log('crash test', JSON.stringify({ inFlightAtKill: N, atBrokerBeforeKill, reconciledAtStart: reconciledAtStart.length, resent: events.filter((e) => e.kind === 'resend_same_client_id').length }));
  }, 120_000);

  it('an alert whose order never reached the broker before the kill, closed unsent at the restart because trading is halted, is denied with why, not done', async () => {
    const dir = tempDir('vz-crash-unsent-');
    // 'slow' only: the order is stored and on its way, and the broker never gets it before the kill.
    const first = await startChild(scriptFile, dir, true, 'slow');
    const res = await fetch(first.webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alert(300) });
    expect(res.status).toBe(202);
    const { signalId } = (await res.json()) as { signalId: string };
    const own = openDatabase({ file: path.join(dir, 'viewzenix.db') });
    try {
      const order = () => own.prepare('SELECT id, client_order_id AS cid, status, reason FROM orders WHERE signal_id = ?').get(signalId) as { id: string; cid: string; status: string; reason: string | null } | undefined;
      expect((await eventually(order, (o) => o?.status === 'submitting', 10_000))?.status).toBe('submitting');
      expect((await first.api('PUT', '/api/trading-state', { state: 'halted', reason: 'the trader stopped trading' })).status).toBe(200);
      first.child.kill('SIGKILL');
      await exited(first.child);

      const second = await startChild(scriptFile, dir, false);
      try {
        const signal = await eventually(async () => (await second.api('GET', `/api/signals/${signalId}`)).body, (b) => b.status !== 'queued' && b.status !== 'processing', 20_000);
        const closed = order()!;
        expect(closed.status).toBe('canceled');
        expect(closed.reason).toMatch(/^TRADING_HALTED: not at the broker/);
        expect(own.prepare('SELECT count(*) AS n FROM paper_orders WHERE client_order_id = ?').get(closed.cid)).toEqual({ n: 0 });
        // The alert did not trade, and its signal says so and why.
        expect(signal).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
        expect(signal.message).toContain(closed.cid);
      } finally {
        second.child.kill('SIGTERM');
        await exited(second.child);
      }
    } finally {
      own.close();
    }
  }, 120_000);
});
