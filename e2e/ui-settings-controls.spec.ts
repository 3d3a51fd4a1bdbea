/// <reference lib="dom" />
// The tunnel settings form, the per-account trading controls and the token screen, against a real agent:
// each saved setting is read back from the API, never trusted from the screen.
import { test, expect, type Page } from '@playwright/test';
import { agentForFile, go } from './support/per-file.js';
import { collectConsoleErrors } from './support/console.js';
import { screenshot } from './support/screens.js';
import type { AccountView, TradingStateView, TunnelStatusView, VaultStatusView } from '../shared/api-types.js';

const agent = agentForFile();
const NGROK_CANARY = `CANARYNGROK-${Date.now().toString(36)}-e2e`;

async function tunnel(): Promise<TunnelStatusView> {
  const r = await agent.api<TunnelStatusView>('GET', '/api/tunnel');
  expect(r.status).toBe(200);
  return r.body;
}

async function saveAndWait(page: Page) {
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/tunnel') && r.request().method() === 'PUT');
  await page.getByTestId('tunnel-save').click();
  return answer;
}

test('tunnel settings for manual, localtunnel and ngrok are saved as the API takes them; the ngrok token goes to the keychain only', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  await go(page, 'Settings');
  const form = page.getByTestId('tunnel-form');

  // No tunnel has run: the status card says "stopped" without a "since" and its empty time.
  const card = page.getByRole('region', { name: 'Tunnel', exact: true });
  await expect(card).toContainText('stopped');
  await expect(card).not.toContainText(/since\s*·/);
  await expect(card).not.toContainText('since');
  // Nothing saved yet: no provider is checked, and autoStart is shown as the agent reports it.
  for (const p of ['ngrok', 'cloudflared', 'localtunnel', 'manual']) await expect(page.getByTestId(`tunnel-provider-${p}`)).not.toBeChecked();
  expect((await tunnel()).autoStart).toBe(false);
  await expect(page.getByTestId('tunnel-autostart')).toContainText('does not open when the agent starts');

  // --- My own URL
  await page.getByTestId('tunnel-provider-manual').check();
  await page.getByTestId('manual-url').fill('https://example.invalid/');
  const manual = await saveAndWait(page);
  expect(manual.request().postDataJSON()).toEqual({ provider: 'manual', manual: { publicUrl: 'https://example.invalid/' } });
  expect(manual.status()).toBe(200);
  await expect(form.getByRole('status')).toHaveText('Saved.');
  let saved = await tunnel();
  expect(saved.settings.provider).toBe('manual');
  expect(saved.settings.manual).toEqual({ publicUrl: 'https://example.invalid/' });

  // --- localtunnel with its options
  await page.getByTestId('tunnel-provider-localtunnel').check();
  await page.getByTestId('localtunnel-host').fill('https://lt.example.com');
  await page.getByTestId('localtunnel-subdomain').fill('my-desk-42');
  expect((await saveAndWait(page)).status()).toBe(200);
  saved = await tunnel();
  expect(saved.settings.provider).toBe('localtunnel');
  expect(saved.settings.localtunnel).toEqual({ host: 'https://lt.example.com', subdomain: 'my-desk-42' });
  expect(saved.settings.manual).toEqual({ publicUrl: 'https://example.invalid/' }); // the other section is kept

  // --- an agent refusal is shown in plain words (a subdomain shorter than 4 characters)
  await page.getByTestId('localtunnel-subdomain').fill('ab');
  expect((await saveAndWait(page)).status()).toBe(400);
  await expect(form.getByRole('alert')).toContainText('The tunnel settings were not saved');
  await expect(form.getByRole('alert')).toContainText('VALIDATION_FAILED');
  expect((await tunnel()).settings.localtunnel.subdomain).toBe('my-desk-42');
  await page.getByTestId('localtunnel-subdomain').fill('my-desk-42');

  // --- ngrok with a domain, the TradingView restriction and an authtoken
  const vault = (await agent.api<VaultStatusView>('GET', '/api/vault/status')).body;
  await page.getByTestId('tunnel-provider-ngrok').check();
  if (vault.writable) await expect(page.getByTestId('token-state-tunnel:ngrok:authtoken')).toHaveText('No token in the keychain yet.');
  await page.getByTestId('ngrok-token').fill(NGROK_CANARY);
  await page.getByTestId('ngrok-domain').fill('me.ngrok-free.app');
  await page.getByTestId('ngrok-restrict').check();
  const credentialPut = page.waitForRequest((r) => r.url().endsWith('/api/credentials/tunnel%3Angrok%3Aauthtoken') && r.method() === 'PUT');
  await page.getByTestId('tunnel-save').click();
  expect((await credentialPut).postDataJSON()).toEqual({ value: NGROK_CANARY });
  if (vault.writable) {
    await expect(form.getByRole('status')).toHaveText('Saved.');
    const names = await agent.api<{ items: { name: string }[] }>('GET', '/api/credentials');
    expect(names.body.items.map((i) => i.name)).toContain('tunnel:ngrok:authtoken');
    saved = await tunnel();
    expect(saved.settings.provider).toBe('ngrok');
    expect(saved.settings.ngrok).toEqual({ domain: 'me.ngrok-free.app', restrictToTradingView: true });
    await expect(page.getByTestId('token-state-tunnel:ngrok:authtoken')).toHaveText('A token is stored in the keychain.');
    await expect(page.getByTestId('ngrok-token')).toHaveValue(''); // never shown again
  } else {
    // No writable keychain here: the agent's refusal is shown, and nothing else is saved.
    test.info().annotations.push({ type: 'keychain', description: `not writable (${vault.backend}): the refusal path was checked instead` });
    await expect(form.getByRole('alert')).toContainText('VAULT_UNAVAILABLE');
    expect((await tunnel()).settings.provider).toBe('localtunnel');
    const names = await agent.api<{ items: { name: string }[] }>('GET', '/api/credentials');
    expect(JSON.stringify(names.body)).not.toContain(NGROK_CANARY);
  }
  // The token is never part of the tunnel settings, the status or the agent's log.
  expect(JSON.stringify(await tunnel())).not.toContain(NGROK_CANARY);
  expect(agent.output()).not.toContain(NGROK_CANARY);
  await screenshot(page, 'settings-tunnel-ngrok');

  // On a fresh load the saved provider is the checked one.
  await page.reload();
  await go(page, 'Settings');
  await expect(page.getByTestId(`tunnel-provider-${vault.writable ? 'ngrok' : 'localtunnel'}`)).toBeChecked();
  if (vault.writable) await expect(page.getByTestId('ngrok-domain')).toHaveValue('me.ngrok-free.app');
  expect(errors.filter((e) => e.startsWith('page error'))).toEqual([]);
});

test('an account halted by itself shows in the header and is resumed from the window; reduce-only and its resume', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  const accounts = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items;
  const paper = accounts[0]!;
  // The window's event stream opens late: what changes between the first load and the stream's open is still shown.
  let openStream!: () => void;
  const streamHeld = new Promise<void>((r) => (openStream = r));
  await page.route(/\/api\/events$/, async (route) => {
    await streamHeld;
    await route.continue();
  });
  await page.goto(agent.info.uiUrl);
  await expect(page.getByTestId('trading-state')).toHaveText('active');
  await expect(page.getByTestId('account-held')).toHaveCount(0);

  // The agent halts one account (as its circuit breaker would): the header shows it, the global state stays active.
  expect((await agent.api('PUT', '/api/trading-state', { state: 'halted', accountId: paper.id, reason: 'e2e account halt' })).status).toBe(200);
  openStream();
  const held = page.getByTestId('account-held');
  await expect(held).toHaveCount(1);
  await expect(held).toContainText(paper.name);
  await expect(held).toContainText('halted');
  await expect(page.getByTestId('trading-state')).toHaveText('active');
  await screenshot(page, 'header-account-halted');

  // Resuming asks first; Cancel has the focus, so Enter cannot resume by accident.
  await held.getByTestId('resume-account').click();
  const dialog = page.getByRole('dialog', { name: `Resume ${paper.name}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('e2e account halt');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Resume this account' }).click();
  await expect(held).toHaveCount(0);
  const after = (await agent.api<TradingStateView>('GET', '/api/trading-state')).body;
  expect(after.accounts[paper.id]?.state ?? 'active').toBe('active');
  expect(after.state).toBe('active');

  // Reduce only is one click; while reducing, Resume is offered without halting first.
  await page.getByTestId('reduce-only').click();
  await expect(page.getByTestId('trading-state')).toHaveText('reducing');
  expect((await agent.api<TradingStateView>('GET', '/api/trading-state')).body.state).toBe('reducing');
  await expect(page.getByTestId('halt')).toBeVisible();
  await page.getByTestId('resume').click();
  const resume = page.getByRole('dialog', { name: 'Resume trading?' });
  await expect(resume.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await resume.getByRole('button', { name: 'Resume trading' }).click();
  await expect(page.getByTestId('trading-state')).toHaveText('active');
  expect((await agent.api<TradingStateView>('GET', '/api/trading-state')).body.state).toBe('active');

  // Halt stays one click.
  await page.getByTestId('halt').click();
  await expect(page.getByTestId('trading-state')).toHaveText('halted');
  expect((await agent.api<TradingStateView>('GET', '/api/trading-state')).body.state).toBe('halted');
  await expect(page.getByTestId('reduce-only')).toHaveCount(0);

  // The flatten dialog opens with Cancel focused (not the "also halt" box); Escape closes it, nothing is sent.
  await page.getByTestId('flatten').click();
  const flatten = page.getByRole('dialog', { name: 'Flatten every position?' });
  await expect(flatten.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(flatten).toBeHidden();
  await expect(page.getByTestId('flatten-result')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('pasting the printed address into a tab on the no-token screen opens the window without a reload and clears the address bar', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  const base = `http://127.0.0.1:${agent.info.controlPort}/`;
  await page.goto(base);
  await expect(page.getByText('This window has no control token.')).toBeVisible();
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await page.goto(agent.info.uiUrl); // only the hash differs: the same document gets a hashchange
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  expect(page.url()).not.toContain('token=');
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  expect(await page.evaluate(() => sessionStorage.getItem('viewzenix.token'))).toBe(agent.token);
  expect(errors).toEqual([]);
});
