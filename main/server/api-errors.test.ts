// What a script's author reads when a control-API call is wrong: the code is always a documented one (400
// VALIDATION_FAILED, 404 NOT_FOUND), and the message says what to change: the allowed values of a field, which id
// was not found, that a body must be sent as JSON (not a form, as `curl -d` sends it without a Content-Type).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../test-support/agent.js';
import type { TradingStateView } from '../../shared/api-types.js';

type ErrorBody = { status: string; code: string; message: string; errors?: { path: string; message: string }[] };

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
});
afterAll(async () => agent.stop());

/** A call with a body exactly as given (`agent.api` always sends JSON). */
async function rawCall(method: string, p: string, body: string, contentType?: string): Promise<{ status: number; body: ErrorBody }> {
  const res = await fetch(agent.controlBase + p, {
    method,
    headers: { authorization: `Bearer ${agent.token}`, ...(contentType !== undefined ? { 'content-type': contentType } : {}) },
    body,
  });
  return { status: res.status, body: (await res.json()) as ErrorBody };
}

describe('a value outside a field\'s allowed values', () => {
  it('is 400 VALIDATION_FAILED naming the allowed values (trading state, broker)', async () => {
    const state = await agent.api<ErrorBody>('PUT', '/api/trading-state', { state: 'paused' });
    expect([state.status, state.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(state.body.errors).toEqual([{ path: '/state', message: 'must be one of active, reducing, halted' }]);
    expect(state.body.message).toContain('must be one of active, reducing, halted');

    const broker = await agent.api<ErrorBody>('POST', '/api/accounts', { name: 'X', broker: 'nope', environment: 'paper' });
    expect([broker.status, broker.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(broker.body.errors).toEqual([{ path: '/broker', message: 'must be one of paper, alpaca, oanda, ccxt' }]);
  });
});

describe('a body that is not JSON', () => {
  it('sent as a form or as text (no JSON Content-Type) is 400 VALIDATION_FAILED saying to send JSON, and changes nothing', async () => {
    const before = (await agent.api<TradingStateView>('GET', '/api/trading-state')).body;
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      const r = await rawCall('PUT', '/api/trading-state', '{"state":"halted"}', type);
      expect([r.status, r.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.body.message).toContain('Content-Type: application/json');
      expect(r.body.message).toContain(`"${type}"`);
    }
    expect((await agent.api<TradingStateView>('GET', '/api/trading-state')).body).toEqual(before);
  });

  it('a JSON value that is not an object (null, a string) is 400 VALIDATION_FAILED asking for an object', async () => {
    for (const body of ['null', '"halted"']) {
      const r = await rawCall('PUT', '/api/trading-state', body, 'application/json');
      expect([r.status, r.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.body.message).toMatch(/not a JSON object/);
    }
  });

  it('a call without a body still works where no body is needed (POST /api/flatten of nothing, reconcile)', async () => {
    const res = await fetch(`${agent.controlBase}/api/reconcile`, { method: 'POST', headers: { authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(200);
  });
});

describe('an id that does not exist', () => {
  it('is 404 NOT_FOUND naming the id, for each resource', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', '/api/strategies/str_nope', undefined, 'No strategy str_nope.'],
      ['GET', '/api/accounts/acc_nope', undefined, 'No account acc_nope.'],
      ['GET', '/api/signals/sig_nope', undefined, 'No signal sig_nope.'],
      ['GET', '/api/orders/ord_nope', undefined, 'No order ord_nope.'],
      ['PUT', '/api/trading-state', { state: 'halted', accountId: 'acc_nope' }, 'No account acc_nope.'],
      ['POST', '/api/flatten', { accountId: 'acc_nope', halt: true }, 'No account acc_nope.'],
    ];
    for (const [method, p, body, message] of cases) {
      const r = await agent.api<ErrorBody>(method, p, body);
      expect([method, p, r.status, r.body.code, r.body.message]).toEqual([method, p, 404, 'NOT_FOUND', message]);
    }
    expect((await agent.api<TradingStateView>('GET', '/api/trading-state')).body.state).toBe('active');
  });

  it('an unknown path is 404 NOT_FOUND naming the method and path', async () => {
    const r = await agent.api<ErrorBody>('GET', '/api/nope');
    expect([r.status, r.body.code]).toEqual([404, 'NOT_FOUND']);
    expect(r.body.message).toContain('GET /api/nope');
    const post = await agent.api<ErrorBody>('POST', '/api/trading-state', { state: 'halted' });
    expect([post.status, post.body.code]).toEqual([404, 'NOT_FOUND']);
    expect(post.body.message).toContain('POST /api/trading-state');
  });
});
