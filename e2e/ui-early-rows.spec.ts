import { test, expect, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedOrders } from '../bench/ui-orders-seed.js';
import { startAgent, type RunningAgent } from './support/agent.js';
import { collectConsoleErrors } from './support/console.js';
import { screenshot } from './support/screens.js';

// The orders page paints its first rows from the entry script's early answer, before the app's code (React) has
// run; the app then starts from the same answer. Holding the app's code back makes both moments observable.
const ORDERS = 500;
let agent: RunningAgent;

test.beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vz-e2e-early-'));
  seedOrders(dataDir, ORDERS);
  agent = await startAgent({ dataDir });
});

test.afterAll(async () => {
  await agent?.stop();
});

const early = (page: Page) => page.locator('#root > [aria-busy="true"]');
const rowLinks = (page: Page) => page.getByTestId('order').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));

test('the orders page shows its first rows before the app code runs, and the app keeps exactly those rows', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  let releaseApp!: () => void;
  const appHeld = new Promise<void>((r) => (releaseApp = r));
  await page.route(/\/assets\/boot-[^/]+\.js$/, async (route) => {
    await appHeld;
    await route.continue();
  });
  await page.goto(agent.info.uiUrl.replace('#token=', '#/orders&token='));

  // Early rows: the newest orders, in the table's own order and cells, while the app's code is still held back.
  await expect(early(page)).toBeVisible();
  await expect(page.getByTestId('orders-total')).toHaveText('500 orders');
  const api = await agent.api<{ items: { id: string; symbol: string; status: string; side: string }[] }>('GET', '/api/orders?sort=created_at&direction=desc&limit=100&offset=0');
  const newest = api.body.items[0]!;
  const earlyLinks = await rowLinks(page);
  expect(earlyLinks.length).toBeGreaterThanOrEqual(20);
  expect(earlyLinks).toEqual(api.body.items.slice(0, earlyLinks.length).map((o) => `#/orders/${o.id}`));
  const firstRow = page.getByTestId('order').first();
  await expect(firstRow).toContainText(newest.symbol);
  await expect(firstRow).toContainText(newest.side);
  await expect(firstRow.locator('.pill')).toHaveText(newest.status.replace(/_/g, ' '));
  await expect(page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Orders' })).toHaveAttribute('aria-current', 'page');
  const marked = await page.evaluate(() => performance.getEntriesByName('vz-orders-first-rows').length);
  expect(marked).toBe(1);
  await expect(page.getByTestId('halt')).toHaveCount(0); // the app itself has not run
  await screenshot(page, 'orders-early-rows');

  // The app takes over: same rows, same order, now interactive, and the first-rows mark is not set twice.
  releaseApp();
  await expect(page.getByTestId('halt')).toBeVisible();
  await expect(early(page)).toHaveCount(0);
  const appLinks = await rowLinks(page);
  const shared = Math.min(appLinks.length, earlyLinks.length);
  expect(shared).toBeGreaterThanOrEqual(20);
  expect(appLinks.slice(0, shared)).toEqual(earlyLinks.slice(0, shared));
  await expect(page.getByTestId('orders-total')).toHaveText('500 orders');
  expect(await page.evaluate(() => performance.getEntriesByName('vz-orders-first-rows').length)).toBe(1);
  await screenshot(page, 'orders-after-early-rows');
  await page.getByTestId('filter-symbol').fill('NVDA');
  await expect(page.getByTestId('order').first()).toContainText('NVDA');
  expect(errors).toEqual([]);
});

test('a refused token paints no early rows: the app says the token is wrong', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl.replace(/#token=.*$/, '#/orders&token=not-the-token'));
  await expect(page.getByRole('alert')).toContainText('refused this window');
  await expect(page.getByTestId('order')).toHaveCount(0);
  expect(errors.filter((e) => !/401|Unauthorized/i.test(e))).toEqual([]);
});
