/// <reference lib="dom" />
// The header's layout against a real agent: one line in a 1280 × 800 window, with the tunnel's URL and its links too,
// and with an account held by a state of its own (a compact badge: a long name cut with an ellipsis, the whole of it
// and the reason in its tooltip); in a 1024 px window it wraps onto a second line at most, and every control stays
// on screen and usable.
import { test, expect, type Page } from '@playwright/test';
import { agentForFile } from './support/per-file.js';
import { collectConsoleErrors } from './support/console.js';
import { screenshot } from './support/screens.js';
import type { AccountView, TunnelStatusView } from '../shared/api-types.js';

const agent = agentForFile();
// A name that never resolves: the tunnel check fails at once and the tunnel shows "degraded" with its URL, its copy
// button and its Details link, the widest tunnel badge there is.
const PUBLIC_URL = 'https://steady-river-4821-dawn.example.invalid';
// An account held by a state of its own, with a name too long for the header.
const HELD_NAME = 'Swing futures paper account for the morning session';
const HELD_REASON = 'daily loss limit reached: -512.40 of -500.00 USD';

interface HeaderLayout {
  /** The header's height in px. */
  height: number;
  /** How many lines its items take (items whose vertical middles are further apart than half an item's height). */
  lines: number;
  /** The height of one line: the tallest item and the header's padding. */
  lineHeight: number;
  /** The page is wider than the window (something was pushed off the screen). */
  overflows: boolean;
}

function headerLayout(page: Page): Promise<HeaderLayout> {
  return page.evaluate(() => {
    const header = document.querySelector('header.header')!;
    const style = getComputedStyle(header);
    const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    const items = Array.from(header.querySelectorAll('.brand, .trading-controls > *, .badges > *'))
      .map((e) => e.getBoundingClientRect())
      .filter((b) => b.width > 0 && b.height > 0);
    const tallest = Math.max(...items.map((b) => b.height));
    const middles = items.map((b) => b.top + b.height / 2).sort((a, b) => a - b);
    let lines = 1;
    for (let i = 1; i < middles.length; i++) if (middles[i]! - middles[i - 1]! > tallest / 2) lines++;
    return { height: header.getBoundingClientRect().height, lines, lineHeight: tallest + padding, overflows: document.documentElement.scrollWidth > window.innerWidth };
  });
}

async function expectOneLine(page: Page): Promise<void> {
  const layout = await headerLayout(page);
  expect(layout.lines).toBe(1);
  expect(layout.height).toBeLessThanOrEqual(layout.lineHeight + 1);
  expect(layout.overflows).toBe(false);
}

/** The control is drawn whole inside the window. */
async function expectOnScreen(page: Page, name: string, box: { x: number; y: number; width: number; height: number } | null): Promise<void> {
  const width = page.viewportSize()!.width;
  expect(box, name).not.toBeNull();
  expect(box!.x, name).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, name).toBeLessThanOrEqual(width);
}

test('at 1280 × 800 the header is one line, with the tunnel\'s URL and links too; the URL text shows in a wider window', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(agent.info.uiUrl);
  await expect(page.getByTestId('trading-state')).toHaveText('active');
  await expect(page.getByTestId('tunnel-state')).toHaveText('stopped');
  await expect(page.getByTestId('approvals-count')).toBeVisible();
  await expect(page.getByRole('banner').getByLabel('Broker connections')).toContainText('connected');
  await expectOneLine(page);
  await screenshot(page, 'header-1280');

  // The tunnel with a public URL: its state, Copy URL (the URL in its tooltip) and Details still fit.
  expect((await agent.api('PUT', '/api/tunnel', { provider: 'manual', manual: { publicUrl: PUBLIC_URL } })).status).toBe(200);
  expect((await agent.api<TunnelStatusView>('POST', '/api/tunnel/start')).body.publicUrl).toBe(PUBLIC_URL);
  await page.reload();
  await expect(page.getByTestId('tunnel-state')).toHaveText('degraded');
  const tunnel = page.getByRole('banner').getByLabel('Tunnel');
  await expect(tunnel.getByRole('button', { name: 'Copy URL' })).toBeVisible();
  await expect(tunnel.getByRole('link', { name: 'Details' })).toBeVisible();
  await expect(tunnel.locator('[title]').filter({ has: page.getByRole('button', { name: 'Copy URL' }) })).toHaveAttribute('title', PUBLIC_URL);
  await expect(tunnel.getByText(PUBLIC_URL)).toBeHidden();
  await expectOneLine(page);
  await screenshot(page, 'header-1280-tunnel');

  // A wide window has room for the URL itself (cut with an ellipsis when long), still on one line.
  await page.setViewportSize({ width: 1600, height: 900 });
  await expect(tunnel.getByText(PUBLIC_URL)).toBeVisible();
  await expectOneLine(page);

  // The theme toggle sits under the page list.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.getByRole('banner').getByRole('button', { name: /^Theme:/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Theme:/ })).toBeVisible();
  expect(errors).toEqual([]);
});

test('at 1280 × 800 an account held by its own state still fits the header on one line: its badge is compact, the whole name and reason in its tooltip', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  // The tunnel with its URL and links (started by the test above or here), and a held account with a long name.
  expect((await agent.api('PUT', '/api/tunnel', { provider: 'manual', manual: { publicUrl: PUBLIC_URL } })).status).toBe(200);
  expect((await agent.api('POST', '/api/tunnel/start')).status).toBe(200);
  const created = await agent.api<AccountView>('POST', '/api/accounts', { name: HELD_NAME, broker: 'paper', environment: 'paper' });
  expect(created.status).toBe(201);
  const held = created.body;
  expect((await agent.api('PUT', '/api/trading-state', { state: 'halted', accountId: held.id, reason: HELD_REASON })).status).toBe(200);
  try {
    await page.goto(agent.info.uiUrl);
    const badge = page.getByTestId('account-held');
    await expect(badge).toHaveCount(1);
    await expect(page.getByTestId('live')).toHaveText('Live');
    await expect(page.getByTestId('tunnel-state')).toHaveText('degraded');
    await expect(page.getByRole('banner').getByLabel('Broker connections')).toContainText('connected');

    // Not dropped: the name (cut with an ellipsis), its state and its own Resume… are there, and the whole name with
    // the state and the reason is in its tooltip and what a screen reader hears.
    const full = `${HELD_NAME}: halted because: ${HELD_REASON}`;
    await expect(badge).toHaveAttribute('title', full);
    await expect(badge).toHaveAccessibleName(full);
    await expect(badge.getByText('halted', { exact: true })).toBeVisible();
    const name = badge.getByTestId('account-held-name');
    await expect(name).toHaveText(HELD_NAME);
    expect(await name.evaluate((e) => e.scrollWidth > e.clientWidth && getComputedStyle(e).textOverflow === 'ellipsis')).toBe(true);
    await expect(page.getByRole('button', { name: `Resume ${HELD_NAME}…` })).toBeVisible();

    await expectOneLine(page);
    const banner = page.getByRole('banner');
    for (const [label, control] of [
      ['Halt trading', page.getByTestId('halt')],
      ['Reduce only', page.getByTestId('reduce-only')],
      ['Flatten all…', page.getByTestId('flatten')],
      ['Resume the held account', page.getByTestId('resume-account')],
      ['Approvals', page.getByTestId('approvals-badge')],
      ['Copy URL', banner.getByRole('button', { name: 'Copy URL' })],
      ['Details', banner.getByRole('link', { name: 'Details' })],
      ['P&L', banner.getByLabel('Day P&L')],
    ] as const) {
      await expect(control, label).toBeVisible();
      await expectOnScreen(page, label, await control.boundingBox());
    }
    await screenshot(page, 'header-1280-held');
    expect(errors).toEqual([]);
  } finally {
    await agent.api('PUT', '/api/trading-state', { state: 'active', accountId: held.id });
    await agent.api('DELETE', `/api/accounts/${held.id}?force=true`);
  }
});

test('at 1024 px the header wraps onto a second line at most, and every control stays on screen and works', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 1024, height: 768 });
  // The busiest header: a tunnel with its URL, and an account held by a state of its own beside the trading state.
  expect((await agent.api('PUT', '/api/tunnel', { provider: 'manual', manual: { publicUrl: PUBLIC_URL } })).status).toBe(200);
  expect((await agent.api('POST', '/api/tunnel/start')).status).toBe(200);
  const paper = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items[0]!;
  expect((await agent.api('PUT', '/api/trading-state', { state: 'halted', accountId: paper.id, reason: 'e2e header layout' })).status).toBe(200);
  await page.goto(agent.info.uiUrl);
  await expect(page.getByTestId('account-held')).toContainText(paper.name);
  await expect(page.getByTestId('tunnel-state')).toHaveText('degraded');

  const layout = await headerLayout(page);
  expect(layout.lines).toBeLessThanOrEqual(2);
  expect(layout.overflows).toBe(false);
  const banner = page.getByRole('banner');
  for (const [name, control] of [
    ['Halt trading', page.getByTestId('halt')],
    ['Reduce only', page.getByTestId('reduce-only')],
    ['Flatten all…', page.getByTestId('flatten')],
    [`Resume ${paper.name}…`, page.getByTestId('resume-account')],
    ['Approvals', page.getByTestId('approvals-badge')],
    ['Copy URL', banner.getByRole('button', { name: 'Copy URL' })],
    ['Details', banner.getByRole('link', { name: 'Details' })],
    ['P&L', banner.getByLabel('Day P&L')],
  ] as const) {
    await expect(control, name).toBeVisible();
    await expectOnScreen(page, name, await control.boundingBox());
  }
  await screenshot(page, 'header-1024');

  // The held account's Resume… still acts from the wrapped header.
  await page.getByTestId('resume-account').click();
  const dialog = page.getByRole('dialog', { name: `Resume ${paper.name}?` });
  await dialog.getByRole('button', { name: 'Resume this account' }).click();
  await expect(page.getByTestId('account-held')).toHaveCount(0);
  expect(errors).toEqual([]);
});
