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

test('an alert sent with the CLI fills at the paper broker and shows in the UI with the demo strategy', async ({ page }) => {
  const alert = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vz-alert-')), 'alert.json');
  fs.writeFileSync(alert, JSON.stringify({ ticker: 'AAPL', action: 'buy', quantity: 1, price: 190 }));
  const sent = await agent.cli(['signal', 'send', alert]);
  expect(sent.stdout).toMatch(/^202 queued sig_/);

  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  await expect(page.getByTestId('strategy')).toContainText('Demo strategy');
  const row = page.getByTestId('order').filter({ hasText: 'AAPL' });
  await expect(row).toContainText('filled');
  await expect(row).toContainText('190');
  expect(errors).toEqual([]);
});

test('the UI without a token says how to get one', async ({ page }) => {
  await page.goto(`http://127.0.0.1:${agent.info.controlPort}/`);
  await expect(page.getByRole('alert')).toContainText('control token');
});
