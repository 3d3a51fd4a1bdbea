// Removing a channel forgets its settings and gives up what waits for it; every message the dispatcher gives up is
// kept in a bounded record of undelivered ones (channel, when, why, title; never a credential) that the trader reads
// and clears.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { eventually } from '../test-support/agent.js';
import { registerSecretValue } from '../secrets/redaction.js';
import { SettingsRepo } from '../store/settings.js';
import { OutboxRepo } from '../store/outbox.js';
import { fakeDiscord } from './testing/fake-services.js';
import { harness, order, runCleanups, withFake } from './testing/harness.js';
import { defaultConfig, SETTINGS_KEY } from './config.js';
import { UNDELIVERED_KEPT } from './dispatcher.js';
import { NOTIFY_KINDS } from './types.js';

const TOKEN = 'dWebhookTokenUndelivered_0a1b2c3d4e5f6789';
const WEBHOOK = `https://discord.com/api/webhooks/111/${TOKEN}`;
const DAY = 24 * 3600_000;

afterEach(runCleanups);

describe('removing a channel', () => {
  it('forgets its settings (chat id, address, pace, events): the stored configuration no longer holds them and the channel is off', async () => {
    const h = await harness({}, { telegram: { enabled: true, events: ['fill'], chatId: '-1001234567890', baseUrl: 'https://relay.example.com/', perMinute: 7 } });
    expect(h.n.config().telegram.chatId).toBe('-1001234567890');
    const r = h.n.removeChannel('telegram');
    expect(r.config.telegram).toEqual(defaultConfig().telegram);
    expect(h.n.config().telegram).toEqual({ enabled: false, events: [...NOTIFY_KINDS] });
    const stored = JSON.parse(new SettingsRepo(h.db).get(SETTINGS_KEY)!) as Record<string, unknown>;
    expect(stored).not.toHaveProperty('telegram');
    expect(JSON.stringify(stored)).not.toMatch(/1001234567890|relay\.example/);
  });

  it('the desktop channel, on by default, stays off once removed', async () => {
    const h = await harness({}, {});
    expect(h.n.config().desktop.enabled).toBe(true);
    expect(h.n.removeChannel('desktop')).toMatchObject({ givenUp: 0, config: { desktop: { enabled: false, events: defaultConfig().desktop.events } } });
    expect(h.n.config().desktop.enabled).toBe(false);
  });

  it('gives up the messages still waiting for it at once, saying why; another channel\u2019s stay', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: TOKEN }));
    const frozen = Date.parse('2026-01-02T10:00:00.000Z'); // no token refills: beyond the first, messages wait
    const h = await harness({ 'notify:discord': WEBHOOK }, { discord: { enabled: true, events: ['fill'], baseUrl: discord.base, perMinute: 1 } }, { now: () => frozen });
    for (let i = 0; i < 3; i++) h.bus.publish({ type: 'order', order: order({ id: `ord_${i}`, clientOrderId: `c${i}` }) });
    await eventually(() => h.rows().map((r) => r.status).join(), (s) => s === 'sent,pending,pending');
    const r = h.n.removeChannel('discord');
    expect(r.givenUp).toBe(2);
    expect(h.rows().map((x) => [x.status, x.last_error])).toEqual([
      ['sent', null],
      ['dead', 'The discord channel was removed before this message was sent.'],
      ['dead', 'The discord channel was removed before this message was sent.'],
    ]);
    const u = h.n.undelivered.list();
    expect(u.items.map((i) => ({ channel: i.channel, givenUpAt: i.givenUpAt, title: i.title }))).toEqual([
      { channel: 'discord', givenUpAt: '2026-01-02T10:00:00.000Z', title: 'Filled: buy 10 AAPL @ 190.5' },
      { channel: 'discord', givenUpAt: '2026-01-02T10:00:00.000Z', title: 'Filled: buy 10 AAPL @ 190.5' },
    ]);
    expect(discord.received).toHaveLength(1);
  });
});

describe('the record of undelivered messages', () => {
  it('keeps what the dispatcher gave up after its retries: channel, kind, title, why, attempts, when queued and when given up; never the credential', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: TOKEN }));
    discord.plan.push('500', '500', '500');
    const vaultCanary = 'CANARY-undelivered-vault-value-7f3k';
    registerSecretValue(vaultCanary); // as the vault does for every value it hands out
    const h = await harness({ 'notify:discord': WEBHOOK }, { discord: { enabled: true, events: ['fill', 'rejection'], baseUrl: discord.base } }, { maxAttempts: 3 });
    h.bus.publish({ type: 'order', order: order({ status: 'rejected', reason: `broker said key ${vaultCanary} url ${WEBHOOK}` }) });
    await eventually(() => h.rows()[0]?.status, (s) => s === 'dead', 10_000);
    const u = h.n.undelivered.list();
    expect(u).toMatchObject({ total: 1, truncated: false, kept: { count: UNDELIVERED_KEPT.count, days: UNDELIVERED_KEPT.days } });
    const item = u.items[0]!;
    expect(item).toMatchObject({ channel: 'discord', kind: 'rejection', severity: 'warning', attempts: 3, error: 'Gave up after 3 attempts: Discord answered 500: 500: Internal Server Error' });
    expect(item.title).toMatch(/^Order rejected: buy 10 AAPL/);
    expect(Date.parse(item.givenUpAt)).toBeGreaterThanOrEqual(Date.parse(item.createdAt));
    expect(Date.now() - Date.parse(item.givenUpAt)).toBeLessThan(10_000);
    const everything = JSON.stringify(u) + h.logs.join('') + fs.readFileSync(h.db.name).toString('latin1');
    for (const canary of [TOKEN, vaultCanary]) expect(everything, canary).not.toContain(canary);
  });

  it('a message given up at once (the webhook is gone) is recorded with the service\u2019s words; a retried one leaves the record', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: TOKEN }));
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/999/${TOKEN}` }, { discord: { enabled: true, events: ['fill'], baseUrl: discord.base } });
    h.bus.publish({ type: 'order', order: order() });
    await eventually(() => h.n.undelivered.list().total, (n) => n === 1);
    const [item] = h.n.undelivered.list().items;
    expect(item).toMatchObject({ channel: 'discord', kind: 'fill', title: 'Filled: buy 10 AAPL @ 190.5', attempts: 1 });
    expect(item!.error).toContain('Unknown Webhook');
    expect(h.n.outbox.retry(item!.id)).toBe(true);
    expect(h.n.undelivered.list()).toMatchObject({ total: 0, items: [] });
  });

  it('is cleared by the trader: up to the last one read (one given up after stays), or one channel\u2019s, or all', async () => {
    const h = await harness({}, {});
    const outbox = new OutboxRepo(h.db);
    const dead = (channel: string, key: string, at: string) => {
      outbox.enqueue({ channel, kind: 'fill', dedupeKey: key, message: { kind: 'fill', severity: 'info', title: `t ${key}`, lines: [], fields: [], at }, at });
      outbox.markDead(outbox.list({ limit: 1 })[0]!.id, 'Gave up', at);
    };
    dead('discord', 'a', '2026-01-02T10:00:00.000Z');
    // A value the vault hands out after a message was stored is scrubbed from the record on the way out too.
    const late = 'CANARY-late-vault-value-q8w7e6';
    dead('slack', `late ${late}`, '2026-01-01T09:00:00.000Z');
    registerSecretValue(late);
    expect(h.n.undelivered.list().items.find((i) => i.title.startsWith('t late'))?.title).toBe('t late [redacted]');
    expect(h.n.undelivered.clear({ through: '2026-01-01T09:00:00.000Z' })).toBe(1);
    dead('slack', 'b', '2026-01-02T10:01:00.000Z');
    dead('discord', 'c', '2026-01-02T10:02:00.000Z');
    expect(h.n.undelivered.list().items.map((i) => i.title)).toEqual(['t c', 't b', 't a']); // the last given up first
    expect(h.n.undelivered.list({ channel: 'discord' }).items.map((i) => i.title)).toEqual(['t c', 't a']);
    expect(h.n.undelivered.list({ limit: 2 })).toMatchObject({ total: 3, truncated: true });
    expect(h.n.undelivered.clear({ through: '2026-01-02T10:01:00.000Z' })).toBe(2);
    expect(h.n.undelivered.list().items.map((i) => i.title)).toEqual(['t c']);
    dead('slack', 'd', '2026-01-02T10:03:00.000Z');
    expect(h.n.undelivered.clear({ channel: 'slack' })).toBe(1);
    expect(h.n.undelivered.clear()).toBe(1);
    expect(h.n.undelivered.list()).toMatchObject({ total: 0, items: [] });
  });

  it('cannot grow without bound: at most UNDELIVERED_KEPT.count, the oldest going first, and none older than UNDELIVERED_KEPT.days', async () => {
    const discord = await withFake(fakeDiscord({ id: '111', token: TOKEN }));
    let now = Date.parse('2026-03-01T12:00:00.000Z');
    const h = await harness({ 'notify:discord': `https://discord.com/api/webhooks/999/${TOKEN}` }, { discord: { enabled: true, events: ['fill'], baseUrl: discord.base, perMinute: 600 } }, { now: () => now });
    const outbox = new OutboxRepo(h.db);
    const insert = h.db.prepare("INSERT INTO notify_outbox (channel, kind, dedupe_key, message, status, attempts, next_attempt_at, created_at, last_error, dead_at) VALUES ('slack', 'fill', ?, '{}', 'dead', 1, ?, ?, 'x', ?)");
    const old = new Date(now - (UNDELIVERED_KEPT.days + 1) * DAY).toISOString();
    insert.run('too-old', old, old, old);
    for (let i = 0; i < UNDELIVERED_KEPT.count; i++) {
      const at = new Date(now - DAY + i * 1000).toISOString();
      insert.run(`k${i}`, at, at, at);
    }
    expect(outbox.undelivered({ limit: 1 }).total).toBe(UNDELIVERED_KEPT.count + 1);
    // One more given up by the dispatcher (the webhook is gone): the one too old and the oldest beyond the count go.
    h.bus.publish({ type: 'order', order: order() });
    await eventually(() => h.rows().find((r) => r.channel === 'discord')?.status, (s) => s === 'dead');
    const after = h.n.undelivered.list({ limit: UNDELIVERED_KEPT.count });
    expect(after.total).toBe(UNDELIVERED_KEPT.count);
    expect(after.items[0]).toMatchObject({ channel: 'discord', givenUpAt: '2026-03-01T12:00:00.000Z' });
    const keys = new Set(h.db.prepare("SELECT dedupe_key AS k FROM notify_outbox WHERE status = 'dead'").all().map((r) => (r as { k: string }).k));
    expect(keys.has('too-old')).toBe(false);
    expect(keys.has('k0')).toBe(false); // the oldest within the age, beyond the count
    expect(keys.has('k1')).toBe(true);
    // At the next start, the age alone: a month later everything given up before is forgotten.
    await h.n.stop();
    now += (UNDELIVERED_KEPT.days + 1) * DAY;
    const again = await harness({}, {}, { now: () => now }, h.db);
    expect(again.n.undelivered.list()).toMatchObject({ total: 0 });
  });
});
