/// <reference lib="dom" />
// The trader's whole day in the window, against a real agent: create a strategy, copy its alert message, send it,
// watch the order fill live, read its timeline, halt, see the next alert denied with its reason, flatten.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agentForFile, go } from './support/per-file.js';
import { collectConsoleErrors } from './support/console.js';
import { screenshot } from './support/screens.js';
import { fillPlaceholders, sampleValues } from '../renderer/src/lib/alert-template.js';

const agent = agentForFile();
const PASSPHRASE = 'correct-horse-42';

function alertFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vz-ui-alert-')), 'alert.json');
  fs.writeFileSync(file, text);
  return file;
}

test('create a strategy, trade its alert live, read the timeline, halt, see the denial, flatten', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${agent.info.controlPort}` });
  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await expect(page.getByTestId('live')).toHaveText(/Live/);
  // The token left the address bar at once.
  expect(page.url()).not.toContain('token=');
  await expect(page.getByTestId('trading-state')).toHaveText('active');
  await screenshot(page, 'dashboard-empty');

  // --- create a strategy on the paper account
  await go(page, 'Strategies');
  await page.getByTestId('strategy-name').fill('UI flow');
  await page.getByTestId('strategy-account').first().check();
  await page.getByTestId('strategy-passphrase').fill(PASSPHRASE);
  await expect(page.getByTestId('strategy-passphrase')).toHaveAccessibleDescription(/^Alerts without it are refused\. It is stored only as a hash/);
  await page.getByTestId('strategy-create').click();
  await expect(page.getByRole('heading', { level: 1, name: 'UI flow' })).toBeVisible();
  const strategyId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
  expect(strategyId).toMatch(/^str_/);
  await expect(page.getByTestId('webhook-url')).toContainText('/webhook/');
  await screenshot(page, 'strategy-detail');

  // --- the alert message: simple buy, copied to the clipboard, equal to the text shown
  await page.getByTestId('mode-simple-buy').check();
  const shown = (await page.getByTestId('alert-template').textContent()) ?? '';
  expect(JSON.parse(shown)).toMatchObject({ ticker: '{{ticker}}', action: 'buy', price: '{{close}}', passphrase: '<your passphrase>' });
  await page.getByTestId('copy-alert').click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(shown);

  // The strategy template carries the strategy placeholders and position fields.
  await page.getByTestId('mode-strategy').check();
  const strategyTemplate = JSON.parse((await page.getByTestId('alert-template').textContent()) ?? '{}') as Record<string, string>;
  expect(strategyTemplate).toMatchObject({ action: '{{strategy.order.action}}', quantity: '{{strategy.order.contracts}}', positionSize: '{{strategy.position_size}}', marketPosition: '{{strategy.market_position}}' });
  await page.getByTestId('mode-simple-buy').check();

  // --- watch the orders page while the alert is sent from outside (no reload)
  await go(page, 'Orders');
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  const values = { ...sampleValues(), ticker: 'MSFT', close: '410.5' };
  const alert = fillPlaceholders(copied, values).replace('<your passphrase>', PASSPHRASE);
  const sent = await agent.cli(['signal', 'send', alertFile(alert), '--strategy', strategyId]);
  expect(sent.stdout).toMatch(/^202 queued sig_/);
  const row = page.getByTestId('order').filter({ hasText: 'MSFT' });
  await expect(row).toContainText('filled');
  await expect(row).toContainText('410.5');
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await screenshot(page, 'orders');

  // --- the order's whole story
  await row.getByRole('link').click();
  await expect(page.getByTestId('order-status')).toHaveText('filled');
  const timeline = page.getByTestId('timeline-entry');
  await expect(timeline.first()).toContainText('Alert received for MSFT');
  await expect(timeline.nth(1)).toContainText('Decision: place order');
  await expect(timeline.filter({ hasText: 'submitting' }).first()).toBeVisible();
  await expect(timeline.filter({ hasText: 'Fill 1 @ 410.5' })).toHaveCount(1);
  await screenshot(page, 'order-detail');

  await go(page, 'Positions');
  await expect(page.getByTestId('position').filter({ hasText: 'MSFT' })).toContainText('1');
  await screenshot(page, 'positions');

  // --- halt, then the next alert is denied with its reason
  await page.getByTestId('halt').click();
  await expect(page.getByTestId('trading-state')).toHaveText('halted');
  await go(page, 'Signals');
  const second = fillPlaceholders(copied, { ...values, ticker: 'NVDA', close: '120', timenow: new Date(Date.now() + 1000).toISOString() }).replace('<your passphrase>', PASSPHRASE);
  expect((await agent.cli(['signal', 'send', alertFile(second), '--strategy', strategyId])).stdout).toMatch(/^202 queued/);
  const denied = page.getByTestId('signal').filter({ hasText: 'NVDA' });
  await expect(denied).toContainText('denied');
  await expect(denied).toContainText('TRADING_HALTED');
  await expect(denied).toContainText('Trading is halted.');
  await screenshot(page, 'signals');
  await denied.getByRole('link').click();
  await expect(page.getByTestId('signal-reason')).toContainText('TRADING_HALTED');
  await expect(page.getByTestId('signal-reason')).toContainText('Resume trading');
  await expect(page.getByTestId('decision')).toContainText('denied');
  await screenshot(page, 'signal-detail');

  await go(page, 'Dashboard');
  await expect(page.getByRole('region', { name: 'Needs attention' })).toContainText('halted');
  await expect(page.getByTestId('attention-denial').filter({ hasText: 'NVDA' })).toContainText('TRADING_HALTED');
  await screenshot(page, 'dashboard');

  // --- flatten all, with its confirmation
  await page.getByTestId('flatten').click();
  const dialog = page.getByRole('dialog', { name: 'Flatten every position?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Flatten all' }).click();
  await expect(page.getByTestId('flatten-result')).toContainText('1 closing order(s)');
  await go(page, 'Positions');
  await expect(page.getByText('No open position.')).toBeVisible();
  await go(page, 'Orders');
  await expect(page.getByTestId('order').filter({ hasText: 'MSFT' }).filter({ hasText: 'sell' })).toContainText('filled');

  await go(page, 'Accounts');
  await expect(page.getByTestId('account').first()).toContainText('Paper');
  await screenshot(page, 'accounts');
  await go(page, 'Strategies');
  await screenshot(page, 'strategies');
  await go(page, 'Settings');
  await screenshot(page, 'settings');

  // The dark theme renders too.
  await page.getByRole('button', { name: /^Theme:/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await go(page, 'Dashboard');
  await screenshot(page, 'dashboard-dark');

  expect(errors).toEqual([]);
});

test('a refused token gets a screen that says what to do, not a blank page', async ({ page }) => {
  await page.goto(`http://127.0.0.1:${agent.info.controlPort}/#token=not-the-token`);
  await expect(page.getByRole('alert')).toContainText('control token');
  await expect(page.getByRole('alert')).toContainText('#token=');
  await screenshot(page, 'bad-token');
});

test('every page is reachable with the keyboard alone', async ({ page }) => {
  await page.goto(agent.info.uiUrl);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  const reached = new Set<string>();
  for (let i = 0; i < 40 && reached.size < 8; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => (document.activeElement?.closest('nav') ? (document.activeElement.textContent ?? '') : ''));
    if (text) reached.add(text);
  }
  expect([...reached].sort()).toEqual(['Accounts', 'Approvals', 'Dashboard', 'Orders', 'Positions', 'Settings', 'Signals', 'Strategies']);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Dashboard');
});
