// The notifications section as the agent's answers draw it (server-rendered: no browser needed). The editing,
// testing, disabling and removing flows, and the undelivered list, run against a real agent in
// e2e/ui-notifications.spec.ts.
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiContext } from '../api/context.js';
import { ApiClient } from '../api/client.js';
import { keys } from '../api/keys.js';
import { NOTIFY_KINDS, type NotificationsView, type UndeliveredView } from '../../../shared/notify.js';
import { removalWords } from '../lib/notify-words.js';
import { NotificationSettings } from './NotificationSettings.js';

const none: UndeliveredView = { items: [], total: 0, truncated: false, kept: { count: 500, days: 30 } };

function render(view: NotificationsView, credentialNames: string[] | undefined, undelivered: UndeliveredView = none): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  qc.setQueryData(keys.notifications, view);
  qc.setQueryData(keys.undelivered, undelivered);
  if (credentialNames) qc.setQueryData(keys.credentials, credentialNames);
  return renderToStaticMarkup(
    <ApiContext.Provider value={new ApiClient('token', 'http://127.0.0.1:1')}>
      <QueryClientProvider client={qc}>
        <NotificationSettings />
      </QueryClientProvider>
    </ApiContext.Provider>,
  );
}

const all = [...NOTIFY_KINDS];
const view: NotificationsView = {
  config: {
    discord: { enabled: true, events: ['fill', 'halt'], perMinute: 12, baseUrl: 'http://127.0.0.1:9' },
    telegram: { enabled: false, events: all },
    slack: { enabled: false, events: all },
    email: { enabled: false, events: ['halt'] },
    desktop: { enabled: true, events: all },
  },
  channels: [
    { channel: 'discord', enabled: true, available: true, outbox: { pending: 2, sent: 40, dead: 1 } },
    { channel: 'telegram', enabled: false, available: false, detail: 'No chat id is configured for Telegram.', outbox: {} },
    { channel: 'slack', enabled: false, available: false, detail: 'No credential in the vault (notify:slack).', outbox: {} },
    { channel: 'email', enabled: false, available: false, detail: 'No SMTP server is configured for email.', outbox: {} },
    { channel: 'desktop', enabled: true, available: false, detail: 'No desktop window is attached (headless agent).', outbox: {} },
  ],
};

/** The text of the element with this data-testid (a flat span / dd). */
function byTestId(html: string, id: string): string | undefined {
  return new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
}

describe('NotificationSettings', () => {
  it('lists the channels that are set up, with their events, pace and whether a credential is stored; the others are offered under Add', () => {
    const html = render(view, ['notify:discord']);
    expect(html).toContain('data-testid="notify-channel-discord"');
    expect(html).toContain('data-testid="notify-channel-desktop"');
    expect(html).not.toContain('data-testid="notify-channel-telegram"');
    expect(byTestId(html, 'notify-events-discord')).toBe('fill, halt');
    expect(byTestId(html, 'notify-events-desktop')).toBe(`All ${NOTIFY_KINDS.length} kinds of event.`);
    expect(byTestId(html, 'notify-pace-discord')).toBe('at most 12 a minute');
    expect(byTestId(html, 'notify-secret-state-discord')).toBe('A webhook URL is stored in the keychain.');
    expect(byTestId(html, 'notify-detail-desktop')).toBe('No desktop window is attached (headless agent).');
    expect(html).toContain('2 waiting · 1 given up');
    const add = /<select id="notify-add-channel"[^>]*>(.*?)<\/select>/.exec(html)?.[1] ?? '';
    expect([...add.matchAll(/value="([a-z]+)"/g)].map((m) => m[1])).toEqual(['telegram', 'slack', 'email']);
    expect(html).toMatch(/<label for="notify-add-channel">Add a channel<\/label>/);
    // Every action names its channel for a screen reader.
    for (const a of ['Edit Discord', 'Send a test notification to Discord', 'Disable Discord', 'Remove Discord']) expect(html).toContain(`aria-label="${a}"`);
  });
  it('offers Disable beside Remove on a channel that is on, and Enable on one that is off (its settings kept)', () => {
    const html = render({ ...view, config: { ...view.config, slack: { enabled: false, events: all, perMinute: 5 } } }, ['notify:discord']);
    expect(byTestId(html, 'notify-toggle-discord')).toBe('Disable');
    expect(byTestId(html, 'notify-toggle-slack')).toBe('Enable');
    expect(html).toMatch(/data-testid="notify-toggle-discord"[^]*data-testid="notify-remove-discord"/);
  });
  it('lists the messages the agent gave up, the last first, with when, which channel, what and why, and a way to clear them', () => {
    const undelivered: UndeliveredView = {
      items: [
        { id: 9, channel: 'discord', kind: 'fill', severity: 'info', title: 'Filled: buy 10 AAPL @ 190.5', error: 'Gave up after 10 attempts: Discord answered 500: 500: Internal Server Error', attempts: 10, createdAt: '2026-01-02T10:00:00.000Z', givenUpAt: '2026-01-02T10:45:00.000Z' },
        { id: 4, channel: 'telegram', kind: 'halt', severity: 'critical', title: 'Trading halted', error: 'The telegram channel was removed before this message was sent.', attempts: 0, createdAt: '2026-01-01T09:00:00.000Z', givenUpAt: '2026-01-01T09:01:00.000Z' },
      ],
      total: 7,
      truncated: true,
      kept: { count: 500, days: 30 },
    };
    const html = render(view, ['notify:discord'], undelivered);
    const rows = html.split('data-testid="notify-undelivered-item"').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Discord');
    expect(rows[0]).toContain('Filled: buy 10 AAPL @ 190.5');
    expect(rows[0]).toContain('Gave up after 10 attempts: Discord answered 500');
    expect(rows[0]).toContain('(10 attempts)');
    expect(rows[1]).toContain('Telegram');
    expect(rows[1]).toContain('was removed before this message was sent');
    expect(html).toContain('The last 2 of 7 are shown.');
    expect(html).toContain('It keeps at most 500, for 30 days.');
    expect(byTestId(html, 'notify-undelivered-clear')).toBe('Clear the list');
  });
  it('says when nothing was given up', () => {
    const html = render(view, []);
    expect(html).toContain('No notification was given up: every one was delivered, or is still being tried.');
    expect(html).not.toContain('notify-undelivered-item');
    expect(html).not.toContain('notify-undelivered-clear');
  });
  it('a removal is told in words: what was deleted, what waits no more, and a variable the trader must unset', () => {
    expect(removalWords('Telegram', { channel: 'telegram', removed: true, config: view.config, givenUp: 0, credentials: { deleted: ['notify:telegram'], environment: [] } })).toBe(
      'Telegram was removed: its settings are forgotten and its credential was deleted from the keychain.',
    );
    expect(removalWords('Slack', { channel: 'slack', removed: true, config: view.config, givenUp: 2, credentials: { deleted: [], environment: ['VIEWZENIX_SECRET_NOTIFY_SLACK'] } })).toBe(
      'Slack was removed: its settings are forgotten. 2 messages that were still waiting for it are listed under Not delivered. The agent still reads a credential for it from VIEWZENIX_SECRET_NOTIFY_SLACK: unset it before the next start.',
    );
  });
  it('a channel with a stored credential but switched off is still listed (it can be removed), and a keychain that cannot be listed says so', () => {
    const html = render({ ...view, config: { ...view.config, slack: { enabled: false, events: all } } }, ['notify:slack']);
    expect(html).toContain('data-testid="notify-channel-slack"');
    const unlisted = render({ ...view, config: { ...view.config, slack: { enabled: true, events: all } } }, undefined);
    expect(byTestId(unlisted, 'notify-secret-state-discord')).toBe('A webhook URL is stored.'); // the channel is ready: it read one
    expect(byTestId(unlisted, 'notify-secret-state-slack')).toBe('(cannot tell whether a webhook URL is stored)');
  });
  it('says what to do when nothing is set up', () => {
    const none: NotificationsView = { ...view, config: { ...view.config, discord: { enabled: false, events: all }, desktop: { enabled: false, events: all } } };
    const html = render(none, []);
    expect(html).toContain('No notification channel is set up.');
    expect(html).not.toContain('data-testid="notify-channel-');
  });
});
