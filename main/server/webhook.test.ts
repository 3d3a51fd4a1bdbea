import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { openDatabase } from '../store/db.js';
import { startTestAgent, eventually, builtWebhookThreadEntry, type TestAgent } from '../test-support/agent.js';
import type { OrderView, StrategyView } from '../../shared/api-types.js';
import { malformedJson, secretText } from '../test-support/malformed-alerts.js';
import { clientAddress } from './webhook.js';
import { forwardedHeaderFor } from './security.js';
import { sha256 } from '../ids.js';
import { openInboxDatabase } from '../store/inbox-db.js';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

// The same behaviour whether the listener runs on the main thread (as here, from sources) or in its own thread
// (as `npm start` runs it, from the build).
describe.each([
  { mode: 'in-process', overrides: { webhookThread: false } },
  { mode: 'thread', overrides: { webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() } },
])('webhook listener ($mode)', ({ mode, overrides }) => {
  let agent: TestAgent;
  let hook: string;

  beforeAll(async () => {
    agent = await startTestAgent({}, overrides);
    hook = new URL(agent.demoWebhookUrl!).pathname;
  });
  afterAll(async () => agent.stop());

  it('runs the listener where it was asked to', async () => {
    const status = await agent.api<{ webhook: { received: number } }>('GET', '/api/status');
    expect(status.status).toBe(200);
    expect(agent.webhookMode).toBe(mode);
  });

  it('a new alert is stored and answered 202 queued, then fills at the paper broker', async () => {
    const res = await agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');
    const signalId = res.body.signalId as string;
    const orders = await eventually(
      async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}`)).body.items,
      (items) => items.length === 1 && items[0]!.status === 'filled',
    );
    expect(orders[0]).toMatchObject({ symbol: 'AAPL', side: 'buy', quantity: '1', status: 'filled', averageFillPrice: '190' });
  });

  it('the same alert with an id delivered four times yields one signal and one order', async () => {
    const body = '{"ticker":"MSFT","action":"buy","quantity":2,"price":400,"id":"Long 2026-03-02T14:31:00Z"}';
    const answers: { status: number; body: Record<string, unknown> }[] = [];
    for (let i = 0; i < 4; i++) answers.push(await agent.post(hook, body));
    expect(answers.map((a) => a.status)).toEqual([202, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.signalId)).size).toBe(1);
    expect(answers.slice(1).every((a) => a.body.status === 'duplicate')).toBe(true);
    const orders = await eventually(
      async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${answers[0]!.body.signalId as string}`)).body.items,
      (items) => items.length === 1 && items[0]!.status === 'filled',
    );
    expect(orders).toHaveLength(1);
  });

  it('a reused id with a different alert is a new alert; the identical re-send (keys in any order) is still a duplicate', async () => {
    const entry = `{"ticker":"IDX${mode}","action":"buy","quantity":"1","price":"10","id":"Long"}`;
    const first = await agent.post(hook, entry);
    expect(first.status).toBe(202);
    const exit = await agent.post(hook, `{"ticker":"IDX${mode}","action":"sell","quantity":"1","price":"12","id":"Long"}`);
    expect(exit.status).toBe(202);
    expect(exit.body.signalId).not.toBe(first.body.signalId);
    const other = await agent.post(hook, `{"ticker":"OTHER${mode}","action":"buy","quantity":"5","price":"12","id":"Long"}`);
    expect(other.status).toBe(202);
    const again = await agent.post(hook, entry);
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate', signalId: first.body.signalId } });
    const reordered = await agent.post(hook, `{"id":"Long","price":"10","quantity":"1","action":"buy","ticker":"IDX${mode}"}`);
    expect(reordered).toMatchObject({ status: 200, body: { status: 'duplicate', signalId: first.body.signalId } });
  });

  it('unquoted ids and numbers longer than a double holds are compared as written: ids differing in their last digit are two alerts', async () => {
    const a = await agent.post(hook, `{"ticker":"LID${mode}","action":"buy","quantity":1,"price":"10","id":12345678901234567890}`);
    const b = await agent.post(hook, `{"ticker":"LID${mode}","action":"buy","quantity":1,"price":"10","id":12345678901234567891}`);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.signalId).not.toBe(a.body.signalId);
    const stored = await agent.api<{ parsed?: { id?: string } }>('GET', `/api/signals/${b.body.signalId as string}`);
    expect(stored.body.parsed?.id).toBe('12345678901234567891');
    const again = await agent.post(hook, `{"ticker":"LID${mode}","action":"buy","quantity":1,"price":"10","id":12345678901234567891}`);
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate', signalId: b.body.signalId } });
    // The same id with quantities that a double would read alike (1.00000000000000001 and 1) are two alerts.
    const q1 = await agent.post(hook, `{"ticker":"LQ${mode}","action":"buy","quantity":1.00000000000000001,"price":"10","id":"same-id"}`);
    const q2 = await agent.post(hook, `{"ticker":"LQ${mode}","action":"buy","quantity":1,"price":"10","id":"same-id"}`);
    expect(q2.body.status).not.toBe('duplicate');
    expect([q1.status === 202 || q1.status === 400, q2.status]).toEqual([true, 202]);
  });

  it('a key an earlier version stored for an id (the id alone) still makes a re-send a duplicate shortly after, not later', async () => {
    const strategyId = (await agent.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items.find((x) => x.webhookUrl.endsWith(hook))!.id;
    const legacy = (id: string) => `id:${sha256(`${strategyId}\u0000${id}`)}`;
    const inbox = openInboxDatabase(path.join(agent.dataDir, 'inbox.db'));
    try {
      const insert = inbox.prepare('INSERT INTO dedupe (key, signal_id, received_at) VALUES (?, ?, ?)');
      insert.run(legacy(`old-recent-${mode}`), `sig_legacy_recent_${mode}`, new Date(Date.now() - 60_000).toISOString());
      insert.run(legacy(`old-stale-${mode}`), `sig_legacy_stale_${mode}`, new Date(Date.now() - 2 * 3600_000).toISOString());
    } finally {
      inbox.close();
    }
    const recent = await agent.post(hook, `{"ticker":"LGC","action":"buy","quantity":"1","price":"10","id":"old-recent-${mode}"}`);
    expect(recent).toMatchObject({ status: 200, body: { status: 'duplicate', signalId: `sig_legacy_recent_${mode}` } });
    const stale = await agent.post(hook, `{"ticker":"LGC","action":"buy","quantity":"1","price":"10","id":"old-stale-${mode}"}`);
    expect(stale.status).toBe(202);
  });

  it('an alert with neither id nor time is a duplicate only within the window', async () => {
    const body = '{"ticker":"NVDA","action":"buy","quantity":1,"price":120}';
    const a = await agent.post(hook, body);
    const b = await agent.post(hook, body);
    expect(a.status).toBe(202);
    expect(b.status).toBe(200);
    expect(b.body.signalId).toBe(a.body.signalId);
  });

  it('an unknown webhook id answers 404 with a code, stores nothing, and is counted in the status', async () => {
    type Stats = { webhook: { received: number; unknownWebhook: number } };
    const before = (await agent.api<{ items: unknown[] }>('GET', '/api/signals?limit=5000')).body.items.length;
    const statsBefore = (await agent.api<Stats>('GET', '/api/status')).body.webhook;
    const res = await agent.post('/webhook/AAAAAAAAAAAAAAAAAAAAAAAA', '{"ticker":"AAPL","action":"buy"}');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 'rejected', code: 'WEBHOOK_NOT_FOUND' });
    const after = (await agent.api<{ items: unknown[] }>('GET', '/api/signals?limit=5000')).body.items.length;
    expect(after).toBe(before);
    const statsAfter = (await agent.api<Stats>('GET', '/api/status')).body.webhook;
    expect(statsAfter.unknownWebhook).toBe(statsBefore.unknownWebhook + 1);
    expect(statsAfter.received).toBe(statsBefore.received + 1);
  });

  it.runIf(mode === 'thread')('a webhook thread that dies is restarted on the same port; alerts it had stored are still processed', async () => {
    const body = (n: number) => `{"ticker":"RST${n}","action":"buy","quantity":1,"price":190,"id":"restart-${mode}-${n}"}`;
    const before = await agent.post(hook, body(1));
    expect(before.status).toBe(202);
    await agent.webhookListener.terminateThread!();
    const after = await eventually(
      async () => agent.post(hook, body(2)).catch(() => ({ status: 0, body: {} as Record<string, unknown> })),
      (r) => r.status === 202,
      10_000,
    );
    expect(after.body.status).toBe('queued');
    expect(agent.webhookListener.restarts).toBe(1);
    const status = await agent.api<{ webhook: { mode: string; restarts: number } }>('GET', '/api/status');
    expect(status.body.webhook).toMatchObject({ mode: 'thread', restarts: 1 });
    for (const id of [before.body.signalId, after.body.signalId]) {
      const signal = await eventually(
        async () => (await agent.api<{ status: string }>('GET', `/api/signals/${id as string}`)).body,
        (s) => s.status !== 'queued' && s.status !== 'processing',
      );
      expect(signal.status).toBe('done');
    }
  });

  it('a disabled strategy stops trading at once (the listener forgets its cached lookup); what arrives meanwhile is kept as rejected, STRATEGY_DISABLED', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = await agent.api<StrategyView>('POST', '/api/strategies', { name: `off-${mode}`, accountIds: [accounts[0]!.id] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const s = created.body;
    const url = `/webhook/${s.webhookId}`;
    expect((await agent.post(url, '{"ticker":"AAPL","action":"buy","quantity":1}')).status).toBe(202);
    expect((await agent.api('PUT', `/api/strategies/${s.id}`, { enabled: false })).status).toBe(200);
    const res = await agent.post(url, '{"ticker":"AAPL","action":"buy","quantity":2}');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 'rejected', code: 'STRATEGY_DISABLED' });
    const kept = await eventually(
      async () => (await agent.api<{ status: string; code?: string; strategyId: string }>('GET', `/api/signals/${res.body.signalId as string}`)).body,
      (v) => v.status === 'rejected',
    );
    expect(kept).toMatchObject({ status: 'rejected', code: 'STRATEGY_DISABLED', strategyId: s.id });
    expect((await agent.api<{ items: unknown[] }>('GET', `/api/orders?signalId=${res.body.signalId as string}`)).body.items).toEqual([]);
    // Enabled again, it trades again.
    expect((await agent.api('PUT', `/api/strategies/${s.id}`, { enabled: true })).status).toBe(200);
    expect((await agent.post(url, '{"ticker":"AAPL","action":"buy","quantity":3}')).status).toBe(202);
  });

  it('an alert accepted before its strategy was disabled, delivered again after, is answered 200 duplicate with its signalId, not refused as a new alert', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const s = (await agent.api<StrategyView>('POST', '/api/strategies', { name: `off-dup-${mode}`, accountIds: [accounts[0]!.id] })).body;
    const url = `/webhook/${s.webhookId}`;
    const withId = '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"before-off"}';
    const withoutId = '{"ticker":"NVDA","action":"buy","quantity":1,"price":100}';
    const first = [await agent.post(url, withId), await agent.post(url, withoutId)];
    expect(first.map((a) => a.status)).toEqual([202, 202]);
    expect((await agent.api('PUT', `/api/strategies/${s.id}`, { enabled: false })).status).toBe(200);
    // PRODUCT.md: `200 {"status":"duplicate","signalId":…}` for one already received; it is neither stored again nor
    // told "kept, not traded" (it was accepted and may have traded).
    const again = [await agent.post(url, withId), await agent.post(url, ` ${withoutId}`)];
    expect(again).toEqual(first.map((a) => ({ status: 200, body: { status: 'duplicate', signalId: a.body.signalId } })));
    // A new alert is still refused and kept; refused, it makes no later one a duplicate.
    const fresh = await agent.post(url, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"while-off"}');
    expect(fresh).toMatchObject({ status: 409, body: { status: 'rejected', code: 'STRATEGY_DISABLED' } });
    const freshAgain = await agent.post(url, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"id":"while-off"}');
    expect(freshAgain).toMatchObject({ status: 409, body: { status: 'rejected', code: 'STRATEGY_DISABLED' } });
    expect(freshAgain.body.signalId).not.toBe(fresh.body.signalId);
    expect((await agent.api('PUT', `/api/strategies/${s.id}`, { enabled: true })).status).toBe(200);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/api/orders'],
    ['GET', '/webhook/x'],
    ['PUT', '/health'],
    ['POST', '/api/flatten'],
    ['GET', '/index.html'],
  ])('%s %s is 404 on the webhook listener (nothing of the UI or API is reachable)', async (method, p) => {
    const res = await fetch(agent.webhookBase + p, { method, headers: { authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(404);
    // The code is the webhook one of docs/codes.md's webhook table, not a control-API code.
    expect(((await res.json()) as { code: string }).code).toBe('WEBHOOK_NOT_FOUND');
  });

  it('a strategy\'s webhook URL opened in a browser (GET) is 404 WEBHOOK_NOT_FOUND saying alerts come with POST, not that no strategy has it', async () => {
    for (const method of ['GET', 'PUT']) {
      const res = await fetch(agent.webhookBase + hook, { method });
      expect(res.status).toBe(404);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe('WEBHOOK_NOT_FOUND');
      expect(body.message).toContain(`takes alerts sent with POST (as TradingView sends them), not ${method}`);
      expect(body.message).not.toContain('No strategy has this webhook URL');
      // The same answer for an id no strategy has: it tells nothing of which ids exist.
      const other = (await (await fetch(`${agent.webhookBase}/webhook/nosuchid0000000000000000`, { method })).json()) as { message: string };
      expect(other.message).toBe(body.message);
    }
  });

  it('HEAD /health answers 200 like GET', async () => {
    expect((await fetch(`${agent.webhookBase}/health`, { method: 'HEAD' })).status).toBe(200);
  });

  it('GET /health answers ok', async () => {
    const res = await fetch(`${agent.webhookBase}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('a body over the limit is refused with 413 BODY_TOO_LARGE', async () => {
    const big = JSON.stringify({ ticker: 'AAPL', action: 'buy', pad: 'x'.repeat(70 * 1024) });
    const res = await agent.post(hook, big);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('BODY_TOO_LARGE');
  });

  it('alerts leave inbox.db once copied into the agent database and on disk there (the newest row stays)', async () => {
    const answers: { status: number; body: Record<string, unknown> }[] = [];
    for (let i = 0; i < 5; i++) answers.push(await agent.post(hook, `{"ticker":"AMD","action":"buy","quantity":1,"price":100,"id":"prune-${i}"}`));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const inbox = openDatabase({ file: path.join(agent.dataDir, 'inbox.db'), readonly: true });
    try {
      const left = await eventually(
        () => (inbox.prepare('SELECT id FROM alerts').all() as { id: string }[]).map((r) => r.id),
        (ids) => ids.length <= 1,
        10_000,
      );
      expect(left.every((id) => id === answers[4]!.body.signalId)).toBe(true);
      for (const a of answers) expect((await agent.api('GET', `/api/signals/${a.body.signalId as string}`)).status).toBe(200);
    } finally {
      inbox.close();
    }
  });

  it('a malformed alert from a valid webhook is rejected with its code and kept for the trader', async () => {
    const res = await agent.post(hook, '{"ticker":"AAPL","action":"moon"}');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_ACTION');
    const stored = await agent.api<{ status: string; code: string }>('GET', `/api/signals/${res.body.signalId as string}`);
    expect(stored.body).toMatchObject({ status: 'rejected', code: 'INVALID_ACTION' });
  });

  it('PineConnector closelong with a short held sends nothing (NO_POSITION); closeshort closes the short', async () => {
    const symbol = `CLS${mode === 'thread' ? 'T' : 'P'}`;
    const short = await agent.post(hook, `{"ticker":"${symbol}","action":"sell","quantity":"3","price":"10"}`);
    expect(short.status).toBe(202);
    const done = (id: string) =>
      eventually(
        async () => (await agent.api<{ status: string; code?: string }>('GET', `/api/signals/${id}`)).body,
        (b) => b.status !== 'queued' && b.status !== 'processing',
      );
    expect((await done(short.body.signalId as string)).status).toBe('done');
    const closeLong = await agent.post(hook, `60123456789,closelong,${symbol}`, 'text/plain');
    expect(closeLong.status).toBe(202);
    expect(await done(closeLong.body.signalId as string)).toMatchObject({ status: 'denied', code: 'NO_POSITION' });
    expect((await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${closeLong.body.signalId as string}`)).body.items).toEqual([]);
    const closeShort = await agent.post(hook, `60123456789,closeshort,${symbol}`, 'text/plain');
    expect(closeShort.status).toBe(202);
    const orders = await eventually(
      async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${closeShort.body.signalId as string}`)).body.items,
      (items) => items.length === 1 && items[0]!.status === 'filled',
    );
    expect(orders[0]).toMatchObject({ symbol, side: 'buy', quantity: '3' });
  });

  it('a JSON key given twice is refused with INVALID_FIELD naming it, and nothing is traded', async () => {
    const res = await agent.post(hook, '{"ticker":"DK1","action":"buy","quantity":"1","price":"10","action":"sell","quantity":"100"}');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'rejected', code: 'INVALID_FIELD' });
    expect(res.body.message).toMatch(/"action" is given twice/);
    const orders = await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${res.body.signalId as string}`);
    expect(orders.body.items).toEqual([]);
  });

  it('a strategy with a passphrase refuses a wrong or missing one, and the passphrase is never stored', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'With passphrase', accountIds: [accounts[0]!.id], passphrase: 'canary-pass-7391' });
    expect(created.status).toBe(201);
    const p = new URL(created.body.webhookUrl).pathname;
    const missing = await agent.post(p, '{"ticker":"AAPL","action":"buy","price":1}');
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('PASSPHRASE_MISSING');
    const wrong = await agent.post(p, '{"ticker":"AAPL","action":"buy","price":1,"passphrase":"wrong-pass-0000"}');
    expect(wrong.body.code).toBe('PASSPHRASE_INVALID');
    const ok = await agent.post(p, '{"ticker":"AAPL","action":"buy","price":1,"passphrase":"canary-pass-7391"}');
    expect(ok.status).toBe(202);
    const row = await agent.api<{ rawBody: string }>('GET', `/api/signals/${ok.body.signalId as string}`);
    expect(row.body.rawBody).not.toContain('canary-pass-7391');
    expect(JSON.stringify(created.body)).not.toContain('canary-pass-7391');
  });

  it('a passphrase in a body no parser reads (escaped, cut off, other spellings) is in no answer, no stored body and no database file', async () => {
    const canary = `pp-canary-${mode}-5b7e91`;
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = await agent.api<StrategyView>('POST', '/api/strategies', { name: `Canary ${mode}`, accountIds: [accounts[0]!.id], passphrase: canary });
    expect(created.status).toBe(201);
    const p = new URL(created.body.webhookUrl).pathname;
    const escapedMessage = 'The alert JSON has backslash-escaped quotes (\\") — it was copied from a place that escapes JSON. Paste the message again so it reads {"ticker": ...} with plain quotes.';
    const truncatedMessage = 'The alert JSON ends early: a closing quote or brace is missing. Copy the whole alert message again and check that it ends with }.';
    // [body, code, the message when it is a fixed one, the body as stored]
    const cases: Array<[string, string, string | undefined, string]> = [
      [`{\\"ticker\\":\\"ZZH\\",\\"action\\":\\"buy\\",\\"passphrase\\":\\"${canary}\\"}`, 'ESCAPED_JSON', escapedMessage, '{\\"ticker\\":\\"ZZH\\",\\"action\\":\\"buy\\",\\"passphrase\\":\\"[REDACTED]\\"}'],
      [`{"ticker":"ZZI","action":"cancel","passphrase":"${canary}`, 'TRUNCATED_JSON', truncatedMessage, '{"ticker":"ZZI","action":"cancel","passphrase":"[REDACTED]'],
      [`{"ticker":"ZZJ","action":"buy","passphrase":"${canary}}`, 'TRUNCATED_JSON', truncatedMessage, '{"ticker":"ZZJ","action":"buy","passphrase":"[REDACTED]'],
      [`{"ticker":"ZZK","action":"buy","passphrase" :\n "${canary}",}`, 'INVALID_JSON', undefined, '{"ticker":"ZZK","action":"buy","passphrase" :\n "[REDACTED]",}'],
      [`{'ticker':'ZZL','action':'buy','PassPhrase':'${canary}'}`, 'INVALID_JSON', undefined, "{'ticker':'ZZL','action':'buy','PassPhrase':'[REDACTED]'}"],
      [`{"ticker":"ZZM","action":"${canary}","Pass_Phrase":"${canary}","pass phrase":"${canary}"`, 'TRUNCATED_JSON', truncatedMessage, '{"ticker":"ZZM","action":"[REDACTED]","Pass_Phrase":"[REDACTED]","pass phrase":"[REDACTED]"'],
      [`{"ticker":"ZZN","action":"${canary}","pass-phrase":"${canary}"}`, 'INVALID_ACTION', undefined, '{"ticker":"ZZN","action":"[REDACTED]","pass-phrase":"[REDACTED]"}'],
      [`{\\"message_type\\":\\"bot\\",\\"bot_id\\":1,\\"email_token\\":\\"${canary}\\",\\"pair\\":\\"USDT_ZZO\\"}`, 'ESCAPED_JSON', escapedMessage, '{\\"message_type\\":\\"bot\\",\\"bot_id\\":1,\\"email_token\\":\\"[REDACTED]\\",\\"pair\\":\\"USDT_ZZO\\"}'],
      [`{"secret":"${canary}","bot_uuid":"u","tv_instrument":"ZZP`, 'TRUNCATED_JSON', truncatedMessage, '{"secret":"[REDACTED]","bot_uuid":"u","tv_instrument":"ZZP'],
      [`60123456789,moon,ZZQ,vol_lots=1,secret=${canary} x`, 'INVALID_ACTION', undefined, '60123456789,moon,ZZQ,vol_lots=1,secret=[REDACTED]'],
      [`ticker=ZZR action=buy passphrase="${canary}`, 'UNRECOGNISED_FORMAT', undefined, 'ticker=ZZR action=buy passphrase="[REDACTED]'],
    ];
    const answers: string[] = [];
    for (const [body, code, message, stored] of cases) {
      const res = await agent.post(p, body, 'text/plain');
      answers.push(JSON.stringify(res.body));
      expect(res.status, body).toBeGreaterThanOrEqual(400);
      expect(res.body.code, body).toBe(code);
      if (message !== undefined) expect(res.body.message).toBe(message);
      const row = await eventually(
        async () => agent.api<{ rawBody: string; message: string }>('GET', `/api/signals/${res.body.signalId as string}`),
        (r) => r.status === 200,
      );
      answers.push(JSON.stringify(row.body));
      expect(row.body.rawBody).toBe(stored);
    }
    for (const a of answers) expect(a).not.toContain(canary);
    // The database files as they are while the agent runs (inbox.db, viewzenix.db and their WAL files), and the logs.
    const files = filesUnder(agent.dataDir);
    expect(files.some((f) => f.endsWith('inbox.db'))).toBe(true);
    expect(files.some((f) => f.endsWith('viewzenix.db-wal'))).toBe(true);
    for (const f of files) expect({ file: f, leak: fs.readFileSync(f).toString('latin1').includes(canary) }).toEqual({ file: f, leak: false });
  });

  it('a passphrase sent as a list or an object, or pasted into other fields, is in no answer, no stored signal and no database file', async () => {
    const canary = `ppl-canary-${mode}-93c1`;
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = await agent.api<StrategyView>('POST', '/api/strategies', { name: `List canary ${mode}`, accountIds: [accounts[0]!.id], passphrase: canary });
    const p = new URL(created.body.webhookUrl).pathname;
    const answers: string[] = [];
    for (const body of [
      `{"ticker":"ZZL1","action":"buy","quantity":1,"passphrase":["${canary}-list"]}`,
      `{"ticker":"ZZL2","action":"buy","quantity":1,"passphrase":{"v":"${canary}-obj"}}`,
    ]) {
      const res = await agent.post(p, body);
      expect(res.body.code).toBe('INVALID_FIELD');
      const row = await eventually(async () => agent.api<{ rawBody: string }>('GET', `/api/signals/${res.body.signalId as string}`), (r) => r.status === 200);
      expect(row.body.rawBody).toMatch(/"passphrase":\[REDACTED\]\}$/);
      answers.push(JSON.stringify(res.body), JSON.stringify(row.body));
    }
    const ok = await agent.post(p, `{"ticker":"ZZL3","action":"cancel","Pass_Phrase":"${canary}","note":"${canary}","api-key":"${canary}-key","id":"pl-${mode}"}`);
    expect(ok.status).toBe(202);
    const row = await eventually(async () => agent.api<{ rawBody: string; parsed: { extras?: unknown } }>('GET', `/api/signals/${ok.body.signalId as string}`), (r) => r.status === 200);
    expect(row.body.parsed.extras).toEqual({ note: '[REDACTED]' });
    answers.push(JSON.stringify(ok.body), JSON.stringify(row.body));
    for (const a of answers) expect(a).not.toContain(canary);
    // inbox.db and viewzenix.db rows are written from the same redacted body and signal.
    const files = filesUnder(agent.dataDir);
    expect(files.some((f) => f.endsWith('inbox.db'))).toBe(true);
    for (const f of files) expect({ file: f, leak: fs.readFileSync(f).toString('latin1').includes(canary) }).toEqual({ file: f, leak: false });
  });

  it('property: a random secret in random malformed variants of an alert is in no answer and no stored body', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = await agent.api<StrategyView>('POST', '/api/strategies', { name: `Random secrets ${mode}`, accountIds: [accounts[0]!.id], passphrase: 'not-the-one-sent' });
    const p = new URL(created.body.webhookUrl).pathname;
    // A fixed start makes the secret impossible to meet by chance in the rest of the body or in a database page.
    const secrets: string[] = [];
    await fc.assert(
      fc.asyncProperty(malformedJson(secretText.map((s) => `Qz9~${s}`)), async ({ body, spellings }) => {
        secrets.push(...spellings.filter((s) => s.startsWith('Qz9~')));
        const res = await agent.post(p, body, 'text/plain');
        const row = await agent.api<{ rawBody: string }>('GET', `/api/signals/${res.body.signalId as string}`);
        for (const s of spellings) {
          expect(JSON.stringify(res.body)).not.toContain(s);
          expect(row.body.rawBody).not.toContain(s);
        }
      }),
      { numRuns: 150 },
    );
    for (const f of filesUnder(agent.dataDir)) {
      const text = fs.readFileSync(f).toString('latin1');
      expect({ file: f, leaks: secrets.filter((s) => text.includes(s)) }).toEqual({ file: f, leaks: [] });
    }
  });

  it('with the TradingView IP allowlist on, only forwarded TradingView addresses from the local tunnel client pass', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = await agent.api<StrategyView>('POST', '/api/strategies', {
      name: 'Allowlisted',
      accountIds: [accounts[0]!.id],
      config: { intake: { ipAllowlist: ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7'] } },
    });
    expect(created.status).toBe(201);
    const url = created.body.webhookUrl;
    const send = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"ticker":"AAPL","action":"buy","price":1}' }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code?: string } }));
    const direct = await send({});
    expect(direct.status).toBe(403);
    expect(direct.body.code).toBe('IP_NOT_ALLOWED');
    const forged = await send({ 'x-forwarded-for': '52.89.214.238, 198.51.100.7' });
    expect(forged.status).toBe(403);
    const viaTunnel = await send({ 'x-forwarded-for': '52.89.214.238' });
    expect(viaTunnel.status).toBe(202);
  });

  it('CF-Connecting-IP passes the allowlist only with cloudflared; otherwise only the tunnel-appended X-Forwarded-For entry counts', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = await agent.api<StrategyView>('POST', '/api/strategies', {
      name: `Allowlisted CF ${mode}`,
      accountIds: [accounts[0]!.id],
      config: { intake: { ipAllowlist: ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7'] } },
    });
    expect(created.status).toBe(201);
    const url = created.body.webhookUrl;
    let n = 0;
    const send = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: `{"ticker":"CFX","action":"buy","quantity":1,"price":1,"id":"cf-${mode}-${n++}"}` }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code?: string } }));
    const spoofed = { 'x-forwarded-for': '203.0.113.9', 'cf-connecting-ip': '52.89.214.238' };
    const setProvider = async (provider: string) =>
      expect((await agent.api('PUT', '/api/tunnel', provider === 'manual' ? { provider, manual: { publicUrl: 'https://alerts.example.com' } } : { provider })).status).toBe(200);
    try {
      // No provider configured, then ngrok, localtunnel, manual: a sender-written CF-Connecting-IP is not believed.
      for (const provider of [undefined, 'ngrok', 'localtunnel', 'manual']) {
        if (provider) await setProvider(provider);
        const r = await eventually(() => send(spoofed), (x) => x.status === 403);
        expect(r.status, String(provider)).toBe(403);
        expect(r.body.code).toBe('IP_NOT_ALLOWED');
        // The sender's own left part of X-Forwarded-For is not believed either; the tunnel's right-most entry is.
        expect((await send({ 'x-forwarded-for': '52.89.214.238, 203.0.113.9' })).status).toBe(403);
        expect((await send({ 'x-forwarded-for': '203.0.113.9, 52.89.214.238' })).status).toBe(202);
      }
      // cloudflared: Cloudflare overwrites CF-Connecting-IP, so it is the sender; X-Forwarded-For is not read.
      await setProvider('cloudflared');
      const viaCloudflare = await eventually(() => send({ 'cf-connecting-ip': '52.89.214.238', 'x-forwarded-for': '203.0.113.9' }), (x) => x.status === 202);
      expect(viaCloudflare.status).toBe(202);
      const outsider = await send({ 'cf-connecting-ip': '203.0.113.9', 'x-forwarded-for': '52.89.214.238' });
      expect(outsider.status).toBe(403);
      expect((await send({ 'x-forwarded-for': '52.89.214.238' })).status).toBe(403);
      // Back to ngrok: the header is not believed any more.
      await setProvider('ngrok');
      expect((await eventually(() => send(spoofed), (x) => x.status === 403)).status).toBe(403);
      expect((await send({ 'x-forwarded-for': '52.89.214.238' })).status).toBe(202);
    } finally {
      await agent.api('PUT', '/api/tunnel', { provider: 'manual', manual: { publicUrl: 'https://alerts.example.com' } });
    }
  });

  it('requests the IP allowlist refuses do not use up the rate limit; allowed requests still do', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = await agent.api<StrategyView>('POST', '/api/strategies', {
      name: `Allowlisted rate ${mode}`,
      accountIds: [accounts[0]!.id],
      config: { intake: { ipAllowlist: ['52.89.214.238'], rateLimit: { perSecond: 0.001, burst: 2 } } },
    });
    expect(created.status).toBe(201);
    const url = created.body.webhookUrl;
    const send = (xff: string, i: number) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': xff }, body: `{"ticker":"RLX","action":"buy","quantity":1,"price":1,"id":"rl-${mode}-${i}"}` }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code?: string } }));
    for (let i = 0; i < 5; i++) expect((await send('203.0.113.9', i)).body.code).toBe('IP_NOT_ALLOWED');
    expect((await send('52.89.214.238', 10)).status).toBe(202);
    expect((await send('52.89.214.238', 11)).status).toBe(202);
    const flood = await send('52.89.214.238', 12);
    expect(flood.status).toBe(429);
    expect(flood.body.code).toBe('RATE_LIMITED');
  });

  it('a strategy change is in force for the first alert sent after the API answered it: disabled, rotated, deleted', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const alert = (i: number) => `{"ticker":"CHG","action":"cancel","id":"chg-${mode}-${i}"}`;
    for (let i = 0; i < 10; i++) {
      const s = (await agent.api<StrategyView>('POST', '/api/strategies', { name: `changed-${mode}-${i}`, accountIds: [accounts[0]!.id] })).body;
      const url = `/webhook/${s.webhookId}`;
      expect((await agent.post(url, alert(4 * i))).status).toBe(202); // its lookup is cached now
      expect((await agent.api('PUT', `/api/strategies/${s.id}`, { enabled: false })).status).toBe(200);
      expect((await agent.post(url, alert(4 * i + 1))).body).toMatchObject({ code: 'STRATEGY_DISABLED' });
      expect((await agent.api('PUT', `/api/strategies/${s.id}`, { enabled: true })).status).toBe(200);
      expect((await agent.post(url, alert(4 * i + 2))).status).toBe(202);
      const rotated = (await agent.api<StrategyView>('POST', `/api/strategies/${s.id}/webhook`)).body;
      expect((await agent.post(url, alert(4 * i + 3))).body).toMatchObject({ code: 'WEBHOOK_NOT_FOUND' });
      // Deleted (once nothing of it is queued): its new URL is gone at once too.
      const del = await eventually(() => agent.api('DELETE', `/api/strategies/${s.id}`), (r) => r.status === 200);
      expect(del.status).toBe(200);
      expect((await agent.post(`/webhook/${rotated.webhookId}`, alert(1000 + i))).body).toMatchObject({ code: 'WEBHOOK_NOT_FOUND' });
    }
  });

  it("a strategy's changed rate limit applies to the next alert: raised, removed, tightened (no restart)", async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const created = await agent.api<StrategyView>('POST', '/api/strategies', {
      name: `Retuned rate ${mode}`,
      accountIds: [accounts[0]!.id],
      config: { intake: { rateLimit: { perSecond: 0.001, burst: 2 } } },
    });
    expect(created.status).toBe(201);
    const url = created.body.webhookUrl;
    let n = 0;
    // A cancel of a symbol nobody holds: answered and stored, nothing traded.
    const burst = async (count: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"ticker":"RLR","action":"cancel","id":"rr-${mode}-${n++}"}` })).status);
      return out;
    };
    const setLimit = async (intake: Record<string, unknown>) => expect((await agent.api('PUT', `/api/strategies/${created.body.id}`, { config: { intake } })).status).toBe(200);
    expect(await burst(3)).toEqual([202, 202, 429]);
    await setLimit({ rateLimit: { perSecond: 1000, burst: 1000 } });
    expect(await burst(5)).toEqual([202, 202, 202, 202, 202]);
    await setLimit({ rateLimit: { perSecond: 0.001, burst: 1 } });
    expect(await burst(2)).toEqual([202, 429]);
    await setLimit({}); // no limit of its own: the default (50/s, burst 1000)
    expect(await burst(5)).toEqual([202, 202, 202, 202, 202]);
  });

  it('a strategy config with unknown or invalid fields is refused, every problem at once', async () => {
    const accounts = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items;
    const res = await agent.api<{ code: string; errors: { path: string; message: string }[] }>('POST', '/api/strategies', {
      name: 'Bad config',
      accountIds: [accounts[0]!.id],
      config: { strategy: { sides: 'sideways', colour: 1 }, intake: { ipAllowlist: ['not-an-ip'] } },
    });
    expect(res.status).toBe(400);
    const text = res.body.errors.map((e) => `${e.path} ${e.message}`).join('\n');
    expect(text).toContain('/config/strategy/sides');
    expect(text).toContain('unknown field "colour"');
    expect(text).toContain('/config/intake/ipAllowlist/0');
  });

  it('a client that keeps sending a 6 MiB chunked body past the limit, reading only afterwards, still receives the 413 (no reset)', async () => {
    // The client writes 6 MiB (more than the loopback buffers hold) in 16 KiB chunks without reading (its socket
    // is paused), as a simple HTTP client does, and only then reads. Closing the connection while request bytes are unread makes the kernel answer
    // with a reset, which wipes the 413 waiting unread in the client's receive buffer.
    const answer = await new Promise<{ text: string; error?: string }>((resolve) => {
      let text = '';
      let error: string | undefined;
      const s = net.connect(agent.info.webhookPort, '127.0.0.1', () => {
        s.pause();
        s.write(`POST ${hook} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const piece = 'a'.repeat(16 * 1024);
        let sent = 0;
        const pump = (): void => {
          while (sent < 6 * 1024 * 1024) {
            sent += piece.length;
            if (!s.write(`${piece.length.toString(16)}\r\n${piece}\r\n`)) return void s.once('drain', pump);
          }
          s.write('0\r\n\r\n', () => setTimeout(() => s.resume(), 200));
        };
        pump();
      });
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('error', (e) => (error = e.message));
      s.on('close', () => resolve({ text, error }));
      s.setTimeout(10_000, () => s.destroy());
    });
    expect(answer.error).toBeUndefined();
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 'rejected', code: 'BODY_TOO_LARGE' });
    expect((await fetch(`${agent.webhookBase}/health`)).status).toBe(200);
  });

  it('a declared content-length over the limit is answered 413 even while the client goes on sending the body', async () => {
    const answer = await new Promise<{ text: string; error?: string }>((resolve) => {
      let text = '';
      let error: string | undefined;
      const body = 'b'.repeat(6 * 1024 * 1024);
      const s = net.connect(agent.info.webhookPort, '127.0.0.1', () => {
        s.pause();
        s.write(`POST ${hook} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
        s.write(body, () => setTimeout(() => s.resume(), 200));
      });
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('error', (e) => (error = e.message));
      s.on('close', () => resolve({ text, error }));
      s.setTimeout(10_000, () => s.destroy());
    });
    expect(answer.error).toBeUndefined();
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('a connection that sends a partial request never crashes the listener', async () => {
    await new Promise<void>((resolve) => {
      const s = net.connect(agent.info.webhookPort, '127.0.0.1', () => {
        s.write(`POST ${hook} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"tick`);
        s.destroy();
        resolve();
      });
    });
    const res = await fetch(`${agent.webhookBase}/health`);
    expect(res.status).toBe(200);
  });
});

describe('client address behind a tunnel', () => {
  it('trusts X-Forwarded-For only from a loopback peer, and only its right-most entry', () => {
    expect(clientAddress('127.0.0.1', { 'x-forwarded-for': '52.89.214.238, 203.0.113.9' })).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', { 'x-forwarded-for': '52.89.214.238' })).toBe('52.89.214.238');
    expect(clientAddress('203.0.113.9', { 'x-forwarded-for': '52.89.214.238' })).toBe('203.0.113.9');
  });

  it('an IPv4-mapped peer (a listener on ::) is its IPv4 address; headers no provider writes (Forwarded, X-Real-IP) are never read', () => {
    const spoofed = { 'x-forwarded-for': '52.89.214.238', 'cf-connecting-ip': '52.89.214.238', forwarded: 'for=52.89.214.238', 'x-real-ip': '52.89.214.238' };
    // TradingView connecting straight to a listener on :: (a router forwarding port 443, the manual provider).
    expect(clientAddress('::ffff:52.89.214.238', {})).toBe('52.89.214.238');
    for (const trusted of ['x-forwarded-for', 'cf-connecting-ip'] as const) {
      expect(clientAddress('::ffff:203.0.113.9', spoofed, trusted)).toBe('203.0.113.9');
      expect(clientAddress('::1', { forwarded: 'for=52.89.214.238', 'x-real-ip': '52.89.214.238' }, trusted)).toBe('::1');
    }
    expect(clientAddress('::ffff:127.0.0.1', { 'x-forwarded-for': '198.51.100.1, 52.89.214.238' })).toBe('52.89.214.238');
  });

  it('reads CF-Connecting-IP only when the provider is cloudflared, and then ignores X-Forwarded-For', () => {
    const headers = { 'cf-connecting-ip': '34.212.75.30', 'x-forwarded-for': '203.0.113.9' };
    expect(clientAddress('::ffff:127.0.0.1', headers, 'x-forwarded-for')).toBe('203.0.113.9');
    expect(clientAddress('::ffff:127.0.0.1', { 'cf-connecting-ip': '34.212.75.30' }, 'x-forwarded-for')).toBe('127.0.0.1');
    expect(clientAddress('::ffff:127.0.0.1', headers, 'cf-connecting-ip')).toBe('34.212.75.30');
    expect(clientAddress('127.0.0.1', { 'x-forwarded-for': '34.212.75.30' }, 'cf-connecting-ip')).toBe('127.0.0.1');
    // Two CF-Connecting-IP headers (node joins them): one was not written by Cloudflare.
    expect(clientAddress('127.0.0.1', { 'cf-connecting-ip': '34.212.75.30, 203.0.113.9' }, 'cf-connecting-ip')).toBe('127.0.0.1');
    expect(clientAddress('203.0.113.9', headers, 'cf-connecting-ip')).toBe('203.0.113.9');
    expect(forwardedHeaderFor('cloudflared')).toBe('cf-connecting-ip');
    for (const p of ['ngrok', 'localtunnel', 'manual', undefined]) expect(forwardedHeaderFor(p)).toBe('x-forwarded-for');
  });
});
