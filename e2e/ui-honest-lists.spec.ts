/// <reference lib="dom" />
// What the window says about a busy day must be true: today's refused TradingView alerts stay in "Needs attention"
// after hundreds of denials, counts taken from a cut list say so ("200+"), the Signals page says when it is cut and
// loads more, the raw body is the text as received, the alert tester shows the agent's warnings and refuses the
// passphrase placeholder, and Approve asks first, shows the price, and explains a refusal in plain words.
import { test, expect, type Page } from '@playwright/test';
import { startAgent, type RunningAgent } from './support/agent.js';
import { collectConsoleErrors } from './support/console.js';

let agent: RunningAgent;
let strategyId = '';
let webhookUrl = '';
const PASSPHRASE = 'correct-horse-42';
const DENIALS = 520;
const DUP_BODY = `{"ticker":"DUPK","action":"sell","action":"buy","quantity":1.10,"price":190.12345678901234567890,"passphrase":"${PASSPHRASE}"}`;

async function post(body: string): Promise<number> {
  const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  return res.status;
}

test.beforeAll(async () => {
  agent = await startAgent();
  const accounts = await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts');
  const paper = accounts.body.items[0]!.id;
  const created = await agent.api<{ id: string; webhookUrl: string }>('POST', '/api/strategies', { name: 'Busy day', accountIds: [paper], passphrase: PASSPHRASE });
  expect(created.status).toBe(201);
  strategyId = created.body.id;
  webhookUrl = created.body.webhookUrl;
  const manual = await agent.api<{ id: string; webhookUrl: string }>('POST', '/api/strategies', {
    name: 'Manual approval',
    accountIds: [paper],
    config: { strategy: { approval: { mode: 'manual', timeoutSeconds: 600 } } },
  });
  expect(manual.status).toBe(201);
  const held = await fetch(manual.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticker: 'AMD', action: 'buy', quantity: 4, price: '120.25' }) });
  expect(held.status).toBe(202);

  // Refused at the webhook early in the day: a wrong passphrase, a cut-off body, a repeated key.
  expect(await post(JSON.stringify({ ticker: 'AAPL', action: 'buy', quantity: 1, passphrase: 'wrong' }))).toBe(401);
  expect(await post(`{"ticker":"AAPL","action":"buy","passphrase":"${PASSPHRASE}`)).toBe(400);
  expect(await post(DUP_BODY)).toBe(400);
  // Then hundreds of routine denials: trading is halted, each alert is recorded and denied.
  expect((await agent.api('PUT', '/api/trading-state', { state: 'halted', reason: 'busy-day test' })).status).toBe(200);
  for (let i = 0; i < DENIALS; i += 20) {
    const batch = Array.from({ length: Math.min(20, DENIALS - i) }, (_, k) => post(JSON.stringify({ ticker: `BULK${(i + k) % 5}`, action: 'buy', quantity: 1, id: `bulk-${i + k}`, passphrase: PASSPHRASE })));
    expect((await Promise.all(batch)).every((s) => s === 202)).toBe(true);
  }
  await expect(async () => {
    const status = await agent.api<{ signals: Record<string, number> }>('GET', '/api/status');
    expect(status.body.signals.denied).toBe(DENIALS);
  }).toPass({ timeout: 30_000 });
});

test.afterAll(async () => {
  await agent?.stop();
});

async function go(page: Page, nav: string) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: nav, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: nav })).toBeVisible();
}

test('the dashboard keeps today\'s rejections in "Needs attention" after 520 denials and says "200+" for a cut count', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  const rejections = page.getByTestId('attention-rejection');
  await expect(rejections).toHaveCount(3);
  await expect(rejections.filter({ hasText: 'PASSPHRASE_INVALID' })).toHaveCount(1);
  await expect(rejections.filter({ hasText: 'TRUNCATED_JSON' })).toHaveCount(1);
  await expect(rejections.filter({ hasText: 'INVALID_FIELD' })).toHaveCount(1);
  await expect(page.getByTestId('attention-denial')).toHaveCount(10);
  await expect(page.getByTestId('attention-denied-more')).toContainText('more alerts were denied today');
  await expect(page.getByTestId('today-signals-count')).toHaveText('200+');
  expect(errors).toEqual([]);
});

test('the Signals page says when the list is cut and loads more on request', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  await go(page, 'Signals');
  await expect(page.getByTestId('signal')).toHaveCount(500);
  await expect(page.getByTestId('signals-truncated')).toContainText('newest 500 signals only: more match');
  await page.getByTestId('signals-truncated').getByRole('button', { name: 'Load up to 2,000' }).click();
  // Every alert: the denials, the three rejections and the held AMD order's alert.
  await expect(page.getByTestId('signal')).toHaveCount(DENIALS + 4);
  await expect(page.getByTestId('signals-truncated')).toHaveCount(0);
  await expect(page.getByTestId('signals-count')).toHaveText(`${DENIALS + 4} signals`);
  // A filter narrows the list and starts again from the first window.
  await page.getByLabel('Status').selectOption('rejected');
  await expect(page.getByTestId('signal')).toHaveCount(3);
  expect(errors).toEqual([]);
});

test('a signal\'s raw body is the text as received: the repeated key, 1.10 and the long price are kept', async ({ page }) => {
  const list = await agent.api<{ items: { id: string; rawBody: string }[] }>('GET', '/api/signals?status=rejected');
  const dup = list.body.items.find((s) => s.rawBody.includes('DUPK'));
  expect(dup).toBeDefined();
  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  await page.evaluate((id) => (window.location.hash = `/signals/${id}`), dup!.id);
  const raw = page.getByTestId('raw-body');
  await expect(raw).toBeVisible();
  expect(await raw.textContent()).toBe(dup!.rawBody);
  // The indented view only moves whitespace: both actions and every digit are there.
  await page.getByText('Indented view').click();
  const indented = (await page.getByTestId('raw-body-indented').textContent()) ?? '';
  expect(indented).toContain('"action": "sell",\n  "action": "buy"');
  expect(indented).toContain('"quantity": 1.10');
  expect(indented).toContain('190.12345678901234567890');
  expect(errors).toEqual([]);
});

test('the alert tester shows the agent\'s warnings and refuses the passphrase placeholder', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  await page.evaluate((id) => (window.location.hash = `/strategies/${id}`), strategyId);
  await expect(page.getByRole('heading', { level: 1, name: 'Busy day' })).toBeVisible();
  await page.getByTestId('tester-text').fill('{"ticker":"AAPL","action":"buy","quantity":"1","id":"Long","passphrase":"<your passphrase>"}');
  await page.getByTestId('tester-check').click();
  await expect(page.getByTestId('tester-headline')).toHaveText('1 problem to fix before this alert can trade, and 1 warning.');
  await expect(page.getByTestId('tester-problem')).toContainText('<your passphrase>');
  await expect(page.getByTestId('tester-warning')).toContainText('{{timenow}}');
  await expect(page.getByTestId('tester-result')).not.toContainText('without problems');

  // With the real passphrase the problem is gone, the warning stays, and "without problems" is still not said.
  await page.getByTestId('tester-text').fill(`{"ticker":"AAPL","action":"buy","quantity":"1","id":"Long","passphrase":"${PASSPHRASE}"}`);
  await page.getByTestId('tester-check').click();
  await expect(page.getByTestId('tester-problem')).toHaveCount(0);
  await expect(page.getByTestId('tester-warning')).toHaveCount(1);
  await expect(page.getByTestId('tester-headline')).toContainText('with 1 warning');
  expect(errors).toEqual([]);
});

test('Approve shows the price, asks first, explains a halted refusal in plain words, then sends once', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(agent.info.uiUrl);
  await go(page, 'Approvals');
  const row = page.getByTestId('approval-row').filter({ hasText: 'AMD' });
  await expect(row.getByTestId('approval-price')).toHaveText('market (alert price 120.25)');

  // One click does not send: a dialog asks first, and Cancel sends nothing.
  await row.getByRole('button', { name: 'Approve buy 4 AMD' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send this order?' });
  await expect(dialog).toContainText('buy 4 AMD, market (alert price 120.25)');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect((await agent.api<{ items: unknown[] }>('GET', '/api/orders')).body.items).toEqual([]);

  // Trading is still halted: the refusal reads "Trading is halted.", not the raw rule detail.
  await row.getByRole('button', { name: 'Approve buy 4 AMD' }).click();
  await dialog.getByRole('button', { name: 'Approve and send' }).click();
  const refusal = dialog.getByRole('alert');
  await expect(refusal).toContainText('TRADING_HALTED Trading is halted.');
  await expect(refusal).toContainText('Resume trading');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  expect((await agent.api('PUT', '/api/trading-state', { state: 'active' })).status).toBe(200);
  await row.getByRole('button', { name: 'Approve buy 4 AMD' }).click();
  await dialog.getByRole('button', { name: 'Approve and send' }).click();
  await expect(page.getByTestId('approval-sent')).toContainText('filled');
  const orders = await agent.api<{ items: { symbol: string; quantity: string }[] }>('GET', '/api/orders');
  expect(orders.body.items).toEqual([expect.objectContaining({ symbol: 'AMD', quantity: '4' })]);
  expect(pageErrors).toEqual([]);
});
