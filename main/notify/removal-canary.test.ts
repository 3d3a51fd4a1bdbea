// Removing a notification channel through the control API is real: its settings are forgotten and every keychain
// entry it had is deleted from the vault (canary values, checked in the vault itself), while another channel's stays.
// The canaries reach no answer, log line, export or database byte. And the record of undelivered messages is served,
// and one of them is sent again.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestAgent, type TestAgent } from '../test-support/agent.js';
import { MemorySecretStore, memoryVault } from '../test-support/memory-secret-store.js';
import { testKeychain } from '../test-support/test-keychain.js';
import { EnvStore, KeytarStore, Vault } from '../secrets/index.js';
import { fakeDiscord, fakeTelegram, type FakeService } from './testing/fake-services.js';
import { defaultConfig } from './config.js';
import type { ChannelRemoval, NotificationsView, UndeliveredView } from '../../shared/notify.js';

const TG_TOKEN = `123456789:AAHremovalCanary${randomBytes(8).toString('hex')}xyz`;
const EXTRA = `CANARYremovalExtra-${randomBytes(6).toString('hex')}`;
const DISCORD = `https://discord.com/api/webhooks/777/CANARYremovalDiscordKept${randomBytes(6).toString('hex')}`;
const ENV_SLACK = `https://hooks.slack.com/services/T0/B0/CANARYremovalEnv${randomBytes(6).toString('hex')}`;
const CANARIES = [TG_TOKEN, EXTRA, DISCORD, ENV_SLACK];

const KEYS = await testKeychain();
const { service: SERVICE, description: KEYCHAIN } = KEYS;

let agent: TestAgent | undefined;
const fakes: FakeService[] = [];
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  while (fakes.length) await fakes.pop()!.close();
});
afterAll(() => KEYS.clear());

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
function leaks(text: string): string[] {
  return CANARIES.filter((c) => text.includes(c));
}

describe(`DELETE /api/notifications/channels/:channel (${KEYCHAIN})`, () => {
  it('forgets the settings and deletes the channel\u2019s keychain entries (gone from the vault), keeps another channel\u2019s, and leaks no canary', async () => {
    const vault = KEYS.vault();
    const tg = await fakeTelegram({ token: TG_TOKEN, chatId: '-100200300' });
    fakes.push(tg);
    agent = await startTestAgent({}, { vault });
    const a = agent;
    const answers: string[] = [];
    const call = async <T>(method: string, p: string, body?: unknown) => {
      const r = await a.api<T>(method, p, body);
      answers.push(JSON.stringify(r.body));
      return r;
    };
    expect((await call('PUT', '/api/credentials/notify:telegram', { value: TG_TOKEN })).status).toBe(200);
    expect((await call('PUT', '/api/credentials/notify:telegram:extra', { value: EXTRA })).status).toBe(200);
    expect((await call('PUT', '/api/credentials/notify:discord', { value: DISCORD })).status).toBe(200);
    const settings = { enabled: true, events: ['fill', 'halt'], chatId: '-100200300', perMinute: 5, baseUrl: tg.base };
    expect((await call('PUT', '/api/notifications/channels/telegram', settings)).status).toBe(200);
    // The channel works with the canary token: the agent read it from the vault.
    expect((await call<{ ok: boolean }>('POST', '/api/notifications/channels/telegram/test')).body).toEqual({ ok: true });
    expect(tg.received).toHaveLength(1);

    const removed = await call<ChannelRemoval>('DELETE', '/api/notifications/channels/telegram');
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({
      channel: 'telegram',
      removed: true,
      givenUp: 0,
      config: expect.objectContaining({ telegram: defaultConfig().telegram }),
      credentials: { deleted: ['notify:telegram', 'notify:telegram:extra'], environment: [] },
    });
    // The vault itself no longer holds them; the other channel's entry stays.
    expect(await vault.get('notify:telegram')).toBeNull();
    expect(await vault.get('notify:telegram:extra')).toBeNull();
    expect(await vault.get('notify:discord')).toBe(DISCORD);
    expect((await call<{ items: { name: string }[] }>('GET', '/api/credentials')).body.items.map((i) => i.name)).toEqual(['notify:discord']);
    const view = (await call<NotificationsView>('GET', '/api/notifications')).body;
    expect(view.config.telegram).toEqual(defaultConfig().telegram);
    expect(view.channels.find((c) => c.channel === 'telegram')).toMatchObject({ enabled: false, available: false });
    const test = await call<{ ok: boolean }>('POST', '/api/notifications/channels/telegram/test');
    expect(test.body.ok).toBe(false);
    expect(tg.received).toHaveLength(1);

    // Removing again is fine (nothing left to delete); an unknown channel is 404.
    expect((await call<ChannelRemoval>('DELETE', '/api/notifications/channels/telegram')).body).toMatchObject({ removed: true, credentials: { deleted: [], environment: [] } });
    const unknown = await call<{ code: string }>('DELETE', '/api/notifications/channels/pager');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    const exported = await call('GET', '/api/config/export');
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).not.toContain('-100200300');

    expect(leaks(answers.join('\n'))).toEqual([]);
    const dataDir = a.dataDir;
    await a.stop();
    agent = undefined;
    await eventually(() => filesUnder(dataDir).filter((f) => f.includes(`${path.sep}logs${path.sep}`)).map((f) => fs.readFileSync(f, 'utf8')).join(''), (t) => t.includes('agent stopping'));
    const logs = filesUnder(dataDir).filter((f) => f.includes(`${path.sep}logs${path.sep}`)).map((f) => fs.readFileSync(f, 'utf8')).join('');
    expect(logs).toContain('notification channel removed');
    for (const f of filesUnder(dataDir)) expect({ file: f, leaks: leaks(fs.readFileSync(f).toString('latin1')) }).toEqual({ file: f, leaks: [] });
  });

  it('a credential the agent reads from a VIEWZENIX_SECRET_* variable is named in the answer: the trader unsets it', async () => {
    const vault = new Vault({ keychain: new MemorySecretStore(), env: new EnvStore({ VIEWZENIX_SECRET_NOTIFY_SLACK: ENV_SLACK }) });
    agent = await startTestAgent({}, { vault });
    expect((await agent.api('PUT', '/api/notifications/channels/slack', { enabled: true, events: ['fill'] })).status).toBe(200);
    const removed = await agent.api<ChannelRemoval>('DELETE', '/api/notifications/channels/slack');
    expect(removed.body).toMatchObject({ removed: true, credentials: { deleted: [], environment: ['VIEWZENIX_SECRET_NOTIFY_SLACK'] } });
    expect(JSON.stringify(removed.body)).not.toContain(ENV_SLACK);
  });

  it('without a writable keychain: the settings are removed, and 503 VAULT_UNAVAILABLE says the credential is not, with the fix', async () => {
    const noKeychain = new KeytarStore({
      service: SERVICE,
      loadKeytar: async () => {
        throw new Error("Cannot find module '../build/Release/keytar.node'");
      },
    });
    agent = await startTestAgent({}, { vault: new Vault({ keychain: noKeychain, env: new EnvStore({ VIEWZENIX_SECRET_NOTIFY_SLACK: ENV_SLACK }) }) });
    expect((await agent.api('PUT', '/api/notifications/channels/slack', { enabled: true, events: ['fill'], perMinute: 9 })).status).toBe(200);
    const r = await agent.api<{ code: string; message: string; fix: string }>('DELETE', '/api/notifications/channels/slack');
    expect([r.status, r.body.code]).toEqual([503, 'VAULT_UNAVAILABLE']);
    expect(r.body.message).toMatch(/^The slack channel's settings are removed and nothing more is sent to it, but its credential could not be deleted from the keychain\. Cannot delete "notify:slack": .*Remove the channel again once the keychain works\.$/);
    expect(r.body.fix).toContain(process.platform === 'darwin' ? 'login keychain' : process.platform === 'win32' ? 'Credential Manager' : 'gnome-keyring');
    expect(JSON.stringify(r.body)).not.toContain(ENV_SLACK);
    expect((await agent.api<NotificationsView>('GET', '/api/notifications')).body.config.slack).toEqual(defaultConfig().slack);
    // The desktop channel has no credential: removed without asking the keychain.
    expect((await agent.api<ChannelRemoval>('DELETE', '/api/notifications/channels/desktop')).body).toMatchObject({ removed: true, config: { desktop: { enabled: false } } });
  });
});

describe('GET / DELETE /api/notifications/undelivered', () => {
  it('lists a fill notification the agent gave up (the webhook is gone), with channel, title, when and why; clears it', async () => {
    const discord = await fakeDiscord({ id: '111', token: 'CANARYunusedToken' });
    fakes.push(discord);
    const vault = memoryVault();
    agent = await startTestAgent({}, { vault });
    const a = agent;
    const empty = await a.api<UndeliveredView>('GET', '/api/notifications/undelivered');
    expect(empty.body).toEqual({ items: [], total: 0, truncated: false, kept: { count: 500, days: 30 } });
    for (const bad of ['?limit=0', '?limit=abc', '?channel=pager', '?colour=red']) {
      const r = await a.api<{ code: string }>('GET', `/api/notifications/undelivered${bad}`);
      expect([bad, r.status, r.body.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
    }
    expect((await a.api<{ code: string }>('DELETE', '/api/notifications/undelivered?through=yesterday')).body.code).toBe('VALIDATION_FAILED');

    expect((await a.api('PUT', '/api/credentials/notify:discord', { value: DISCORD })).status).toBe(200); // webhook 777: unknown to the fake
    expect((await a.api('PUT', '/api/notifications/channels/discord', { enabled: true, events: ['fill'], baseUrl: discord.base })).status).toBe(200);
    expect((await a.post(new URL(a.demoWebhookUrl!).pathname, '{"ticker":"MSFT","action":"buy","quantity":2,"price":410}')).status).toBe(202);
    const list = await eventually(async () => (await a.api<UndeliveredView>('GET', '/api/notifications/undelivered')).body, (v) => v.total === 1, 10_000);
    expect(list.items[0]).toMatchObject({ channel: 'discord', kind: 'fill', attempts: 1, title: expect.stringMatching(/^Filled: buy 2 MSFT/) });
    expect(list.items[0]!.error).toContain('Unknown Webhook');
    expect(JSON.stringify(list)).not.toContain(DISCORD.split('/').pop()!);
    // The record's channel count matches the card's "given up".
    expect((await a.api<NotificationsView>('GET', '/api/notifications')).body.channels.find((c) => c.channel === 'discord')!.outbox.dead).toBe(1);
    // Cleared up to the one read: a given-up time before it clears nothing, its own clears it.
    const before = new Date(Date.parse(list.items[0]!.givenUpAt) - 1).toISOString();
    expect((await a.api('DELETE', `/api/notifications/undelivered?through=${encodeURIComponent(before)}`)).body).toEqual({ cleared: 0 });
    expect((await a.api('DELETE', `/api/notifications/undelivered?channel=discord&through=${encodeURIComponent(list.items[0]!.givenUpAt)}`)).body).toEqual({ cleared: 1 });
    expect((await a.api<UndeliveredView>('GET', '/api/notifications/undelivered')).body.total).toBe(0);
  });
});

describe('POST /api/notifications/outbox/:id/retry (the window\u2019s "Send again")', () => {
  it('sends a given-up message again: back in the outbox with a fresh count of attempts, delivered once the webhook is right; an id not given up is 404 NOT_FOUND', async () => {
    const token = `CANARYretry${randomBytes(6).toString('hex')}`;
    const discord = await fakeDiscord({ id: '111', token });
    fakes.push(discord);
    const vault = new Vault({ keychain: new MemorySecretStore(), env: new EnvStore({}) });
    agent = await startTestAgent({}, { vault });
    const a = agent;
    // What the service accepted (it answers every request, a refused one too).
    const delivered = () => discord.received.filter((r) => r.path === `/api/webhooks/111/${token}`);
    // The webhook is gone (777 is unknown to the service): the fill notification is given up at once.
    expect((await a.api('PUT', '/api/credentials/notify:discord', { value: `https://discord.com/api/webhooks/777/${token}` })).status).toBe(200);
    expect((await a.api('PUT', '/api/notifications/channels/discord', { enabled: true, events: ['fill'], baseUrl: discord.base })).status).toBe(200);
    expect((await a.post(new URL(a.demoWebhookUrl!).pathname, '{"ticker":"MSFT","action":"buy","quantity":2,"price":410}')).status).toBe(202);
    const list = await eventually(async () => (await a.api<UndeliveredView>('GET', '/api/notifications/undelivered')).body, (v) => v.total === 1, 10_000);
    const given = list.items[0]!;
    expect(given.error).toContain('Unknown Webhook');
    expect(discord.received.map((r) => r.path)).toEqual([`/api/webhooks/777/${token}`]);
    expect(delivered()).toHaveLength(0);

    // The trader pastes the right webhook and sends it again.
    expect((await a.api('PUT', '/api/credentials/notify:discord', { value: `https://discord.com/api/webhooks/111/${token}` })).status).toBe(200);
    const retried = await a.api('POST', `/api/notifications/outbox/${given.id}/retry`);
    expect(retried).toEqual({ status: 200, body: { ok: true } });
    expect((await a.api<UndeliveredView>('GET', '/api/notifications/undelivered')).body.total).toBe(0);
    await eventually(() => delivered().length, (n) => n === 1, 10_000);
    expect(JSON.stringify(delivered()[0]!.body)).toContain('MSFT');
    const row = await eventually(async () => (await a.api<{ items: { id: number; status: string; attempts: number }[] }>('GET', '/api/notifications/outbox?channel=discord')).body.items.find((r) => r.id === given.id), (r) => r?.status === 'sent');
    expect(row).toMatchObject({ status: 'sent', attempts: 1 }); // a fresh count: this was its first attempt again

    // Sent now, it cannot be sent again; nor can an id that never was given up, or no id at all.
    for (const id of [String(given.id), '999999', 'abc', '1.5']) {
      const r = await a.api<{ code: string; message: string; fix: string }>('POST', `/api/notifications/outbox/${id}/retry`);
      expect([id, r.status, r.body.code]).toEqual([id, 404, 'NOT_FOUND']);
      expect(r.body.message).toBe('No given-up notification has this id: it was sent again already, or cleared from the record of undelivered ones.');
      expect(r.body.fix).toContain('GET /api/notifications/undelivered');
    }
    expect(delivered()).toHaveLength(1);
    expect(discord.received).toHaveLength(2);
  });
});
