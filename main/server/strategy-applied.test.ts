// A strategy change is answered only once the webhook listener has it (services.strategies.applied()): in thread
// mode the listener learns it by a message, and an alert sent right after the answer must meet the change (a
// disabled strategy, a rotated or deleted URL, a new rate limit or allowlist).
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createControlApp } from './control.js';
import { mountApiRoutes } from './api-routes.js';
import { createLogger } from '../log.js';
import { EventBus } from '../events.js';

const TOKEN = 'strategy-applied-token-0123456789';

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function start(applied: () => Promise<void>): Promise<number> {
  const view = { id: 'str_1', name: 'S', webhookId: 'w', webhookUrl: 'http://127.0.0.1/webhook/w', enabled: false, accountIds: [], config: {} };
  const services = {
    strategies: { create: () => view, update: () => view, rotateWebhook: () => view, delete: () => ({ id: 'str_1', deleted: true }), applied },
  };
  let port = 0;
  const app = createControlApp({ token: TOKEN, port: () => port, log: createLogger({ console: 'silent' }), bus: new EventBus(), routes: mountApiRoutes(services as never, {} as never) });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return port;
}

describe('strategy changes through the control API', () => {
  it.each([
    ['POST', '/api/strategies', { name: 'S', accountIds: ['acc_1'] }],
    ['PUT', '/api/strategies/str_1', { enabled: false }],
    ['POST', '/api/strategies/str_1/webhook', undefined],
    ['DELETE', '/api/strategies/str_1', undefined],
  ])('%s %s is answered only once the webhook listener has the change', async (method, p, body) => {
    const g = gate();
    const port = await start(() => g.promise);
    let answered: number | undefined;
    const res = fetch(`http://127.0.0.1:${port}${p}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => (answered = r.status));
    await new Promise((r) => setTimeout(r, 150));
    expect(answered).toBeUndefined(); // the listener has not confirmed yet
    g.open();
    await res;
    expect(answered).toBe(method === 'POST' && p === '/api/strategies' ? 201 : 200);
  });
});
