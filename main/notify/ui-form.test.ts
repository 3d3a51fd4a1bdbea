// The window's notification form (renderer/src/lib/notify-form.ts) sends exactly what the agent accepts: each
// channel's filled-in form passes the agent's own check, and a value the agent refuses is refused with the path the
// form shows it beside.
import { describe, expect, it } from 'vitest';
import { CHANNEL_SETTINGS_SCHEMA, channelSettingsIssues, defaultConfig } from './config.js';
import { CHANNEL_NAMES } from './types.js';
import { CHANNEL_FIELDS, channelForm, errorsByField, savePlan, type ChannelForm } from '../../renderer/src/lib/notify-form.js';

const full: Omit<ChannelForm, 'enabled' | 'events'> = {
  secret: 'https://discord.com/api/webhooks/1/abc',
  perMinute: '30',
  baseUrl: 'http://127.0.0.1:8080',
  chatId: '-1001234567890',
  smtpHost: 'smtp.example.com',
  smtpPort: '587',
  smtpSecure: false,
  smtpUser: 'alerts@example.com',
  smtpFrom: 'alerts@example.com',
  smtpTo: 'me@example.com, you@example.com',
};

describe('the window sends what PUT /api/notifications/channels/<channel> accepts', () => {
  it('every channel, every input filled, passes the agent\u2019s check and holds no credential', () => {
    for (const channel of CHANNEL_NAMES) {
      const saved = defaultConfig()[channel];
      const plan = savePlan(channel, { ...channelForm(saved, { adding: true }), ...full, secret: channel === 'telegram' ? '123:abc' : full.secret }, saved);
      expect(plan.errors).toEqual([]);
      expect(channelSettingsIssues(channel, plan.body)).toEqual([]);
      expect(JSON.stringify(plan.body)).not.toMatch(/webhooks|123:abc/);
      for (const key of Object.keys(plan.body)) expect(Object.keys(CHANNEL_SETTINGS_SCHEMA.properties)).toContain(key);
    }
  });
  it('the inputs cover every setting the agent takes for the channel that uses it', () => {
    const shown = new Set(Object.values(CHANNEL_FIELDS).flatMap((f) => Object.entries(f).filter(([, v]) => v).map(([k]) => k)));
    for (const key of Object.keys(CHANNEL_SETTINGS_SCHEMA.properties)) if (key !== 'enabled' && key !== 'events') expect(shown).toContain(key);
  });
  it('an SMTP section with parts left empty is refused by the agent beside the inputs that are missing', () => {
    const saved = defaultConfig().email;
    const plan = savePlan('email', { ...channelForm(saved), smtpHost: 'smtp.example.com', smtpTo: 'not-an-address' }, saved);
    const fields = errorsByField(channelSettingsIssues('email', plan.body));
    expect(fields.get('smtpPort')).toEqual(['is required']);
    expect(fields.get('smtpFrom')).toEqual(['is required']);
    expect(fields.get('smtpTo')).toEqual(['must match format "email"']);
    expect(fields.has('')).toBe(false);
  });
  it('a pace out of range and a bad chat id are refused beside their inputs', () => {
    const saved = defaultConfig().telegram;
    const plan = savePlan('telegram', { ...channelForm(saved), perMinute: '601', chatId: 'my chat' }, saved);
    const fields = errorsByField(channelSettingsIssues('telegram', plan.body));
    expect(fields.get('perMinute')).toEqual(['must be <= 600']);
    expect(fields.get('chatId')?.[0]).toMatch(/must match pattern/);
  });
});
