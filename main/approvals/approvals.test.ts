import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startTestAgent, eventually, listenEvents, type TestAgent } from '../test-support/agent.js';
import { openDatabase } from '../store/db.js';
import { clientOrderId } from '../ids.js';
import type { ApprovalView, OrderView, PositionView, StrategyView } from '../../shared/api-types.js';

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

/** An agent with a strategy that holds every order for manual approval, on the seeded paper account. */
async function manualAgent(timeoutSeconds = 60) {
  agent = await startTestAgent();
  const a = agent;
  const accounts = await a.api<{ items: { id: string }[] }>('GET', '/api/accounts');
  const accountId = accounts.body.items[0]!.id;
  const created = await a.api<StrategyView>('POST', '/api/strategies', { name: 'Manual', accountIds: [accountId], config: { strategy: { approval: { mode: 'manual', timeoutSeconds } } } });
  expect(created.status).toBe(201);
  let n = 0;
  const send = async (symbol = 'AAPL') => {
    n++;
    const body = JSON.stringify({ ticker: symbol, action: 'buy', quantity: 3, price: 190, id: `manual-${n}-${Date.now()}` });
    const r = await a.post(`/webhook/${created.body.webhookId}`, body);
    expect(r.status).toBe(202);
    const signalId = r.body.signalId as string;
    const pending = await eventually(() => pendingFor(signalId), (l) => l.length > 0);
    expect(pending).toHaveLength(1);
    return { signalId, approval: pending[0]! };
  };
  const pendingFor = async (signalId: string) => (await a.api<{ items: ApprovalView[] }>('GET', '/api/approvals?status=pending')).body.items.filter((x) => x.signalId === signalId);
  const orders = async () => (await a.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items;
  const positions = async () => (await a.api<{ items: PositionView[] }>('GET', '/api/positions')).body.items;
  const approval = async (id: string) => (await a.api<ApprovalView>('GET', `/api/approvals/${id}`)).body;
  return { a, accountId, strategyId: created.body.id, send, orders, positions, approval };
}

describe('manual approval, end to end through an in-process agent', () => {
  it('holds the order as a pending approval: the signal is done, no order exists and the broker holds nothing', async () => {
    const t = await manualAgent();
    const seen = await listenEvents(t.a);
    const { signalId, approval } = await t.send('AAPL');
    expect(approval).toMatchObject({ status: 'pending', symbol: 'AAPL', side: 'buy', quantity: '3', accountId: t.accountId, strategyId: t.strategyId, strategyName: 'Manual', leg: 'entry' });
    // The id the automatic path would have sent this order with: approving cannot make it a different order.
    expect(approval.clientOrderId).toBe(clientOrderId(signalId, t.accountId, 'entry'));
    expect(Date.parse(approval.expiresAt) - Date.parse(approval.createdAt)).toBeGreaterThan(55_000);
    const signal = await eventually(async () => (await t.a.api<{ status: string; decisions?: { verdict: string }[] }>('GET', `/api/signals/${signalId}`)).body, (s) => s.status === 'done');
    expect(signal.status).toBe('done');
    expect(await t.orders()).toEqual([]);
    expect(await t.positions()).toEqual([]);
    const list = await t.a.api<{ items: ApprovalView[]; pending: number }>('GET', '/api/approvals?status=pending');
    expect(list.body.pending).toBe(1);
    // The UI and notifications learn of it live.
    const events = await eventually(() => seen.events, (e) => e.some((x) => x.type === 'approval-waiting'));
    seen.close();
    expect(events).toContainEqual({ type: 'approval-waiting', approvalId: approval.id, accountId: t.accountId, strategyId: t.strategyId, symbol: 'AAPL', side: 'buy', quantity: '3', expiresAt: approval.expiresAt });
    expect(events.some((e) => e.type === 'approval' && e.approval.id === approval.id && e.approval.status === 'pending')).toBe(true);
  });

  it('approve sends exactly one order with the worker\'s client order id and it fills; a second approve is 409 CONFLICT', async () => {
    const t = await manualAgent();
    const { approval } = await t.send('MSFT');
    const first = await t.a.api<{ approval: ApprovalView; order: OrderView }>('POST', `/api/approvals/${approval.id}/approve`);
    expect(first.status).toBe(200);
    expect(first.body.approval.status).toBe('approved');
    expect(first.body.order.clientOrderId).toBe(approval.clientOrderId);
    const filled = await eventually(t.orders, (o) => o.length === 1 && o[0]!.status === 'filled');
    expect(filled).toHaveLength(1);
    expect(filled[0]).toMatchObject({ symbol: 'MSFT', side: 'buy', quantity: '3', status: 'filled' });
    const again = await t.a.api<{ code: string }>('POST', `/api/approvals/${approval.id}/approve`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CONFLICT');
    expect(await t.orders()).toHaveLength(1);
    expect((await t.approval(approval.id)).orderId).toBe(first.body.order.id);
  });

  it('two approvals of the same order at the same time send it once: one succeeds, the other is 409', async () => {
    const t = await manualAgent();
    const { approval } = await t.send('NVDA');
    const answers = await Promise.all([1, 2, 3].map(() => t.a.api<{ code?: string }>('POST', `/api/approvals/${approval.id}/approve`)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    await eventually(t.orders, (o) => o.length === 1 && o[0]!.status === 'filled');
    const orders = await t.orders();
    expect(orders).toHaveLength(1);
    expect(orders[0]!.status).toBe('filled');
    expect(await t.positions()).toEqual([expect.objectContaining({ symbol: 'NVDA', quantity: '3' })]);
  });

  it('reject sends nothing and stores the reason; approving afterwards is 409', async () => {
    const t = await manualAgent();
    const { signalId, approval } = await t.send('TSLA');
    const r = await t.a.api<{ approval: ApprovalView }>('POST', `/api/approvals/${approval.id}/reject`, { reason: 'news pending' });
    expect(r.status).toBe(200);
    expect(r.body.approval).toMatchObject({ status: 'rejected', reason: 'news pending', code: 'APPROVAL_REJECTED' });
    expect((await t.approval(approval.id)).reason).toBe('news pending');
    expect((await t.a.api<{ code: string }>('POST', `/api/approvals/${approval.id}/approve`)).status).toBe(409);
    expect(await t.orders()).toEqual([]);
    expect(await t.positions()).toEqual([]);
    const decisions = t.a.db.prepare('SELECT verdict, code FROM signal_decisions WHERE signal_id = ? ORDER BY seq').all(signalId);
    expect(decisions).toEqual([{ verdict: 'pending_approval', code: null }, { verdict: 'denied', code: 'APPROVAL_REJECTED' }]);
  });

  it('halted before approve: refused with TRADING_HALTED, nothing sent, the approval stays pending and can be approved after resuming', async () => {
    const t = await manualAgent();
    const { approval } = await t.send('AMZN');
    expect((await t.a.api('PUT', '/api/trading-state', { state: 'halted', reason: 'test' })).status).toBe(200);
    const refused = await t.a.api<{ code: string }>('POST', `/api/approvals/${approval.id}/approve`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('TRADING_HALTED');
    expect(await t.orders()).toEqual([]);
    expect((await t.approval(approval.id)).status).toBe('pending');
    await t.a.api('PUT', '/api/trading-state', { state: 'active' });
    expect((await t.a.api('POST', `/api/approvals/${approval.id}/approve`)).status).toBe(200);
    expect(await eventually(t.orders, (o) => o.length === 1 && o[0]!.status === 'filled')).toHaveLength(1);
  });

  it('an approval not decided in time expires with APPROVAL_EXPIRED and is never sent', async () => {
    const t = await manualAgent(1);
    const { signalId, approval } = await t.send('META');
    const expired = await eventually(() => t.approval(approval.id), (x) => x.status === 'expired', 5000);
    expect(expired).toMatchObject({ status: 'expired', code: 'APPROVAL_EXPIRED' });
    const late = await t.a.api<{ code: string }>('POST', `/api/approvals/${approval.id}/approve`);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('APPROVAL_EXPIRED');
    expect(await t.orders()).toEqual([]);
    const decisions = t.a.db.prepare('SELECT verdict, code FROM signal_decisions WHERE signal_id = ? ORDER BY seq').all(signalId);
    expect(decisions).toContainEqual({ verdict: 'denied', code: 'APPROVAL_EXPIRED' });
  });

  it('an approval that expired while the agent was stopped is expired at start-up', async () => {
    const t = await manualAgent(1);
    const { approval } = await t.send('NFLX');
    const dataDir = t.a.dataDir;
    await t.a.stop();
    await new Promise((r) => setTimeout(r, 1100));
    agent = await startTestAgent({ dataDir });
    const after = await agent.api<ApprovalView>('GET', `/api/approvals/${approval.id}`);
    expect(after.body).toMatchObject({ status: 'expired', code: 'APPROVAL_EXPIRED' });
    expect((await agent.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items).toEqual([]);
  });

  it('an alert whose order the risk rules deny now is denied as usual and nothing is held', async () => {
    const t = await manualAgent();
    await t.a.api('PUT', '/api/trading-state', { state: 'halted', reason: 'test' });
    const strategies = await t.a.api<{ items: StrategyView[] }>('GET', '/api/strategies');
    const hook = strategies.body.items.find((s) => s.id === t.strategyId)!.webhookId;
    const r = await t.a.post(`/webhook/${hook}`, JSON.stringify({ ticker: 'AAPL', action: 'buy', quantity: 1, price: 190, id: 'halted-1' }));
    const signal = await eventually(async () => (await t.a.api<{ status: string; code?: string }>('GET', `/api/signals/${r.body.signalId as string}`)).body, (s) => s.status === 'denied');
    expect(signal).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    expect((await t.a.api<{ items: ApprovalView[] }>('GET', '/api/approvals')).body.items).toEqual([]);
  });

  it('an approval claimed before a crash but never sent is sent once at the next start, with its client order id', async () => {
    const t = await manualAgent();
    const { approval } = await t.send('ORCL');
    const dataDir = t.a.dataDir;
    await t.a.stop();
    // The state a crash between the claim and the router call leaves behind.
    const db = openDatabase({ file: path.join(dataDir, 'viewzenix.db') });
    db.prepare("UPDATE approvals SET status = 'approved', decided_at = ?, decided_by = 'api' WHERE id = ?").run(new Date().toISOString(), approval.id);
    db.close();
    agent = await startTestAgent({ dataDir });
    const a = agent;
    const orders = await eventually(async () => (await a.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items, (o) => o.length === 1 && o[0]!.status === 'filled');
    expect(orders).toEqual([expect.objectContaining({ symbol: 'ORCL', status: 'filled', clientOrderId: approval.clientOrderId })]);
    expect((await a.api<ApprovalView>('GET', `/api/approvals/${approval.id}`)).body.orderId).toBe(orders[0]!.id);
    // A further restart finds it linked and sends nothing more.
    await a.stop();
    agent = await startTestAgent({ dataDir });
    expect((await agent.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items).toHaveLength(1);
  });

  it('unknown approval ids are 404 and a bad status filter is a validation error', async () => {
    const t = await manualAgent();
    expect((await t.a.api('POST', '/api/approvals/apr_nope/approve')).status).toBe(404);
    expect((await t.a.api<{ code: string }>('GET', '/api/approvals?status=maybe')).body.code).toBe('VALIDATION_FAILED');
  });
});
