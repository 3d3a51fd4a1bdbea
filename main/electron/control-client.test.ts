import { afterEach, describe, expect, it, vi } from 'vitest';
import { ControlApiError, ControlClient } from './control-client.js';
import { agentEventFrom, SseParser } from '../sse-parser.js';
import { startFakeAgentServer, type FakeAgentServer } from './test-support/fake-agent-server.js';

let server: FakeAgentServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('SseParser', () => {
  it('joins data lines, honours event names, ignores comments, and survives any chunking', () => {
    const stream = ': hello\r\nevent: order\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: {"type":"tunnel"}\n\nid: 7\rdata: x\r\r\n';
    const whole = new SseParser().push(stream);
    expect(whole).toEqual([
      { event: 'order', data: '{"a":\n1}', id: null },
      { event: 'message', data: '{"type":"tunnel"}', id: null },
      { event: 'message', data: 'x', id: '7' },
    ]);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const got = [];
      for (let i = 0; i < stream.length; i += size) got.push(...parser.push(stream.slice(i, i + size)));
      expect(got).toEqual(whole);
    }
  });

  it('takes the event type from the SSE event name when the data has none', () => {
    expect(agentEventFrom({ event: 'tunnel', data: '{"status":"down"}', id: null })).toEqual({ status: 'down', type: 'tunnel' });
    expect(agentEventFrom({ event: 'message', data: '{"type":"order"}', id: null })).toEqual({ type: 'order' });
    expect(agentEventFrom({ event: 'message', data: 'not json', id: null })).toBeNull();
    expect(agentEventFrom({ event: 'message', data: '[1]', id: null })).toBeNull();
  });
});

describe('ControlClient against a control API on loopback', () => {
  it('halts trading with PUT /api/trading-state and the Bearer token', async () => {
    server = await startFakeAgentServer();
    const client = new ControlClient(server.origin, server.token);
    await expect(client.setTradingState('halted')).resolves.toBe('halted');
    expect(server.tradingState).toBe('halted');
    const put = server.requests.find((r) => r.method === 'PUT');
    expect(put).toEqual({ method: 'PUT', path: '/api/trading-state', authorization: `Bearer ${server.token}`, body: '{"state":"halted"}' });
    await expect(client.getTradingState()).resolves.toBe('halted');
  });

  it("reads the global trading state and each account's own", async () => {
    server = await startFakeAgentServer();
    const client = new ControlClient(server.origin, server.token);
    server.tradingState = 'reducing';
    server.tradingReason = 'set by the trader';
    server.accountStates = { acc_1: { state: 'halted', reason: 'DAILY_LOSS_LIMIT: loss=512.30, limit=500' }, acc_2: { state: 'active', reason: null }, acc_3: { state: 'paused', reason: null } };
    await expect(client.getTradingStates()).resolves.toEqual({
      state: 'reducing',
      reason: 'set by the trader',
      accounts: new Map([['acc_1', 'halted'], ['acc_2', 'active']]),
      accountReasons: new Map([['acc_1', 'DAILY_LOSS_LIMIT: loss=512.30, limit=500']]),
    });
    server.tradingState = 'sleeping';
    await expect(client.getTradingStates()).rejects.toMatchObject({ name: 'ControlApiError', message: 'The agent answered without a trading state' });
  });

  it('reports a refused token as an error that does not contain the token', async () => {
    server = await startFakeAgentServer();
    const wrong = 'wrong-token-canary-91bd';
    const error = await new ControlClient(server.origin, wrong).setTradingState('halted').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlApiError);
    expect((error as ControlApiError).status).toBe(401);
    expect(String((error as Error).message)).toBe('The agent answered 401 UNAUTHORIZED');
    expect(String((error as Error).message)).not.toContain(wrong);
    expect(server.tradingState).toBe('active');
  });

  it('reports an agent that is not listening', async () => {
    server = await startFakeAgentServer();
    const origin = server.origin;
    await server.close();
    server = null;
    await expect(new ControlClient(origin, 't').getTradingState()).rejects.toMatchObject({ name: 'ControlApiError', status: null });
  });

  it("reads the desktop channel's settings and the account names, and says when the answer is not what it needs", async () => {
    server = await startFakeAgentServer();
    const client = new ControlClient(server.origin, server.token);
    server.notifyDesktop = { enabled: false, events: ['halt', 'no-such-kind', 'fill'] };
    server.accounts = [{ id: 'acc_1', name: 'Paper' }, { id: 'acc_2', name: 'Alpaca\u0007 live' }];
    await expect(client.getDesktopChannel()).resolves.toEqual({ enabled: false, events: ['fill', 'halt'] });
    await expect(client.getAccountNames()).resolves.toEqual(new Map([['acc_1', { name: 'Paper' }], ['acc_2', { name: 'Alpaca  live' }]]));
    expect(server.requests.map((r) => [r.method, r.path, r.authorization])).toEqual([
      ['GET', '/api/notifications', `Bearer ${server.token}`],
      ['GET', '/api/accounts', `Bearer ${server.token}`],
    ]);
    server.notifyDesktop = { enabled: 'yes', events: [] };
    await expect(client.getDesktopChannel()).rejects.toMatchObject({ name: 'ControlApiError', message: 'The agent answered without desktop notification settings' });
    server.failing.add('/api/accounts');
    await expect(client.getAccountNames()).rejects.toMatchObject({ name: 'ControlApiError', status: 503, message: 'The agent answered 503 INTERNAL_ERROR' });
  });

  it('streams agent events and tells the caller when the stream ends', async () => {
    server = await startFakeAgentServer();
    const events: Record<string, unknown>[] = [];
    const ends: (Error | null)[] = [];
    const subscription = new ControlClient(server.origin, server.token).subscribeEvents((e) => events.push(e), (e) => ends.push(e));
    const s = server;
    await vi.waitFor(() => expect(s.streamCount).toBe(1));
    s.push({ type: 'order', status: 'filled', symbol: 'AAPL' });
    s.push({ status: 'down' }, 'tunnel');
    await vi.waitFor(() => expect(events).toHaveLength(2));
    expect(events).toEqual([{ type: 'order', status: 'filled', symbol: 'AAPL' }, { status: 'down', type: 'tunnel' }]);
    s.dropStreams();
    await vi.waitFor(() => expect(ends).toEqual([null]));
    subscription.close();
  });

  it('does not call back after close()', async () => {
    server = await startFakeAgentServer();
    const ends: (Error | null)[] = [];
    const subscription = new ControlClient(server.origin, server.token).subscribeEvents(() => undefined, (e) => ends.push(e));
    const s = server;
    await vi.waitFor(() => expect(s.streamCount).toBe(1));
    subscription.close();
    await vi.waitFor(() => expect(s.streamCount).toBe(0));
    expect(ends).toEqual([]);
  });
});
