/// <reference lib="dom" />
// Notifications that do not arrive are shown, and a channel can be disabled or removed for real, against a real agent,
// real paper fills and a local server that answers like Discord's webhooks (main/notify/testing/fake-services.ts):
// - a fill notification the agent gives up (the webhook is gone) is listed under "Not delivered", with when, where,
//   what and why, and the trader clears the list;
// - Disable keeps everything (the settings, the webhook URL) and Enable turns the channel on again;
// - Remove asks first (Cancel changes nothing), then the agent forgets the settings, gives up the messages still
//   waiting (listed under "Not delivered") and deletes the webhook URL from the keychain.
// - "Send again" on a given-up message queues it again (POST /api/notifications/outbox/<id>/retry): once the webhook
//   is right it reaches the service, and the focus goes to the message saying so.
// The webhook URL (a canary) is in no page, answer the page read, or log line.
import { test, expect } from '@playwright/test';
import { agentForFile, go } from './support/per-file.js';
import { collectConsoleErrors } from './support/console.js';
import { recordAnswers } from './support/answers.js';
import { screenshot } from './support/screens.js';
import { fakeDiscord, type FakeService } from '../main/notify/testing/fake-services.js';
import type { VaultStatusView } from '../shared/api-types.js';
import { NOTIFY_KINDS, type NotificationsView, type UndeliveredView } from '../shared/notify.js';

const agent = agentForFile();
const WEBHOOK_ID = '515151';
const CANARY = `CANARYUNDELIVERED${Date.now().toString(36)}e2e`;
const GOOD_URL = `https://discord.com/api/webhooks/${WEBHOOK_ID}/${CANARY}`;
const GONE_URL = `https://discord.com/api/webhooks/999999/${CANARY}`; // an id the service does not know: 404
let discord: FakeService;
let webhookUrl = '';

test.beforeAll(async () => {
  discord = await fakeDiscord({ id: WEBHOOK_ID, token: CANARY });
  const accounts = await agent.api<{ items: { id: string; broker: string }[] }>('GET', '/api/accounts');
  const paper = accounts.body.items.find((a) => a.broker === 'paper')!.id;
  const created = await agent.api<{ webhookUrl: string }>('POST', '/api/strategies', { name: 'Notified', accountIds: [paper] });
  expect(created.status).toBe(201);
  webhookUrl = created.body.webhookUrl;
});
test.afterAll(async () => {
  await discord?.close();
});
// The spec files share the machine's keychain: whatever happened, this one leaves no notify:discord behind.
test.afterEach(async () => {
  await agent.api('DELETE', '/api/notifications/channels/discord');
});

/** A TradingView alert that the paper broker fills: one `fill` notification. */
async function alert(ticker: string): Promise<void> {
  const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticker, action: 'buy', quantity: 1, price: 100 }) });
  expect(res.status).toBe(202);
}

test('a given-up fill notification is listed and cleared; Disable keeps the channel, Remove asks, forgets it, gives up what waited and deletes its webhook URL', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  const answers = recordAnswers(page);
  const vault = (await agent.api<VaultStatusView>('GET', '/api/vault/status')).body;
  if (!vault.writable && process.env.VIEWZENIX_REQUIRE_KEYCHAIN === '1') throw new Error(`VIEWZENIX_REQUIRE_KEYCHAIN=1 but the agent's keychain is not writable: ${vault.message}`);
  test.skip(!vault.writable, `no writable keychain here (${vault.backend}): run in a D-Bus session with gnome-keyring, as scripts/test-all.sh does`);
  const pageRequests: string[] = [];
  page.on('request', (r) => {
    const p = new URL(r.url()).pathname;
    if (r.method() !== 'GET' && p.startsWith('/api/')) pageRequests.push(`${r.method()} ${decodeURIComponent(p)}${new URL(r.url()).search ? '?…' : ''}`);
  });

  // --- a channel whose webhook was deleted at the service: the fill notification is given up at once
  expect((await agent.api('PUT', '/api/credentials/notify:discord', { value: GONE_URL })).status).toBe(200);
  expect((await agent.api('PUT', '/api/notifications/channels/discord', { enabled: true, events: ['fill'], baseUrl: discord.base })).status).toBe(200);
  await alert('MSFT');
  await expect.poll(async () => (await agent.api<UndeliveredView>('GET', '/api/notifications/undelivered')).body.total, { timeout: 15_000 }).toBe(1);

  await page.goto(agent.info.uiUrl);
  await go(page, 'Settings');
  const section = page.getByRole('region', { name: 'Notifications', exact: true });
  const undelivered = section.getByRole('region', { name: 'Not delivered' });
  const rows = undelivered.getByTestId('notify-undelivered-item');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Discord');
  await expect(rows.first()).toContainText('Filled: buy 1 MSFT');
  await expect(rows.first()).toContainText('Discord answered 404');
  await expect(rows.first()).toContainText('Unknown Webhook');
  await expect(rows.first().locator('td').first()).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  await expect(section.getByTestId('notify-channel-discord').locator('dl')).toContainText('1 given up');
  await undelivered.scrollIntoViewIfNeeded();
  await screenshot(page, 'settings-notifications-undelivered');

  await undelivered.getByRole('button', { name: 'Clear the list' }).click();
  await expect(undelivered).toContainText('No notification was given up: every one was delivered, or is still being tried.');
  await expect(rows).toHaveCount(0);
  expect((await agent.api<UndeliveredView>('GET', '/api/notifications/undelivered')).body.total).toBe(0);
  await expect(section.getByTestId('notify-channel-discord').locator('dl')).not.toContainText('given up');

  // --- the right webhook, a pace of one a minute: of three fills one is sent and two wait their turn
  expect((await agent.api('PUT', '/api/credentials/notify:discord', { value: GOOD_URL })).status).toBe(200);
  expect((await agent.api('PUT', '/api/notifications/channels/discord', { enabled: true, events: ['fill'], baseUrl: discord.base, perMinute: 1 })).status).toBe(200);
  for (const t of ['AAPL', 'NVDA', 'AMZN']) await alert(t);
  await expect.poll(async () => (await agent.api<NotificationsView>('GET', '/api/notifications')).body.channels.find((c) => c.channel === 'discord')!.outbox, { timeout: 15_000 }).toEqual({ sent: 1, pending: 2 });
  const delivered = () => discord.received.filter((r) => r.path.startsWith(`/api/webhooks/${WEBHOOK_ID}/`)).length;
  expect(delivered()).toBe(1);
  await page.reload();
  const card = section.getByTestId('notify-channel-discord');
  await expect(card.locator('dl')).toContainText('2 waiting');

  // --- Disable keeps everything, Enable turns it on again
  await card.getByRole('button', { name: 'Disable Discord' }).click();
  await expect(card.getByTestId('notify-enabled-discord')).toHaveText('off');
  await expect(card.getByRole('button', { name: 'Enable Discord' })).toBeFocused();
  expect((await agent.api<NotificationsView>('GET', '/api/notifications')).body.config.discord).toEqual({ enabled: false, events: ['fill'], baseUrl: discord.base, perMinute: 1 });
  expect((await agent.api<{ items: { name: string }[] }>('GET', '/api/credentials')).body.items.map((i) => i.name)).toContain('notify:discord');
  await card.getByRole('button', { name: 'Enable Discord' }).click();
  await expect(card.getByTestId('notify-enabled-discord')).toHaveText('on');
  expect((await agent.api<NotificationsView>('GET', '/api/notifications')).body.config.discord).toEqual({ enabled: true, events: ['fill'], baseUrl: discord.base, perMinute: 1 });

  // --- Remove asks first: Cancel (focused) changes nothing
  await card.getByRole('button', { name: 'Remove Discord' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove Discord?' });
  await expect(dialog).toContainText('forgets its settings, and the webhook URL is deleted from the keychain');
  await expect(dialog).toContainText('To stop it for a while and keep its settings, use Disable instead.');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  expect((await agent.api<NotificationsView>('GET', '/api/notifications')).body.config.discord).toMatchObject({ enabled: true, perMinute: 1 });
  expect((await agent.api<{ items: { name: string }[] }>('GET', '/api/credentials')).body.items.map((i) => i.name)).toContain('notify:discord');

  // --- then confirmed: one request; the settings are forgotten, the two waiting messages given up, the URL deleted
  await card.getByRole('button', { name: 'Remove Discord' }).click();
  await screenshot(page, 'settings-notifications-remove');
  const removal = page.waitForResponse((r) => r.url().endsWith('/api/notifications/channels/discord') && r.request().method() === 'DELETE');
  await dialog.getByRole('button', { name: 'Remove Discord' }).click();
  expect((await removal).status()).toBe(200);
  await expect(card).toHaveCount(0);
  await expect(section.getByRole('heading', { name: 'Notifications' })).toBeFocused();
  await expect(section.getByTestId('notify-removed')).toHaveText(
    'Discord was removed: its settings are forgotten and its credential was deleted from the keychain. 2 messages that were still waiting for it are listed under Not delivered.',
  );
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) {
    await expect(row).toContainText('The discord channel was removed before this message was sent.');
    await expect(row).toContainText(/Filled: buy 1 (NVDA|AMZN)/);
  }
  const after = (await agent.api<NotificationsView>('GET', '/api/notifications')).body;
  expect(after.config.discord).toEqual({ enabled: false, events: [...NOTIFY_KINDS] });
  expect((await agent.api<{ items: { name: string }[] }>('GET', '/api/credentials')).body.items.map((i) => i.name)).not.toContain('notify:discord');
  await expect(section.getByLabel('Add a channel').locator('option', { hasText: 'Discord' })).toHaveCount(1);
  expect(pageRequests).toEqual(['DELETE /api/notifications/undelivered?…', 'PUT /api/notifications/channels/discord', 'PUT /api/notifications/channels/discord', 'DELETE /api/notifications/channels/discord']);
  expect(delivered()).toBe(1); // nothing more went out

  await undelivered.getByRole('button', { name: 'Clear the list' }).click();
  await expect(rows).toHaveCount(0);

  // --- the canary: the webhook URL is in no answer the page read, not in the page, not in the agent's output
  const read = await answers();
  expect(read).toContain('Unknown Webhook'); // the record holds what the page read
  expect(read).not.toContain(CANARY);
  expect(await page.content()).not.toContain(CANARY);
  expect(agent.output()).not.toContain(CANARY);
  expect(errors).toEqual([]);
});

test('"Send again" queues one given-up message again: it reaches the service once the webhook is right, leaves the list, and the focus goes to what happened', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  const vault = (await agent.api<VaultStatusView>('GET', '/api/vault/status')).body;
  if (!vault.writable && process.env.VIEWZENIX_REQUIRE_KEYCHAIN === '1') throw new Error(`VIEWZENIX_REQUIRE_KEYCHAIN=1 but the agent's keychain is not writable: ${vault.message}`);
  test.skip(!vault.writable, `no writable keychain here (${vault.backend}): run in a D-Bus session with gnome-keyring, as scripts/test-all.sh does`);
  const retries: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/retry$/.test(new URL(r.url()).pathname)) retries.push(new URL(r.url()).pathname);
  });
  const delivered = () => discord.received.filter((r) => r.path.startsWith(`/api/webhooks/${WEBHOOK_ID}/`));
  const before = delivered().length;

  // Two fill notifications given up (the webhook was deleted at the service).
  expect((await agent.api('PUT', '/api/credentials/notify:discord', { value: GONE_URL })).status).toBe(200);
  expect((await agent.api('PUT', '/api/notifications/channels/discord', { enabled: true, events: ['fill'], baseUrl: discord.base })).status).toBe(200);
  await alert('TSLA');
  await alert('META');
  await expect.poll(async () => (await agent.api<UndeliveredView>('GET', '/api/notifications/undelivered')).body.total, { timeout: 15_000 }).toBe(2);
  const tsla = (await agent.api<UndeliveredView>('GET', '/api/notifications/undelivered')).body.items.find((i) => i.title.includes('TSLA'))!;
  // The trader pastes the webhook that works.
  expect((await agent.api('PUT', '/api/credentials/notify:discord', { value: GOOD_URL })).status).toBe(200);

  await page.goto(agent.info.uiUrl);
  await go(page, 'Settings');
  const section = page.getByRole('region', { name: 'Notifications', exact: true });
  const undelivered = section.getByRole('region', { name: 'Not delivered' });
  const rows = undelivered.getByTestId('notify-undelivered-item');
  await expect(rows).toHaveCount(2);
  const row = rows.filter({ hasText: 'Filled: buy 1 TSLA' });
  const again = row.getByRole('button', { name: `Send again: ${tsla.title}, to Discord` });
  await expect(again).toBeVisible();
  await undelivered.scrollIntoViewIfNeeded();
  await screenshot(page, 'settings-notifications-send-again');

  // From the keyboard: the row leaves the list, and the focus goes to the message saying what happened (not the page).
  await again.focus();
  await page.keyboard.press('Enter');
  const requeued = undelivered.getByTestId('notify-undelivered-requeued');
  await expect(requeued).toHaveText(`Queued again: “${tsla.title}” is sent to Discord at its pace. If it fails again, it comes back to this list.`);
  await expect(requeued).toHaveAttribute('role', 'status');
  await expect(requeued).toBeFocused();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Filled: buy 1 META');
  expect(retries).toEqual([`/api/notifications/outbox/${tsla.id}/retry`]);

  // The service got it, once; the other given-up message was not sent.
  await expect.poll(() => delivered().length, { timeout: 15_000 }).toBe(before + 1);
  expect(JSON.stringify(delivered().at(-1)!.body)).toContain('TSLA');
  expect(JSON.stringify(delivered().at(-1)!.body)).not.toContain('META');
  const left = (await agent.api<UndeliveredView>('GET', '/api/notifications/undelivered')).body;
  expect(left.items.map((i) => i.title)).toEqual([expect.stringContaining('META')]);
  await expect(section.getByTestId('notify-channel-discord').locator('dl')).toContainText('1 given up');

  // A message that is no longer given up (sent again from elsewhere meanwhile) is refused with the agent's reason.
  const meta = left.items[0]!;
  expect((await agent.api('POST', `/api/notifications/outbox/${meta.id}/retry`)).status).toBe(200);
  await rows.first().getByRole('button', { name: /^Send again: Filled: buy 1 META/ }).click();
  await expect(undelivered.getByRole('alert')).toContainText('NOT_FOUND');
  await expect(undelivered.getByRole('alert')).toContainText('No given-up notification has this id');
  await expect(rows).toHaveCount(0);
  await expect.poll(() => delivered().length, { timeout: 15_000 }).toBe(before + 2);
  // Chromium logs the refusal's 404 answer, which support/console.ts allows under /api/notifications; no page error.
  expect(errors).toEqual([]);
});
