// The notifications section as the agent's answers draw it (server-rendered: no browser needed). The editing,
// testing and removing flows run against a real agent in e2e/ui-notifications.spec.ts.
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiContext } from '../api/context.js';
import { ApiClient } from '../api/client.js';
import { keys } from '../api/keys.js';
import { NOTIFY_KINDS, type NotificationsView } from '../../../shared/notify.js';
import { NotificationSettings } from './NotificationSettings.js';

function render(view: NotificationsView, credentialNames: string[] | undefined): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  qc.setQueryData(keys.notifications, view);
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
    for (const a of ['Edit Discord', 'Send a test notification to Discord', 'Remove Discord']) expect(html).toContain(`aria-label="${a}"`);
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
