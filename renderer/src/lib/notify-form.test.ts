import { describe, expect, it } from 'vitest';
import type { ChannelRemoval, ChannelSettings, NotifyConfig } from '../../../shared/notify.js';
import { NOTIFY_KINDS } from '../../../shared/notify.js';
import { channelForm, errorsByField, isConfigured, removeChannel, saveChannel, savePlan, secretState, secretVariable, testOutcomeWords, toggleBody, toggleChannel, type ChannelForm, type NotifyApi } from './notify-form.js';

const off: ChannelSettings = { enabled: false, events: [...NOTIFY_KINDS] };
const form = (s: ChannelSettings, patch: Partial<ChannelForm> = {}): ChannelForm => ({ ...channelForm(s), ...patch });
const CANARY = 'https://discord.com/api/webhooks/123/CANARY-NOTIFY-SECRET';

/** An API that records every call, in order; `fail` makes a call throw. */
function recorder(fail: Partial<Record<keyof NotifyApi, unknown>> = {}) {
  const calls: [string, ...unknown[]][] = [];
  const config = {} as NotifyConfig;
  const api: NotifyApi = {
    setCredential: async (name, value) => {
      calls.push(['setCredential', name, value]);
      if (fail.setCredential) throw fail.setCredential;
    },
    saveNotifyChannel: async (channel, settings) => {
      calls.push(['saveNotifyChannel', channel, settings]);
      if (fail.saveNotifyChannel) throw fail.saveNotifyChannel;
      return config;
    },
    removeNotifyChannel: async (channel) => {
      calls.push(['removeNotifyChannel', channel]);
      if (fail.removeNotifyChannel) throw fail.removeNotifyChannel;
      return { channel, removed: true, config, givenUp: 0, credentials: { deleted: [], environment: [] } } satisfies ChannelRemoval;
    },
  };
  return { api, calls };
}

describe('channelForm', () => {
  it('fills every input from the saved settings, and the credential field always starts empty', () => {
    const f = channelForm({ enabled: true, events: ['fill', 'halt'], perMinute: 12, smtp: { host: 'smtp.example.com', port: 465, secure: true, user: 'me', from: 'a@example.com', to: ['b@example.com', 'c@example.com'] } });
    expect(f).toEqual({
      enabled: true,
      events: ['fill', 'halt'],
      secret: '',
      perMinute: '12',
      baseUrl: '',
      chatId: '',
      smtpHost: 'smtp.example.com',
      smtpPort: '465',
      smtpSecure: true,
      smtpUser: 'me',
      smtpFrom: 'a@example.com',
      smtpTo: 'b@example.com, c@example.com',
    });
  });
  it('adding a channel turns it on, with the events the agent has for it', () => {
    const f = channelForm({ enabled: false, events: ['halt', 'drift'] }, { adding: true });
    expect([f.enabled, f.events]).toEqual([true, ['halt', 'drift']]);
  });
});

describe('savePlan', () => {
  it('sends the settings without the credential, which goes to notify:<channel> on its own', () => {
    const plan = savePlan('discord', form(off, { enabled: true, events: ['halt', 'fill'], secret: ` ${CANARY} `, perMinute: '20', baseUrl: ' http://127.0.0.1:9999 ' }), off);
    expect(plan.errors).toEqual([]);
    expect(plan.body).toEqual({ enabled: true, events: ['fill', 'halt'], perMinute: 20, baseUrl: 'http://127.0.0.1:9999' });
    expect(JSON.stringify(plan.body)).not.toContain('CANARY');
    expect(plan.secret).toEqual({ name: 'notify:discord', value: CANARY });
  });
  it('stores no credential when none was typed (the stored one stays)', () => {
    expect(savePlan('telegram', form(off, { secret: '   ', chatId: '-100123' }), off).secret).toBeUndefined();
  });
  it('the desktop channel has no credential, address or pace: a typed value is never sent, and saved fields are kept', () => {
    const saved: ChannelSettings = { enabled: true, events: ['fill'], perMinute: 30 };
    const plan = savePlan('desktop', form(saved, { secret: 'x', perMinute: '', baseUrl: 'https://x.example', events: ['halt'] }), saved);
    expect(plan).toEqual({ body: { enabled: true, events: ['halt'], perMinute: 30 }, secret: undefined, errors: [] });
  });
  it('an emptied input removes its field, so the default applies again', () => {
    const saved: ChannelSettings = { enabled: true, events: ['fill'], perMinute: 5, baseUrl: 'https://relay.example', chatId: '@desk_alerts' };
    expect(savePlan('telegram', form(saved, { perMinute: ' ', baseUrl: '', chatId: '' }), saved).body).toEqual({ enabled: true, events: ['fill'] });
  });
  it('keeps a field this channel does not show (an email baseUrl saved by hand) as it is', () => {
    const saved: ChannelSettings = { enabled: true, events: ['halt'], baseUrl: 'https://kept.example', chatId: '@kept_chat' };
    expect(savePlan('email', form(saved), saved).body).toEqual(saved);
  });
  it('sends the events in the agent\u2019s order, each once, and an empty list when none is ticked', () => {
    expect(savePlan('slack', form(off, { events: ['halt', 'fill', 'halt'] }), off).body.events).toEqual(['fill', 'halt']);
    expect(savePlan('slack', form(off, { events: [] }), off).body.events).toEqual([]);
  });
  it('sends the pace and the SMTP port as numbers, and refuses what is not a whole number before anything is sent', () => {
    expect(savePlan('email', form(off, { perMinute: '7', smtpHost: 'h', smtpPort: '587', smtpFrom: 'a@example.com', smtpTo: 'b@example.com' }), off).body).toMatchObject({ perMinute: 7, smtp: { host: 'h', port: 587, secure: false, from: 'a@example.com', to: ['b@example.com'] } });
    const bad = savePlan('email', form(off, { perMinute: '2.5', smtpHost: 'h', smtpPort: '58 7' }), off);
    expect(bad.errors).toEqual([
      { path: '/perMinute', message: 'must be a whole number like 20' },
      { path: '/smtp/port', message: 'must be a whole number like 587' },
    ]);
  });
  it('leaves the range to the agent (its 400 VALIDATION_FAILED names the field)', () => {
    expect(savePlan('discord', form(off, { perMinute: '601' }), off)).toMatchObject({ errors: [], body: { perMinute: 601 } });
  });
  it('splits the recipients on commas, semicolons and spaces; no SMTP input typed leaves smtp out', () => {
    expect(savePlan('email', form(off, { smtpHost: 'h', smtpTo: 'a@x.example; b@x.example,\n c@x.example ' }), off).body.smtp?.to).toEqual(['a@x.example', 'b@x.example', 'c@x.example']);
    const saved: ChannelSettings = { enabled: true, events: [], smtp: { host: 'h', port: 1, secure: true, from: 'a@x.example', to: ['b@x.example'] } };
    expect('smtp' in savePlan('email', form(saved, { smtpHost: '', smtpPort: '', smtpUser: '', smtpFrom: '', smtpTo: '' }), saved).body).toBe(false);
  });
  it('refuses a Discord or Slack value that is not a webhook URL, and a Telegram token with spaces, without repeating the value', () => {
    for (const [channel, value] of [
      ['discord', 'CANARY-not-a-url'],
      ['slack', 'https://hooks.slack.com'],
      ['telegram', '123456 CANARY'],
    ] as const) {
      const plan = savePlan(channel, form(off, { secret: value }), off);
      expect(plan.secret).toBeUndefined();
      expect(plan.errors).toHaveLength(1);
      expect(plan.errors[0]!.path).toBe('/secret');
      expect(plan.errors[0]!.message).not.toContain('CANARY');
    }
    expect(savePlan('telegram', form(off, { secret: '123456:ABC-def_1' }), off).secret).toEqual({ name: 'notify:telegram', value: '123456:ABC-def_1' });
    expect(savePlan('email', form(off, { secret: 'any pass word' }), off).secret).toEqual({ name: 'notify:email', value: 'any pass word' });
  });
});

describe('saveChannel, toggleChannel and removeChannel', () => {
  it('stores the credential first, then the settings', async () => {
    const { api, calls } = recorder();
    await saveChannel(api, 'discord', savePlan('discord', form(off, { enabled: true, secret: CANARY }), off));
    expect(calls.map((c) => c[0])).toEqual(['setCredential', 'saveNotifyChannel']);
    expect(calls[0]).toEqual(['setCredential', 'notify:discord', CANARY]);
    expect(JSON.stringify(calls[1])).not.toContain('CANARY');
  });
  it('a refused credential (no keychain) stops the save: the settings are not sent', async () => {
    const { api, calls } = recorder({ setCredential: new Error('VAULT_UNAVAILABLE') });
    await expect(saveChannel(api, 'slack', savePlan('slack', form(off, { secret: 'https://hooks.slack.com/services/T/B/x' }), off))).rejects.toThrow('VAULT_UNAVAILABLE');
    expect(calls.map((c) => c[0])).toEqual(['setCredential']);
  });
  it('sends nothing for a plan with problems', async () => {
    const { api, calls } = recorder();
    await expect(saveChannel(api, 'discord', savePlan('discord', form(off, { perMinute: 'x' }), off))).rejects.toThrow();
    expect(calls).toEqual([]);
  });
  it('disabling keeps everything the channel has (its address, chat id, pace, events) and only turns it off; enabling turns it on again', async () => {
    const saved: ChannelSettings = { enabled: true, events: ['halt'], chatId: '@desk_alerts', perMinute: 3, baseUrl: 'https://relay.example' };
    const { api, calls } = recorder();
    await toggleChannel(api, 'telegram', saved);
    await toggleChannel(api, 'telegram', { ...saved, enabled: false });
    expect(calls).toEqual([
      ['saveNotifyChannel', 'telegram', { ...saved, enabled: false }],
      ['saveNotifyChannel', 'telegram', saved],
    ]);
    expect(toggleBody(saved)).toEqual({ enabled: false, events: ['halt'], chatId: '@desk_alerts', perMinute: 3, baseUrl: 'https://relay.example' });
  });
  it('removing is one request to the agent, which forgets the settings and deletes the credential itself; nothing is sent to the keychain from here', async () => {
    const { api, calls } = recorder();
    expect(await removeChannel(api, 'telegram')).toMatchObject({ channel: 'telegram', removed: true });
    expect(calls).toEqual([['removeNotifyChannel', 'telegram']]);
  });
  it('a removal the agent could not finish (the keychain is locked) is reported', async () => {
    const { api } = recorder({ removeNotifyChannel: new Error('VAULT_UNAVAILABLE') });
    await expect(removeChannel(api, 'discord')).rejects.toThrow('VAULT_UNAVAILABLE');
  });
});

describe('secretState and isConfigured', () => {
  const ready = { channel: 'discord' as const, enabled: true, available: true, outbox: {} };
  it('says where the credential is, from the keychain names and the channel status, never from a value', () => {
    expect(secretState('discord', ['notify:discord'], undefined)).toBe('keychain');
    expect(secretState('discord', [], ready)).toBe('elsewhere');
    expect(secretState('discord', ['notify:slack'], { ...ready, available: false })).toBe('none');
    expect(secretState('discord', undefined, undefined)).toBe('unknown');
    expect(secretState('discord', undefined, ready)).toBe('stored');
    expect(secretState('desktop', undefined, undefined)).toBe('none');
  });
  it('lists a channel that is on, or has anything stored; an untouched one is offered under "Add"', () => {
    expect(isConfigured(off, 'none')).toBe(false);
    expect(isConfigured({ ...off, enabled: true }, 'none')).toBe(true);
    expect(isConfigured(off, 'keychain')).toBe(true);
    expect(isConfigured({ ...off, chatId: '@x_chat' }, 'none')).toBe(true);
    expect(isConfigured({ ...off, perMinute: 1 }, 'unknown')).toBe(true);
  });
});

describe('errorsByField', () => {
  it('puts the agent\u2019s 400 errors beside their inputs, and what no input owns under ""', () => {
    const m = errorsByField([
      { path: '/perMinute', message: 'must be <= 600' },
      { path: '/smtp', message: "must have required property 'port'" },
      { path: '/smtp/to/1', message: 'must match format "email"' },
      { path: '/smtp', message: 'must be object' },
      { path: '/apiToken', message: 'looks like a credential' },
      { path: '/secret', message: 'must be the whole webhook URL' },
    ]);
    expect(Object.fromEntries(m)).toEqual({
      perMinute: ['must be <= 600'],
      smtpPort: ['is required'],
      smtpTo: ['must match format "email"'],
      smtpHost: ['must be object'],
      '': ['looks like a credential'],
      secret: ['must be the whole webhook URL'],
    });
  });
});

describe('testOutcomeWords', () => {
  it('says sent, or the service\u2019s refusal and whether trying again can help', () => {
    expect(testOutcomeWords('discord', { ok: true })).toEqual({ ok: true, message: 'Sent: Discord accepted the test message.' });
    expect(testOutcomeWords('discord', { ok: false, retryable: false, error: 'Discord answered 404: Unknown Webhook.' })).toMatchObject({ ok: false, message: 'Discord answered 404: Unknown Webhook.', hint: expect.stringMatching(/will not help/) });
    expect(testOutcomeWords('telegram', { ok: false, retryable: true, retryAfterMs: 1500, error: 'Telegram flood control (429)' }).hint).toMatch(/try again.*wait 2 s/);
  });
});

it('names the environment variable the agent reads without a keychain', () => {
  expect(secretVariable('discord')).toBe('VIEWZENIX_SECRET_NOTIFY_DISCORD');
});
