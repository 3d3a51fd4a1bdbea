/// <reference lib="dom" />
// A create form that cannot save says why beside each field concerned, when the trader tries to save (not while
// typing), and the field is described by it for a screen reader: the strategy form (a passphrase too short, no
// name, no account), the account form (a required setting, half a key pair) and "Replace keys…" (a key left empty).
// Nothing is sent meanwhile; once fixed, the save goes through.
import { test, expect, type Page, type Request } from '@playwright/test';
import { agentForFile, go } from './support/per-file.js';
import { collectConsoleErrors } from './support/console.js';
import type { AccountView, StrategyView } from '../shared/api-types.js';

const agent = agentForFile();

/** The writes (POST, PUT) the page sends to the agent from now on. */
function writes(page: Page): Request[] {
  const sent: Request[] = [];
  page.on('request', (r) => {
    if (r.method() !== 'GET' && new URL(r.url()).pathname.startsWith('/api/')) sent.push(r);
  });
  return sent;
}

/** The label (FormRow) that holds this control: its title, hint and errors. */
const rowOf = (page: Page, testId: string) => page.locator('label').filter({ has: page.getByTestId(testId) });

test('a strategy with a passphrase too short is not created: the field says why at the save, and is described by it', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  await go(page, 'Strategies');
  const sent = writes(page);
  const name = page.getByTestId('strategy-name');
  const passphrase = page.getByTestId('strategy-passphrase');
  const create = page.getByTestId('strategy-create');
  const hint = /Alerts without it are refused\. It is stored only as a hash/;

  // Nothing filled in: the save says what is missing, beside each field, instead of a button that does nothing.
  await expect(create).toBeEnabled();
  await create.click();
  await expect(rowOf(page, 'strategy-name').getByTestId('field-error')).toHaveText('is required');
  await expect(name).toHaveAccessibleDescription('is required');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('group', { name: 'Accounts it trades' })).toHaveAccessibleDescription('pick at least one account');
  await expect(page.getByText('Nothing was created: fix the fields marked above.')).toBeVisible();

  // Typing is not interrupted: a short passphrase is not reported at the first characters, only at the save.
  await name.fill('Short pass');
  await expect(rowOf(page, 'strategy-name').getByTestId('field-error')).toHaveCount(0); // put right: gone
  await page.getByTestId('strategy-account').first().check();
  await expect(page.getByRole('group', { name: 'Accounts it trades' })).not.toHaveAttribute('aria-describedby');
  await passphrase.pressSequentially('abc');
  await expect(page.getByTestId('field-error')).toHaveCount(0);
  await expect(passphrase).not.toHaveAttribute('aria-invalid', 'true');
  await expect(passphrase).toHaveAccessibleDescription(hint);

  await create.click();
  const passphraseError = rowOf(page, 'strategy-passphrase').getByTestId('field-error');
  await expect(passphraseError).toHaveText('must be at least 8 characters');
  await expect(passphraseError).toHaveAttribute('role', 'alert');
  // The input points at the message first, then at its hint: a screen reader reads both with the field.
  await expect(passphrase).toHaveAccessibleDescription(/^must be at least 8 characters Alerts without it are refused\./);
  await expect(passphrase).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('heading', { level: 1, name: 'Strategies' })).toBeVisible(); // still on the form

  // Nothing was sent, nothing was created.
  expect(sent.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).toEqual([]);
  const before = (await agent.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items;
  expect(before.filter((s) => s.name === 'Short pass')).toEqual([]);

  // Long enough: the message goes as soon as the field is right; cleared and typed short again, it does not come
  // back before the next save.
  await passphrase.pressSequentially('defgh');
  await expect(passphraseError).toHaveCount(0);
  await expect(passphrase).toHaveAccessibleDescription(hint);
  await passphrase.fill('');
  await passphrase.pressSequentially('x');
  await expect(page.getByTestId('field-error')).toHaveCount(0);
  await passphrase.fill('abcdefgh');
  await create.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Short pass' })).toBeVisible();
  const created = (await agent.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items.filter((s) => s.name === 'Short pass');
  expect(created).toHaveLength(1);
  expect(created[0]!.hasPassphrase).toBe(true);
  expect(sent.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).toEqual(['POST /api/strategies']);
  expect(errors).toEqual([]);
});

test('an account missing a required setting or half its keys is not added, and "Replace keys…" needs every key: each field says why', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(agent.info.uiUrl);
  await go(page, 'Accounts');
  const sent = writes(page);
  await page.getByTestId('account-broker').selectOption('oanda');
  const accountId = page.getByTestId('account-field-accountId');
  await page.getByTestId('account-create').click();
  await expect(page.getByTestId('account-name')).toHaveAccessibleDescription('is required');
  await expect(accountId).toHaveAccessibleDescription('is required e.g. 101-004-1234567-001');
  await expect(accountId).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('account-name').fill('OANDA practice');
  await accountId.fill('101-004-1234567-001');
  await expect(page.getByTestId('field-error')).toHaveCount(0); // each message goes once its field is right
  expect(sent).toEqual([]);
  expect((await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.filter((a) => a.broker === 'oanda')).toEqual([]);

  // Half an Alpaca key pair: the missing half says so, and how to add the account without keys instead.
  await page.getByTestId('account-broker').selectOption('alpaca');
  await page.getByTestId('account-name').fill('Alpaca half');
  await page.getByTestId('account-field-keyId').fill('PKHALF0001');
  await expect(page.getByTestId('field-error')).toHaveCount(0);
  await page.getByTestId('account-create').click();
  await expect(page.getByTestId('account-field-secretKey')).toHaveAccessibleDescription(/^is required with the other keys \(or leave every key empty to add the account without keys\)$/);
  expect(sent).toEqual([]);
  await page.getByTestId('account-field-keyId').fill('');
  await expect(page.getByTestId('field-error')).toHaveCount(0);
  await page.getByTestId('account-create').click();
  await expect(page.getByTestId('account-added')).toContainText('Alpaca half');
  expect(sent.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).toEqual(['POST /api/accounts']);

  // "Replace keys…" with one key of two: said beside the empty one, nothing sent.
  const card = page.getByTestId('account').filter({ hasText: 'Alpaca half' });
  await card.getByTestId('account-replace-keys').click();
  await card.getByTestId('replace-field-keyId').fill('PKNEW0001');
  await card.getByTestId('replace-keys-save').click();
  await expect(card.getByTestId('replace-field-secretKey')).toHaveAccessibleDescription('is required: the new keys are tested together');
  await expect(card.getByTestId('replace-field-keyId')).not.toHaveAttribute('aria-invalid', 'true');
  expect(sent).toHaveLength(1);
  expect(errors).toEqual([]);
});
