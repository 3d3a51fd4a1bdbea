import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import { openDatabase } from '../store/db.js';
import { eventually, tempDir } from '../test-support/agent.js';
import { registerSecretValue } from '../secrets/redaction.js';
import { fakeDiscord, fakeSlack, fakeTelegram } from './testing/fake-services.js';
import { ALL_KINDS, harness, order, runCleanups, withFake } from './testing/harness.js';
import type { AgentEvent, TunnelStatusView } from '../../shared/api-types.js';
import { NOTIFY_KINDS } from '../../shared/notify.js';
import { DiscordChannel } from './channels/discord.js';
import { TelegramChannel, telegramText } from './channels/telegram.js';
import { SlackChannel } from './channels/slack.js';
import type { NotifyMessage } from './types.js';

const ALL_NOTIFY_KINDS = [...NOTIFY_KINDS];
function tunnelStatus(state: TunnelStatusView['state'], extra: Partial<TunnelStatusView> = {}): TunnelStatusView {
  return { state, provider: 'ngrok', publicUrl: null, since: null, lastCheck: null, consecutiveFailures: 0, lastError: null, reconnectAttempts: 0, nextRetryAt: null, lastPublicUrl: null, autoStart: false, settings: {} as TunnelStatusView['settings'], ...extra };
}


const DISCORD_TOKEN = 'dWebhookTokenCanary_9f8e7d6c5b4a3210';
const TG_TOKEN = '123456789:AAHcanaryTelegramBotTokenValue_abcdefg';
const SLACK_PATH = '/services/T0CANARY/B0CANARY/slackCanarySecretXYZ123';

afterEach(runCleanups);

describe('Discord channel against a fake webhook server', () => {
  it('delivers a fill as content + embed, and honours a 429 retry_after before retrying', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN, retryAfterSeconds: 0.3 }));
    discord.plan.push('429');
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ALL_KINDS, baseUrl: discord.base } });
    h.bus.publish({ type: 'order', order: order() });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'sent', 5000);
    expect(h.rows()[0]).toMatchObject({ channel: 'discord', status: 'sent', attempts: 1 }); // the 429 wait is not an attempt
    expect(discord.received).toHaveLength(2);
    const [first, second] = discord.received;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(290);
    expect(second!.body.content).toBe('Filled: buy 10 AAPL @ 190.5');
    const embed = (second!.body.embeds as { fields: { name: string; value: string }[] }[])[0]!;
    expect(embed.fields).toContainEqual({ name: 'Client order id', value: 'vz-abc', inline: true });
    expect(second!.body.allowed_mentions).toEqual({ parse: [] });
  });

  it('a channel answering 429 many times in a row does not use up the attempts: the message is sent once it lets it', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN, retryAfterSeconds: 0.01 }));
    discord.plan.push('429', '429', '429', '429', '429', '429');
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ALL_KINDS, baseUrl: discord.base, perMinute: 600 } }, { maxAttempts: 3 });
    h.bus.publish({ type: 'order', order: order() });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'sent' || s === 'dead', 20_000);
    expect(h.rows()[0]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(discord.received).toHaveLength(7);
  });

  it('a message a channel keeps waiting for more than 10 minutes is dead-lettered, saying so', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN, retryAfterSeconds: 0.01 }));
    discord.plan.push('429', '429', '429');
    let offset = 0;
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ALL_KINDS, baseUrl: discord.base, perMinute: 600 } }, { now: () => Date.now() + offset });
    h.bus.publish({ type: 'order', order: order() });
    await eventually(() => discord.received.length, (n) => n >= 1);
    offset = 11 * 60_000; // the channel has kept the message waiting for 11 minutes
    await eventually(() => h.rows()[0]?.status, (s) => s === 'dead', 10_000);
    expect(h.rows()[0]!.last_error).toMatch(/^Gave up: discord kept asking to wait for more than 10 minutes/);
  });

  it('dead-letters at once when the webhook is gone (404 Unknown Webhook), without retrying', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/999/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ['halt'], baseUrl: discord.base } });
    h.bus.publish({ type: 'trading-state', state: { state: 'halted', reason: 'daily loss', updatedAt: '2026-01-02T10:00:00.000Z', accounts: {} }, change: { scope: 'global', from: 'active', to: 'halted', reason: 'daily loss', at: '2026-01-02T10:00:00.000Z' } });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'dead');
    expect(h.rows()[0]).toMatchObject({ status: 'dead', attempts: 1 });
    expect(h.rows()[0]!.last_error).toContain('Unknown Webhook');
    expect(discord.received).toHaveLength(1);
  });

  it('gives up after maxAttempts of 5xx answers, with exponential backoff between them', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    discord.plan.push('500', '500', '500', '500');
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ['fill'], baseUrl: discord.base } }, { maxAttempts: 3, random: () => 1 });
    h.bus.publish({ type: 'order', order: order() });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'dead');
    expect(discord.received).toHaveLength(3);
    expect(h.rows()[0]!.last_error).toBe('Gave up after 3 attempts: Discord answered 500: 500: Internal Server Error');
    const gaps = [discord.received[1]!.at - discord.received[0]!.at, discord.received[2]!.at - discord.received[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(18); // 20 ms, then 40 ms (random() = 1: no jitter reduction)
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
  });

  it('a long message with many fields stays within the embed limits (6000 in all) and is accepted, not refused with 400', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    const m: NotifyMessage = {
      kind: 'unknown-order', severity: 'critical', title: 'T'.repeat(300), lines: ['reason '.repeat(800)], at: '2026-01-02T10:00:00.000Z',
      fields: [...Array.from({ length: 30 }, (_, i) => ({ name: `Field ${i}`, value: 'v'.repeat(1100) })), { name: 'Empty', value: '' }],
    };
    const out = await new DiscordChannel().send(m, { secret: `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}`, settings: { enabled: true, events: ALL_KINDS, baseUrl: discord.base } });
    expect(out).toEqual({ ok: true });
    const embed = (discord.received[0]!.body.embeds as { title: string; description: string; fields: { name: string; value: string }[] }[])[0]!;
    const total = embed.title.length + embed.description.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(embed.description).toHaveLength(4096);
    expect(embed.fields[0]!.value).toHaveLength(1024); // the first fields are whole, as far as the room lasts
    expect(embed.fields.length).toBeGreaterThan(0);
  });

  it('the fake refuses what Discord refuses: an embed over 6000 characters in all, an empty field value', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    const post = (embeds: unknown): Promise<Response> => fetch(`${discord.base}/api/webhooks/111/${DISCORD_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: 'x', embeds }) });
    const big = await post([{ description: 'd'.repeat(4096), fields: [0, 1].map((i) => ({ name: `f${i}`, value: 'v'.repeat(1000) })) }]);
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ code: 50035 });
    expect((await post([{ title: 't', fields: [{ name: 'n', value: '' }] }])).status).toBe(400);
    expect((await post([{ title: 't', fields: [{ name: 'n', value: 'v' }] }])).status).toBe(204);
  });
});

describe('Telegram channel against a fake Bot API', () => {
  it('sends HTML text to the configured chat and waits parameters.retry_after on flood control', async () => {
    const tg = await withFake(fakeTelegram({ token: TG_TOKEN, chatId: '-100200300', retryAfterSeconds: 1 }));
    tg.plan.push('429');
    const h = await harness({ 'notify:telegram': TG_TOKEN }, { telegram: { enabled: true, events: ALL_KINDS, chatId: '-100200300', baseUrl: tg.base } });
    h.bus.publish({ type: 'signal', signal: { id: 'sig_1', strategyId: 'str_1', status: 'denied', code: 'DAILY_LOSS_LIMIT', symbol: 'ES<1!>' } });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'sent', 5000);
    expect(tg.received).toHaveLength(2);
    expect(tg.received[1]!.at - tg.received[0]!.at).toBeGreaterThanOrEqual(990);
    expect(tg.received[1]!.body).toMatchObject({ chat_id: '-100200300', parse_mode: 'HTML' });
    expect(tg.received[1]!.body.text).toContain('<b>Alert denied for ES&lt;1!&gt;: DAILY_LOSS_LIMIT</b>');
  });

  it('a long message is cut to 4096 visible characters before escaping, so no cut falls inside a tag or an entity', async () => {
    const tg = await withFake(fakeTelegram({ token: TG_TOKEN, chatId: '42' }));
    const m: NotifyMessage = {
      kind: 'unknown-order', severity: 'critical', title: 'Outcome unknown: R&D <1!>', lines: ['a&'.repeat(3000)], at: '2026-01-02T10:00:00.000Z',
      fields: [{ name: 'Symbol', value: 'ES<1!>' }],
    };
    const out = await new TelegramChannel().send(m, { secret: TG_TOKEN, settings: { enabled: true, events: ALL_KINDS, chatId: '42', baseUrl: tg.base } });
    expect(out).toEqual({ ok: true });
    const text = tg.received[0]!.body.text as string;
    expect(text.startsWith('<b>Outcome unknown: R&amp;D &lt;1!&gt;</b>\na&amp;a&amp;')).toBe(true);
    expect(text.replace(/<[^>]+>/g, '').replace(/&(amp|lt|gt);/g, '_')).toHaveLength(4096);
    // A short message is whole, the field value in <code>.
    expect(telegramText({ ...m, lines: ['x & y'] })).toBe('<b>Outcome unknown: R&amp;D &lt;1!&gt;</b>\nx &amp; y\nSymbol: <code>ES&lt;1!&gt;</code>');
  });

  it('a cut never splits an emoji in two (half of it is not UTF-8, and Telegram refuses the whole message)', async () => {
    const tg = await withFake(fakeTelegram({ token: TG_TOKEN, chatId: '42' }));
    const m: NotifyMessage = { kind: 'halt', severity: 'critical', title: 'Trading halted', lines: ['x' + '🚨'.repeat(3000)], fields: [], at: '2026-01-02T10:00:00.000Z' };
    const out = await new TelegramChannel().send(m, { secret: TG_TOKEN, settings: { enabled: true, events: ALL_KINDS, chatId: '42', baseUrl: tg.base } });
    expect(out).toEqual({ ok: true });
    expect(tg.received[0]!.body.text as string).toMatch(/🚨…$/);
  });

  it('the fake refuses what Telegram refuses: broken HTML and more than 4096 characters', async () => {
    const tg = await withFake(fakeTelegram({ token: TG_TOKEN, chatId: '42' }));
    const post = async (text: string): Promise<unknown> => (await fetch(`${tg.base}/bot${TG_TOKEN}/sendMessage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: '42', text, parse_mode: 'HTML' }) })).json();
    expect(await post('<b>unclosed')).toMatchObject({ ok: false, error_code: 400, description: expect.stringContaining("can't parse entities") });
    expect(await post('R&am…')).toMatchObject({ ok: false, error_code: 400 });
    expect(await post('x'.repeat(4097))).toMatchObject({ ok: false, description: 'Bad Request: message is too long' });
    expect(await post('half an emoji \uD83D')).toMatchObject({ ok: false, description: 'Bad Request: strings must be encoded in UTF-8' });
    expect(await post(`<b>${'&amp;'.repeat(4096)}</b>`)).toMatchObject({ ok: true });
  });

  it('gives up at once, saying why, on a chat not found, a bot blocked by the user and a group upgraded to a supergroup', async () => {
    const m: NotifyMessage = { kind: 'halt', severity: 'critical', title: 'Trading halted', lines: [], fields: [], at: '2026-01-02T10:00:00.000Z' };
    const send = async (fake: Parameters<typeof fakeTelegram>[0], chatId: string) => {
      const tg = await withFake(fakeTelegram(fake));
      return new TelegramChannel().send(m, { secret: TG_TOKEN, settings: { enabled: true, events: ALL_KINDS, chatId, baseUrl: tg.base } });
    };
    expect(await send({ token: TG_TOKEN, chatId: '42' }, '43')).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('chat not found') });
    expect(await send({ token: TG_TOKEN, chatId: '42', botBlocked: true }, '42')).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('403: Forbidden: bot was blocked by the user') });
  });

  it('a group upgraded to a supergroup: the message goes to the new chat id at once, and the channel keeps that id', async () => {
    const tg = await withFake(fakeTelegram({ token: TG_TOKEN, chatId: '-4711', migratedTo: '-1001234567890' }));
    const h = await harness({ 'notify:telegram': TG_TOKEN }, { telegram: { enabled: true, events: ALL_KINDS, chatId: '-4711', baseUrl: tg.base } });
    const told: unknown[] = [];
    h.bus.subscribe((e) => e.type === 'notification-settings' && told.push(e.config.telegram.chatId));
    h.bus.publish({ type: 'agent', state: 'started', previousRun: 'crashed' });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'sent');
    expect(tg.received.map((r) => String(r.body.chat_id))).toEqual(['-4711', '-1001234567890']);
    expect(h.n.config().telegram.chatId).toBe('-1001234567890');
    expect(told).toEqual(['-1001234567890']);
    expect(h.logs.join('\n')).toContain('its chat id changed from -4711 to -1001234567890');
    // The next message goes straight to the supergroup.
    h.bus.publish({ type: 'agent', state: 'started', previousRun: 'crashed' });
    await eventually(() => h.rows().filter((r) => r.status === 'sent').length, (n) => n === 2);
    expect(tg.received.map((r) => String(r.body.chat_id))).toEqual(['-4711', '-1001234567890', '-1001234567890']);
    // The channel's test follows the move too, and a failure at the new id says both.
    const blocked = await withFake(fakeTelegram({ token: TG_TOKEN, chatId: '-4711', migratedTo: '-1009', botBlocked: true }));
    const m: NotifyMessage = { kind: 'halt', severity: 'critical', title: 'Trading halted', lines: [], fields: [], at: '2026-01-02T10:00:00.000Z' };
    expect(await new TelegramChannel().send(m, { secret: TG_TOKEN, settings: { enabled: true, events: ALL_KINDS, chatId: '-4711', baseUrl: blocked.base } })).toEqual({
      ok: false,
      retryable: false,
      error: 'The Telegram group became a supergroup (chat id -1009), and sending there failed: Telegram answered 403: Forbidden: bot was blocked by the user. Check the chat id and that the bot is a member of the chat.',
    });
  });

  it('reports a revoked token as permanent, naming the vault entry and never the token', async () => {
    const tg = await withFake(fakeTelegram({ token: TG_TOKEN, chatId: '42' }));
    const wrong = '987654321:AAHwrongTokenCanary_zyxwvutsrqponmlkji';
    const h = await harness({ 'notify:telegram': wrong }, { telegram: { enabled: true, events: ALL_KINDS, chatId: '42', baseUrl: tg.base } });
    const test = await h.n.sendTest('telegram');
    expect(test).toMatchObject({ ok: false, retryable: false });
    expect(!test.ok && test.error).toContain('notify:telegram');
    expect(JSON.stringify(test)).not.toContain(wrong);
    h.bus.publish({ type: 'agent', state: 'started', previousRun: 'crashed' });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'dead');
    expect(h.rows()[0]!.last_error).toContain('Unauthorized');
    expect(JSON.stringify(h.rows()) + h.logs.join('')).not.toContain(wrong);
  });
});

describe('Slack channel against a fake incoming webhook', () => {
  it('retries after Retry-After and posts text + blocks', async () => {
    const slack = await withFake(fakeSlack({ path: SLACK_PATH, retryAfterSeconds: 1 }));
    slack.plan.push('429');
    const h = await harness({ 'notify:slack': `https://hooks.slack.com${SLACK_PATH}` }, { slack: { enabled: true, events: ALL_KINDS, baseUrl: slack.base } });
    h.bus.publish({ type: 'tunnel', status: tunnelStatus('down', { lastError: { code: 'TUNNEL_FAILED', message: 'session expired', fix: null } }) });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'sent', 5000);
    expect(slack.received).toHaveLength(2);
    expect(slack.received[1]!.at - slack.received[0]!.at).toBeGreaterThanOrEqual(990);
    expect(slack.received[1]!.body.text).toContain('Tunnel down');
    expect((slack.received[1]!.body.blocks as { type: string }[])[0]!.type).toBe('header');
  });

  it('escapes & < > and cuts long text within the block limits, never in the middle of an entity', async () => {
    const slack = await withFake(fakeSlack({ path: SLACK_PATH }));
    const m: NotifyMessage = {
      kind: 'unknown-order', severity: 'critical', title: 'Outcome unknown <!everyone>', lines: ['x' + '&'.repeat(2000)], at: '2026-01-02T10:00:00.000Z',
      fields: [{ name: 'Reason', value: '<'.repeat(1000) }],
    };
    const out = await new SlackChannel().send(m, { secret: `https://hooks.slack.com${SLACK_PATH}`, settings: { enabled: true, events: ALL_KINDS, baseUrl: slack.base } });
    expect(out).toEqual({ ok: true });
    const body = slack.received[0]!.body as { text: string; blocks: { text?: { text: string }; fields?: { text: string }[] }[] };
    const texts = [body.text, body.blocks[1]!.text!.text, body.blocks[2]!.fields![0]!.text];
    expect(body.text.startsWith('Outcome unknown &lt;!everyone&gt;\nx&amp;&amp;')).toBe(true);
    for (const t of texts) expect(t.replace(/&(amp|lt|gt);/g, '')).toMatch(/^[^&<>]*$/); // every & < > is a whole entity
    expect(body.blocks[1]!.text!.text.length).toBeLessThanOrEqual(3000);
    expect(body.blocks[2]!.fields![0]!.text).toMatch(/^\*Reason\*\n(&lt;)+…$/);
  });

  it('the fake refuses blocks past the Block Kit limits with 400 invalid_blocks', async () => {
    const slack = await withFake(fakeSlack({ path: SLACK_PATH }));
    const post = async (blocks: unknown): Promise<string> => (await fetch(`${slack.base}${SLACK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 't', blocks }) })).text();
    expect(await post([{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }])).toBe('invalid_blocks');
    expect(await post([{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }])).toBe('invalid_blocks');
    expect(await post([{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3000) } }])).toBe('ok');
  });

  it('treats 404 no_service as a revoked webhook (dead-lettered, not retried)', async () => {
    const slack = await withFake(fakeSlack({ path: SLACK_PATH }));
    const h = await harness({ 'notify:slack': `https://hooks.slack.com/services/T0/B0/revoked` }, { slack: { enabled: true, events: ALL_KINDS, baseUrl: slack.base } });
    h.bus.publish({ type: 'drift', accountId: 'acc_1', symbol: 'AAPL', expected: '10', actual: '0' });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'dead');
    expect(h.rows()[0]!.last_error).toMatch(/^Slack answered 404 no_service/);
    expect(slack.received).toHaveLength(1);
  });
});

describe('outbox durability and pacing', () => {
  it('re-sends a message a crash left half-sent when notifications start again', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    const db = openDatabase({ file: path.join(tempDir(), 'crash.db') });
    db.prepare("INSERT INTO notify_outbox (channel, kind, dedupe_key, message, status, attempts, next_attempt_at, created_at) VALUES ('discord', 'halt', 'k1', ?, 'sending', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')")
      .run(JSON.stringify({ kind: 'halt', severity: 'critical', title: 'Trading halted', lines: [], fields: [], at: '2026-01-01T00:00:00.000Z' }));
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ['halt'], baseUrl: discord.base } }, {}, db);
    await eventually(() => h.rows()[0]?.status, (s) => s === 'sent');
    expect(h.rows()[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(discord.received[0]!.body.content).toBe('Trading halted');
  });

  it('queues one message per event and channel even when the event is published twice', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ['fill'], baseUrl: discord.base } });
    h.bus.publish({ type: 'order', order: order() });
    h.bus.publish({ type: 'order', order: order() });
    await eventually(() => h.rows().every((r) => r.status === 'sent'), Boolean);
    expect(h.rows()).toHaveLength(1);
    expect(discord.received).toHaveLength(1);
  });

  it('paces each channel with its own rate limit: beyond the burst, messages wait for the next token', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    const slack = await withFake(fakeSlack({ path: SLACK_PATH }));
    const frozen = Date.parse('2026-01-02T10:00:00.000Z'); // the clock stands still: no token refills
    const h = await harness(
      { 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}`, 'notify:slack': `https://hooks.slack.com${SLACK_PATH}` },
      { discord: { enabled: true, events: ['fill'], baseUrl: discord.base, perMinute: 10 }, slack: { enabled: true, events: ['fill'], baseUrl: slack.base, perMinute: 30 } },
      { now: () => frozen },
    );
    for (let i = 0; i < 4; i++) h.bus.publish({ type: 'order', order: order({ id: `ord_${i}`, clientOrderId: `c${i}` }) });
    await eventually(() => h.rows().filter((r) => r.status === 'sent').length, (n) => n === 4);
    const byChannel = (c: string) => h.rows().filter((r) => r.channel === c);
    // perMinute 10 → burst 1, next token 6 s later; perMinute 30 → burst 3, next token 2 s later.
    expect(byChannel('discord').map((r) => r.status)).toEqual(['sent', 'pending', 'pending', 'pending']);
    expect(byChannel('discord')[1]!.next_attempt_at).toBe('2026-01-02T10:00:06.000Z');
    expect(byChannel('slack').map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'pending']);
    expect(byChannel('slack')[3]!.next_attempt_at).toBe('2026-01-02T10:00:02.000Z');
    expect(discord.received).toHaveLength(1);
    expect(slack.received).toHaveLength(3);
    expect(byChannel('discord').every((r) => r.attempts <= 1)).toBe(true);
  });
});

describe('a changed pace applies without a restart', () => {
  it('raising a channel\'s perMinute lets the waiting messages go at the new pace', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    let now = Date.parse('2026-01-02T10:00:00.000Z');
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ['fill'], baseUrl: discord.base, perMinute: 1 } }, { now: () => now });
    for (let i = 0; i < 3; i++) h.bus.publish({ type: 'order', order: order({ id: `ord_${i}`, clientOrderId: `c${i}` }) });
    await eventually(() => discord.received.length, (n) => n === 1);
    expect(h.rows().find((r) => r.status === 'pending')!.next_attempt_at).toBe('2026-01-02T10:01:00.000Z'); // 1 a minute
    expect(h.n.setChannel('discord', { enabled: true, events: ['fill'], baseUrl: discord.base, perMinute: 600 })).toMatchObject({ ok: true });
    now += 1000; // at 600 a minute a second earns the tokens for both (the burst is 5)
    await eventually(() => discord.received.length, (n) => n === 3);
    expect(h.rows().map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });
});

describe('credentials never leave in a message, the outbox or the log', () => {
  it('scrubs secret-shaped event fields, vault values and the channel credentials (canaries)', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    const tg = await withFake(fakeTelegram({ token: TG_TOKEN, chatId: '42' }));
    const slack = await withFake(fakeSlack({ path: SLACK_PATH }));
    discord.plan.push('500');
    const vaultCanary = 'CANARY-vault-broker-secret-5x9q2';
    registerSecretValue(vaultCanary); // as the vault does for every value it reads
    const h = await harness(
      { 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}`, 'notify:telegram': TG_TOKEN, 'notify:slack': `https://hooks.slack.com${SLACK_PATH}` },
      {
        discord: { enabled: true, events: ALL_KINDS, baseUrl: discord.base },
        telegram: { enabled: true, events: ALL_KINDS, chatId: '42', baseUrl: tg.base },
        slack: { enabled: true, events: ALL_KINDS, baseUrl: slack.base },
      },
    );
    h.bus.publish({ type: 'order', order: order({ status: 'rejected', reason: `broker said: apiKey=CANARYapikey123 "passphrase":"CANARYpass456" Bearer CANARYbearer789 key ${vaultCanary} url https://discord.com/api/webhooks/111/${DISCORD_TOKEN} bot ${TG_TOKEN}` }) });
    h.bus.publish({ type: 'notice', level: 'error', code: 'DAILY_LOSS_LIMIT', message: `limit hit; secret=CANARYsecret000 ${SLACK_PATH}` });
    await eventually(() => h.rows().filter((r) => r.status === 'sent').length, (n) => n === 6, 5000);
    const everything = [...discord.received, ...tg.received, ...slack.received].map((r) => r.raw).join('\n') + JSON.stringify(h.rows()) + h.logs.join('') + fs.readFileSync(h.db.name);
    for (const canary of ['CANARYapikey123', 'CANARYpass456', 'CANARYbearer789', vaultCanary, 'CANARYsecret000', DISCORD_TOKEN, TG_TOKEN, 'slackCanarySecretXYZ123']) {
      expect(everything, canary).not.toContain(canary);
    }
    expect(discord.received.some((r) => r.raw.includes('Order rejected: buy 10 AAPL'))).toBe(true);
    expect(h.logs.join('')).toContain('Discord answered 500'); // the retry was logged, without the URL
  });
});

describe('channel status, test sends and desktop', () => {
  it('reports email as not ready until an SMTP server is configured, and queues nothing for it meanwhile', async () => {
    const h = await harness({ 'notify:email': 'pw-not-used' }, { email: { enabled: true, events: ALL_KINDS } });
    const email = (await h.n.status()).find((s) => s.channel === 'email')!;
    expect(email).toMatchObject({ enabled: true, available: false });
    expect(email.detail).toContain('No SMTP server is configured');
    h.bus.publish({ type: 'trading-state', state: { state: 'halted', reason: null, updatedAt: 'x', accounts: {} }, change: { scope: 'global', from: 'active', to: 'halted', reason: null, at: 'x' } });
    expect(h.rows()).toHaveLength(0);
    expect(await h.n.sendTest('email')).toMatchObject({ ok: false, retryable: false });
  });

  it('hands desktop notifications to the shell hook and sends a Discord test message on demand', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: DISCORD_TOKEN }));
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: [], baseUrl: discord.base } });
    const shown: string[] = [];
    h.n.desktop.subscribe((m) => shown.push(m.title));
    h.bus.publish({ type: 'approval-waiting', approvalId: 'ap_1', accountId: 'acc_1', symbol: 'MSFT', side: 'sell', quantity: '5' });
    expect(shown).toEqual(['Approval waiting: sell 5 MSFT']);
    expect(h.rows()).toHaveLength(0); // discord subscribes to no event
    expect(await h.n.sendTest('discord')).toEqual({ ok: true });
    expect(discord.received[0]!.body.content).toBe('Viewzenix test notification');
    const status = await h.n.status();
    expect(status.find((s) => s.channel === 'discord')).toMatchObject({ available: true });
    expect(status.find((s) => s.channel === 'slack')).toMatchObject({ available: false, detail: 'No credential in the vault (notify:slack).' });
  });

  it('builds no message while no channel is on and no window listens (no names looked up on the pipeline), and does once one is', async () => {
    const looked: string[] = [];
    const names = { account: (id: string) => (looked.push(id), 'Paper main'), strategy: (id: string) => (looked.push(id), 'Trend') };
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${DISCORD_TOKEN}` }, { discord: { enabled: true, events: ['fill'] } }, { names });
    let settingsReads = 0;
    const prepare = h.db.prepare.bind(h.db);
    h.db.prepare = ((sql: string) => {
      if (sql.includes('FROM settings')) settingsReads++;
      return prepare(sql);
    }) as typeof h.db.prepare;
    for (const status of ['submitting', 'accepted'] as const) h.bus.publish({ type: 'order', order: order({ status, filledQuantity: '0' }) });
    expect(settingsReads).toBe(0); // events that make no message: nothing read
    expect(looked).toEqual([]);
    expect(h.n.setChannel('discord', { enabled: false, events: ['fill'] })).toMatchObject({ ok: true });
    h.bus.publish({ type: 'order', order: order() }); // desktop is on by default, but no window is attached
    expect(looked).toEqual([]);
    const shown: string[] = [];
    const off = h.n.desktop.subscribe((m) => shown.push(m.fields.map((f) => f.value).join(' ')));
    h.bus.publish({ type: 'order', order: order() });
    expect(shown).toHaveLength(1);
    expect(shown[0]).toContain('Paper main');
    off();
    looked.length = 0;
    expect(h.n.setChannel('discord', { enabled: true, events: ['fill'] })).toMatchObject({ ok: true });
    h.bus.publish({ type: 'order', order: order() });
    expect(looked.length).toBeGreaterThan(0);
    expect(h.rows()).toHaveLength(1);
  });

  it('hands out the stored configuration frozen, so no caller can change it behind the store', async () => {
    const h = await harness({}, { slack: { enabled: true, events: ['fill'] } });
    const c = h.n.config();
    expect(() => {
      c.slack.enabled = false;
    }).toThrow(TypeError);
    expect(h.n.config().slack.enabled).toBe(true);
  });

  it('publishes the settings as they are now when a channel is saved or removed, so the desktop app follows them', async () => {
    const h = await harness({}, {});
    const seen: AgentEvent[] = [];
    h.bus.subscribe((e) => seen.push(e));
    expect(h.n.setChannel('desktop', { enabled: true, events: ['halt'] }).ok).toBe(true);
    expect(h.n.setChannel('desktop', { enabled: 'no', events: [] }).ok).toBe(false); // refused: nothing changed, nothing published
    h.n.removeChannel('desktop');
    expect(seen.map((e) => (e.type === 'notification-settings' ? e.config.desktop : e.type))).toEqual([
      { enabled: true, events: ['halt'] },
      { enabled: false, events: ALL_NOTIFY_KINDS },
    ]);
  });

  it('rejects channel settings with unknown fields or kinds, listing every problem', async () => {
    const h = await harness({}, {});
    const r = h.n.setChannel('telegram', { enabled: 'yes', events: ['fill', 'moon'], chatId: 'not a chat', colour: 'x' });
    expect(r.ok).toBe(false);
    const paths = !r.ok ? r.errors.map((e) => `${e.path} ${e.message}`) : [];
    expect(paths).toEqual(expect.arrayContaining(['/ unknown field "colour"', '/enabled must be boolean', expect.stringMatching(/^\/events\/1 /), expect.stringMatching(/^\/chatId /)]));
  });

  it('refuses a credential-named key (any case, nested) and a baseUrl with user:password@, pointing to the vault; the canary is stored and answered nowhere', async () => {
    const h = await harness({}, {});
    const before = JSON.stringify(h.n.config());
    const r = h.n.setChannel('telegram', { enabled: true, events: ['fill'], BotToken: 'CANARYbot1', baseUrl: 'https://user:CANARYBASEPW@relay.example.com/' });
    expect(!r.ok && r.errors).toEqual([
      { path: '/BotToken', message: expect.stringMatching(/looks like a credential.*PUT \/api\/credentials\/notify:telegram/) },
      { path: '/baseUrl', message: expect.stringMatching(/must not contain a user name or password.*notify:telegram/) },
    ]);
    const smtp = h.n.setChannel('email', { enabled: true, events: ['halt'], smtp: { host: 'smtp.example.com', port: 587, secure: false, from: 'a@example.com', to: ['b@example.com'], password: 'CANARYsmtp' } });
    expect(!smtp.ok && smtp.errors).toEqual([{ path: '/smtp/password', message: expect.stringMatching(/notify:email/) }]);
    expect(JSON.stringify([r, smtp])).not.toMatch(/CANARY/);
    expect(JSON.stringify(h.n.config())).toBe(before);
    // A relay without a login in its URL is fine.
    expect(h.n.setChannel('telegram', { enabled: true, events: ['fill'], baseUrl: 'https://relay.example.com/' }).ok).toBe(true);
  });
});
