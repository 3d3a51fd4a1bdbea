import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { startTestAgent, type TestAgent } from '../test-support/agent.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
});
afterAll(async () => agent.stop());

function raw(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: agent.info.controlPort, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('control API security', () => {
  const host = () => `127.0.0.1:${agent.info.controlPort}`;

  it('refuses a request without a token (401 UNAUTHORIZED)', async () => {
    const res = await raw('/api/orders', { host: host() });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'error', code: 'UNAUTHORIZED' });
  });

  it('refuses a wrong token (401)', async () => {
    const res = await raw('/api/orders', { host: host(), authorization: `Bearer ${agent.token.slice(0, -2)}xx` });
    expect(res.status).toBe(401);
  });

  it('refuses a foreign Host even with the right token (403, DNS rebinding)', async () => {
    const res = await raw('/api/orders', { host: `evil.example:${agent.info.controlPort}`, authorization: `Bearer ${agent.token}` });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('FORBIDDEN_HOST');
  });

  it('refuses a foreign Origin even with the right token (403)', async () => {
    const res = await raw('/api/orders', { host: host(), origin: 'https://evil.example', authorization: `Bearer ${agent.token}` });
    expect(res.status).toBe(403);
  });

  it('accepts the right token from the loopback origin', async () => {
    const res = await raw('/api/orders', { host: host(), origin: `http://127.0.0.1:${agent.info.controlPort}`, authorization: `Bearer ${agent.token}` });
    expect(res.status).toBe(200);
  });

  it('answers what Node would refuse bare in the API error shape: no Host 403, an unknown Expect 417, an unreadable request 400', async () => {
    const exchange = (text: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = net.connect(agent.info.controlPort, '127.0.0.1', () => socket.write(text));
        let got = '';
        socket.on('data', (d: Buffer) => (got += d.toString()));
        socket.on('error', () => {});
        socket.on('close', () => resolve(got));
        setTimeout(() => socket.destroy(), 5_000).unref();
      });
    const json = (got: string): unknown => JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4));
    const noHost = await exchange(`GET /api/orders HTTP/1.1\r\nAuthorization: Bearer ${agent.token}\r\nConnection: close\r\n\r\n`);
    expect(noHost).toMatch(/^HTTP\/1\.1 403 /);
    expect(json(noHost)).toMatchObject({ status: 'error', code: 'FORBIDDEN_HOST' });
    const expectation = await exchange(`GET /api/orders HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${agent.token}\r\nExpect: 200-ok\r\n\r\n`);
    expect(expectation).toMatch(/^HTTP\/1\.1 417 /);
    expect(json(expectation)).toMatchObject({ status: 'error', code: 'EXPECTATION_FAILED' });
    const unreadable = await exchange(`POST /api/orders HTTP/1.1\r\nHost: ${host()}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
    expect(unreadable).toMatch(/^HTTP\/1\.1 400 /);
    expect(json(unreadable)).toMatchObject({ status: 'error', code: 'MALFORMED_REQUEST' });
  });

  it('never binds a non-loopback address', async () => {
    const res = await fetch(`http://127.0.0.1:${agent.info.controlPort}/api/status`, { headers: { authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(200);
    const { networkInterfaces } = await import('node:os');
    const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      await expect(fetch(`http://${external.address}:${agent.info.controlPort}/api/status`)).rejects.toThrow();
    }
  });
});

describe('control API validation', () => {
  it('reports every problem at once and rejects unknown fields', async () => {
    const res = await agent.api<{ code: string; errors: { path: string; message: string }[]; requestId: string }>('POST', '/api/strategies', { name: '', accountIds: [], colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.requestId).toMatch(/^req_/);
    const messages = res.body.errors.map((e) => `${e.path} ${e.message}`).join('\n');
    expect(messages).toContain('unknown field "colour"');
    expect(messages).toContain('/name');
    expect(messages).toContain('/accountIds');
  });

  it('answers invalid JSON with a code and no stack trace', async () => {
    const res = await fetch(`${agent.controlBase}/api/strategies`, { method: 'POST', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, body: '{"name":' });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.js|node_modules/);
  });

  it('creates a strategy with a webhook URL holding at least 128 random bits', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const res = await agent.api<{ id: string; webhookUrl: string; webhookId: string }>('POST', '/api/strategies', { name: 'S2', accountIds: [accounts[0]!.id] });
    expect(res.status).toBe(201);
    expect(res.body.webhookUrl).toBe(`${agent.webhookBase}/webhook/${res.body.webhookId}`);
    expect(Buffer.from(res.body.webhookId, 'base64url').length).toBeGreaterThanOrEqual(16);
    const list = await agent.api<{ items: { id: string }[] }>('GET', '/api/strategies');
    expect(list.body.items.map((s) => s.id)).toContain(res.body.id);
  });

  it('gives a strategy a new webhook URL: the old one answers 404 WEBHOOK_NOT_FOUND at once, the new one takes alerts', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = (await agent.api<{ id: string; webhookUrl: string; webhookId: string }>('POST', '/api/strategies', { name: 'Leaked', accountIds: [accounts[0]!.id] })).body;
    const alert = '{"ticker":"ROT","action":"buy","quantity":1,"price":10}';
    expect((await agent.post(`/webhook/${created.webhookId}`, alert)).status).toBe(202); // the old id is cached by the listener now
    const rotated = await agent.api<{ id: string; webhookUrl: string; webhookId: string }>('POST', `/api/strategies/${created.id}/webhook`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.id).toBe(created.id);
    expect(rotated.body.webhookId).not.toBe(created.webhookId);
    expect(rotated.body.webhookUrl).toBe(`${agent.webhookBase}/webhook/${rotated.body.webhookId}`);
    expect(Buffer.from(rotated.body.webhookId, 'base64url').length).toBeGreaterThanOrEqual(16);
    const old = await agent.post(`/webhook/${created.webhookId}`, alert.replace('ROT', 'ROT2'));
    expect([old.status, old.body.code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
    expect((await agent.post(`/webhook/${rotated.body.webhookId}`, alert.replace('ROT', 'ROT3'))).status).toBe(202);
    expect((await agent.api('POST', '/api/strategies/str_nope/webhook')).status).toBe(404);
  });

  it('sets and reads the trading state', async () => {
    const put = await agent.api<{ state: string }>('PUT', '/api/trading-state', { state: 'halted', reason: 'test' });
    expect(put.body.state).toBe('halted');
    const bad = await agent.api<{ code: string }>('PUT', '/api/trading-state', { state: 'paused' });
    expect(bad.status).toBe(400);
    const get = await agent.api<{ state: string }>('GET', '/api/trading-state');
    expect(get.body.state).toBe('halted');
    await agent.api('PUT', '/api/trading-state', { state: 'active' });
  });

  it('answers the trading state with every documented field, from the first start on', async () => {
    const fresh = await startTestAgent();
    try {
      const first = await fresh.api<Record<string, unknown>>('GET', '/api/trading-state');
      expect(Object.keys(first.body).sort()).toEqual(['accounts', 'reason', 'state', 'updatedAt']);
      expect(first.body).toMatchObject({ state: 'active', reason: null, accounts: {} });
      // The initial state holds since the data directory's database was created, i.e. this start.
      const since = Date.parse(first.body.updatedAt as string);
      expect(Date.now() - since).toBeGreaterThanOrEqual(0);
      expect(Date.now() - since).toBeLessThan(60_000);
      const again = await fresh.api<Record<string, unknown>>('GET', '/api/trading-state');
      expect(again.body.updatedAt).toBe(first.body.updatedAt);

      const accountId = (await fresh.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items[0]!.id;
      const put = await fresh.api<Record<string, unknown>>('PUT', '/api/trading-state', { state: 'reducing', accountId });
      expect(put.body).toMatchObject({ state: 'active', reason: null, updatedAt: first.body.updatedAt, accounts: { [accountId]: { state: 'reducing', reason: 'set by the trader' } } });
      const halted = await fresh.api<Record<string, unknown>>('PUT', '/api/trading-state', { state: 'halted', reason: 'news' });
      expect(halted.body).toMatchObject({ state: 'halted', reason: 'news' });
      expect(Date.parse(halted.body.updatedAt as string)).toBeGreaterThanOrEqual(since);
    } finally {
      await fresh.stop();
    }
  });

  it('an unknown API path is 404 with a code', async () => {
    const res = await agent.api<{ code: string }>('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});

describe('broker catalogue', () => {
  it('lists the crypto exchanges from CCXT itself', async () => {
    const ccxt = (await import('ccxt')).default;
    const res = await agent.api<{ ccxtExchanges: string[] }>('GET', '/api/brokers');
    expect(res.status).toBe(200);
    expect(res.body.ccxtExchanges).toEqual([...(ccxt.exchanges as string[])].sort());
    expect(res.body.ccxtExchanges).toEqual(expect.arrayContaining(['binance', 'coinbase', 'kraken', 'bybit']));
  });
});
