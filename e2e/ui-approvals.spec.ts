import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAgent, type RunningAgent } from './support/agent.js';
import { collectConsoleErrors } from './support/console.js';

let agent: RunningAgent;

test.beforeAll(async () => {
  agent = await startAgent();
});

test.afterAll(async () => {
  await agent?.stop();
});

test('an alert to a manual-approval strategy waits on the Approvals page with a countdown; approving fills the order', async ({ page }) => {
  const accounts = await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts');
  const created = await agent.api<{ id: string }>('POST', '/api/strategies', {
    name: 'Manual approval',
    accountIds: [accounts.body.items[0]!.id],
    config: { strategy: { approval: { mode: 'manual', timeoutSeconds: 600 } } },
  });
  expect(created.status).toBe(201);
  const alert = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vz-alert-')), 'alert.json');
  fs.writeFileSync(alert, JSON.stringify({ ticker: 'AMD', action: 'buy', quantity: 4, price: 120 }));
  const sent = await agent.cli(['signal', 'send', alert, '--strategy', created.body.id]);
  expect(sent.stdout).toMatch(/^202 queued sig_/);

  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  // The header badge and the dashboard's attention list tell the trader before they open the page.
  await expect(page.getByTestId('approvals-count')).toHaveText('1');
  await expect(page.getByTestId('attention-approvals')).toContainText('approvals waiting');

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Approvals' }).click();
  const row = page.getByTestId('approval-row').filter({ hasText: 'AMD' });
  await expect(row).toContainText('buy');
  await expect(row).toContainText('4');
  await expect(row).toContainText('Manual approval');
  await expect(row).toContainText('Paper');
  const countdown = row.getByTestId('approval-countdown');
  await expect(countdown).toHaveText(/^(9|10):\d\d$/);
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first!, { timeout: 5000 }); // it counts down live
  expect((await agent.api<{ items: unknown[] }>('GET', '/api/orders')).body.items).toEqual([]);

  // Keyboard: focus the Approve button and press Enter.
  const approve = row.getByRole('button', { name: 'Approve buy 4 AMD' });
  await approve.focus();
  await page.keyboard.press('Enter');
  // Approve sends a real order, so it asks first.
  await page.getByRole('dialog', { name: 'Send this order?' }).getByRole('button', { name: 'Approve and send' }).click();
  await expect(page.getByTestId('approval-sent')).toContainText('filled');
  await expect(page.getByTestId('approval-row')).toHaveCount(0);
  await expect(page.getByTestId('approvals-count')).toHaveText('0');

  const orders = await agent.api<{ items: { symbol: string; status: string; quantity: string }[] }>('GET', '/api/orders');
  expect(orders.body.items).toEqual([expect.objectContaining({ symbol: 'AMD', status: 'filled', quantity: '4' })]);
  await page.getByRole('link', { name: /order filled/ }).click();
  await expect(page.locator('main')).toContainText('AMD');

  const list = await agent.cli(['approvals', 'list', '--all']);
  expect(list.stdout).toMatch(/approved\s+buy 4 AMD/);
  expect(errors).toEqual([]);
});

test('the CLI lists a held order and rejects it with a reason; nothing is sent', async () => {
  const strategies = await agent.api<{ items: { id: string; name: string }[] }>('GET', '/api/strategies');
  const manual = strategies.body.items.find((s) => s.name === 'Manual approval')!;
  const alert = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vz-alert-')), 'alert.json');
  fs.writeFileSync(alert, JSON.stringify({ ticker: 'INTC', action: 'buy', quantity: 2, price: 30 }));
  expect((await agent.cli(['signal', 'send', alert, '--strategy', manual.id])).code).toBe(0);
  let id = '';
  await expect(async () => {
    const listed = await agent.cli(['approvals', 'list', '--json']);
    const items = JSON.parse(listed.stdout) as { id: string; symbol: string }[];
    id = items.find((i) => i.symbol === 'INTC')?.id ?? '';
    expect(id).not.toBe('');
  }).toPass({ timeout: 5000 });
  const rejected = await agent.cli(['approvals', 'reject', id, '--reason', 'earnings tonight']);
  expect(rejected.stdout).toContain('rejected');
  expect(rejected.stdout).toContain('earnings tonight');
  const again = await agent.cli(['approvals', 'approve', id]);
  expect(again.code).not.toBe(0);
  expect(again.stderr).toContain('CONFLICT');
  const orders = await agent.api<{ items: { symbol: string }[] }>('GET', '/api/orders');
  expect(orders.body.items.filter((o) => o.symbol === 'INTC')).toEqual([]);
});
