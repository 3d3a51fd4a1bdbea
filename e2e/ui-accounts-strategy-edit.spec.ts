/// <reference lib="dom" />
// Adding a real broker account on a computer without a keychain (typed keys are refused 503 VAULT_UNAVAILABLE; the
// account is added without keys and the window names the VIEWZENIX_SECRET_* variables), then editing a strategy
// from the window (name, a risk limit, manual approval, a refused value beside its field) and reading it back from
// GET /api/strategies/:id: the settings the form does not show are still there.
import { test, expect, type Page } from '@playwright/test';
import { startAgent, type RunningAgent } from './support/agent.js';
import type { AccountView, StrategyView } from '../shared/api-types.js';

let agent: RunningAgent;

test.beforeAll(async () => {
  // No D-Bus session: the OS keychain cannot be reached, as on a headless server.
  agent = await startAgent({ env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/vz-no-bus' } });
});
test.afterAll(async () => {
  await agent?.stop();
});

async function go(page: Page, nav: string) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: nav, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: nav })).toBeVisible();
}

test('an Alpaca account is added without keys, and its VIEWZENIX_SECRET_* variables are shown', async ({ page }) => {
  const vault = await agent.api<{ writable: boolean }>('GET', '/api/vault/status');
  expect(vault.body.writable).toBe(false);
  await page.goto(agent.info.uiUrl);
  await go(page, 'Accounts');
  await page.getByTestId('account-broker').selectOption('alpaca');
  await page.getByTestId('account-name').fill('Alpaca NoKeys');
  // Typed keys cannot be stored here: the refusal is in plain words with the agent's fix, and the way out is offered.
  await page.getByTestId('account-field-keyId').fill('PKCANARY0001');
  await page.getByTestId('account-field-secretKey').fill('CANARY-SECRET-0001');
  await page.getByTestId('account-create').click();
  const refused = page.getByTestId('vault-refused');
  await expect(refused).toContainText('VAULT_UNAVAILABLE');
  await expect(refused).toContainText('cannot store the keys');
  await page.getByTestId('account-create-without-keys').click();
  await expect(page.getByTestId('account-added')).toContainText('Alpaca NoKeys');

  const { body } = await agent.api<{ items: AccountView[] }>('GET', '/api/accounts');
  const acc = body.items.find((a) => a.name === 'Alpaca NoKeys');
  expect(acc?.credentialVariables?.keyId).toMatch(/^VIEWZENIX_SECRET_/);
  expect(JSON.stringify(body)).not.toContain('CANARY-SECRET-0001');
  const card = page.getByTestId('account').filter({ hasText: 'Alpaca NoKeys' });
  await expect(card.getByTestId('credential-variables')).toContainText(acc!.credentialVariables!.keyId!);
  await expect(card.getByTestId('credential-variables')).toContainText(acc!.credentialVariables!.secretKey!);
  await expect(card).toContainText('not set');
  // The keys field names are offered for replacing, as password inputs; the keychain refusal shows there too.
  await card.getByTestId('account-replace-keys').click();
  await expect(card.getByTestId('replace-field-keyId')).toHaveAttribute('type', 'password');
  await card.getByTestId('replace-field-keyId').fill('PK2');
  await card.getByTestId('replace-field-secretKey').fill('CANARY-SECRET-0002');
  await card.getByTestId('replace-keys-save').click();
  await expect(card.getByRole('alert')).toContainText('The keys were not replaced');
  await expect(card.getByTestId('replace-field-secretKey')).toHaveValue('');
});

test('a strategy is edited from the window and the agent stores exactly that, keeping what the form does not show', async ({ page }) => {
  const accounts = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items;
  const paper = accounts.find((a) => a.broker === 'paper')!;
  const hidden = {
    strategy: { tradingWindows: { timezone: 'Europe/Berlin', windows: [{ days: ['mon'], start: '09:00', end: '17:00' }], allowExitsOutside: true } },
    risk: { blockedSymbols: ['GME'] },
    intake: { rateLimit: { perSecond: 5, burst: 10 } },
  };
  const created = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Edit me', accountIds: [paper.id], config: hidden });
  expect(created.status).toBe(201);
  const id = created.body.id;

  await page.goto(agent.info.uiUrl);
  await go(page, 'Strategies');
  await page.getByTestId('strategy').filter({ hasText: 'Edit me' }).getByTestId('strategy-edit').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Edit');

  await page.getByTestId('edit-name').fill('Edited');
  await page.getByTestId('edit-risk-maxPositionPerSymbol').fill('100');
  await page.getByTestId('edit-risk-maxOrdersPerMinute').fill('5');
  await page.getByTestId('edit-approval-manual').check();
  // Each field is described by its help text, which a screen reader reads with it.
  const age = page.getByTestId('edit-max-alert-age');
  const dailyLoss = page.getByTestId('edit-risk-maxDailyLoss');
  await expect(age).toHaveAccessibleDescription('An older alert may only reduce or close. Empty: 60.');
  await expect(dailyLoss).toHaveAccessibleDescription("in the account's currency, realised and unrealised");
  await expect(page.getByTestId('edit-sides')).toHaveAccessibleDescription('A side not traded is never opened; a position on it is still closed.');
  await expect(age).not.toHaveAttribute('aria-invalid', 'true');
  // The agent refuses an alert age of 0: its message sits beside that field and nothing is saved.
  await age.fill('0');
  await page.getByTestId('strategy-save').click();
  const ageLabel = page.locator('label').filter({ has: age });
  await expect(ageLabel.getByTestId('field-error')).toContainText('>= 1');
  // The input points at the message, so a screen reader hears it with the field (and the help text after it).
  await expect(age).toHaveAccessibleDescription(/>= 1.*An older alert may only reduce or close\./);
  await expect(age).toHaveAttribute('aria-invalid', 'true');
  expect((await agent.api<StrategyView>('GET', `/api/strategies/${id}`)).body.name).toBe('Edit me');
  // A value that is not a number is refused before sending, beside its field, and that field is described by it.
  await age.fill('');
  await dailyLoss.fill('1,000');
  await page.getByTestId('strategy-save').click();
  await expect(page.locator('label').filter({ has: dailyLoss }).getByTestId('field-error')).toContainText('plain number');
  await expect(dailyLoss).toHaveAccessibleDescription(/plain number.*in the account's currency, realised and unrealised/);
  await expect(dailyLoss).toHaveAttribute('aria-invalid', 'true');
  await expect(age).toHaveAccessibleDescription('An older alert may only reduce or close. Empty: 60.');
  await dailyLoss.fill('');
  await page.getByTestId('strategy-save').click();
  await expect(page.getByTestId('strategy-saved')).toBeVisible();
  await expect(dailyLoss).toHaveAccessibleDescription("in the account's currency, realised and unrealised");
  await expect(dailyLoss).not.toHaveAttribute('aria-invalid', 'true');

  const after = (await agent.api<StrategyView>('GET', `/api/strategies/${id}`)).body;
  expect(after.name).toBe('Edited');
  expect(after.config).toEqual({
    strategy: { ...hidden.strategy, approval: { mode: 'manual', timeoutSeconds: 300 } },
    risk: { blockedSymbols: ['GME'], maxPositionPerSymbol: '100', maxOrdersPerMinute: 5 },
    intake: hidden.intake,
  });
  expect(after.webhookUrl).toBe(created.body.webhookUrl);

  // The strategy's page shows what now applies.
  await page.getByTestId('strategy-saved').getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Edited' })).toBeVisible();
  await expect(page.getByTestId('setting-approval')).toContainText('Manual');
  await expect(page.getByTestId('risk-maxPositionPerSymbol')).toContainText('100');
  await expect(page.getByTestId('risk-maxOrdersPerMinute')).toContainText('5');
  await expect(page.getByTestId('risk-blockedSymbols')).toContainText('GME');

  // A new webhook URL asks first, and the old one stops working.
  await page.getByTestId('strategy-edit').click();
  await page.getByTestId('rotate-webhook').click();
  const dialog = page.getByRole('dialog', { name: 'Make a new webhook URL?' });
  await expect(dialog).toContainText('stops working at once');
  await dialog.getByRole('button', { name: 'Make a new URL' }).click();
  await expect(page.getByTestId('webhook-rotated')).toBeVisible();
  const rotated = (await agent.api<StrategyView>('GET', `/api/strategies/${id}`)).body;
  expect(rotated.webhookUrl).not.toBe(created.body.webhookUrl);
  await expect(page.getByTestId('webhook-url')).toHaveText(rotated.webhookUrl);
  const old = await fetch(created.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ticker":"AAPL","action":"buy"}' });
  expect(old.status).toBe(404);
});
