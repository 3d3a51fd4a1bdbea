// Notifications: agent events → per-channel messages, queued durably in the outbox and sent by the
// dispatcher; desktop messages go straight to the Electron shell's hook.
import type { Db } from '../store/db.js';
import { OutboxRepo, type OutboxRow, type OutboxStatus } from '../store/outbox.js';
import { SettingsRepo } from '../store/settings.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { AgentEvent } from '../../shared/api-types.js';
import { NotifyConfigStore } from './config.js';
import { Dispatcher, pruneUndelivered, UNDELIVERED_KEPT, type ChannelMove, type SecretsReader } from './dispatcher.js';
import { notificationFor, TunnelTransitions, type Names, type OrderHistory } from './from-event.js';
import { DesktopHook } from './desktop.js';
import type { Channel } from './channels/channel.js';
import { DiscordChannel } from './channels/discord.js';
import { TelegramChannel } from './channels/telegram.js';
import { SlackChannel } from './channels/slack.js';
import { EmailChannel, type EmailChannelOptions, type TransportFactory } from './channels/email.js';
import type { FetchLike } from './channels/http.js';
import { redactText, secretParts } from './redact.js';
import { registerSecretValue } from '../secrets/redaction.js';
import type { ValidationIssue } from '../server/validate.js';
import { CHANNEL_NAMES, type ChannelName, type ChannelStatus, type NotifyConfig, type NotifyMessage, type SendOutcome } from './types.js';
import { SeenKeys, type UndeliveredMessage, type UndeliveredView } from '../../shared/notify.js';

export * from './types.js';
export { DesktopHook } from './desktop.js';

export interface NotificationDeps {
  db: Db;
  bus: EventBus;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  secrets: SecretsReader;
  /** Test hooks: clock, randomness, retry tuning, a fetch, and the email channel's transport and test-only TLS trust. */
  now?: () => number;
  random?: () => number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  fetch?: FetchLike;
  /** Replaces nodemailer's SMTP transport; null or undefined: nodemailer (null is still accepted from older callers). */
  mailTransport?: TransportFactory | null;
  email?: Omit<EmailChannelOptions, 'transport'>;
  /** The trader's names for accounts and strategies, shown beside their ids in messages. */
  names?: Names;
  /** The orders' history (OrderRepo): a fill message says when the order filled although a cancel was asked. */
  orders?: OrderHistory;
}

export interface Notifications {
  desktop: DesktopHook;
  config(): NotifyConfig;
  setChannel(channel: ChannelName, settings: unknown): { ok: true; config: NotifyConfig } | { ok: false; errors: ValidationIssue[] };
  /** Forgets the channel's settings (it is off, as before it was set up) and gives up the messages waiting for it.
   *  Its credentials are the vault's to delete (DELETE /api/notifications/channels/<channel> does both). */
  removeChannel(channel: ChannelName): { config: NotifyConfig; givenUp: number };
  status(): Promise<ChannelStatus[]>;
  /** Sends a test message now, bypassing the queue, and answers with what the service said. */
  sendTest(channel: ChannelName): Promise<SendOutcome>;
  outbox: { list(opts?: { status?: OutboxStatus; channel?: string; limit?: number }): OutboxRow[]; retry(id: number): boolean };
  /** The messages given up, the last first (scrubbed again on the way out), and forgetting them once read. */
  undelivered: { list(opts?: { channel?: string; limit?: number }): UndeliveredView; clear(opts?: { channel?: string; through?: string }): number };
  /** Publishes the settings as they are now (`notification-settings`): after a configuration import stored them. */
  settingsChanged(): void;
  /** The bus listener (exposed for tests). Never throws into the publisher. */
  handle(event: AgentEvent): void;
  stop(): Promise<void>;
}

export async function startNotifications(deps: NotificationDeps): Promise<Notifications> {
  // Every credential read here is announced to the redaction hooks (the vault does too), with the path parts
  // of webhook URLs, so message text and logs are scrubbed of them.
  const secrets: SecretsReader = {
    async get(name) {
      const v = await deps.secrets.get(name);
      if (v) for (const p of secretParts(v)) registerSecretValue(p);
      return v;
    },
  };
  const d = { ...deps, secrets };
  const now = d.now ?? Date.now;
  const outbox = new OutboxRepo(d.db);
  const store = new NotifyConfigStore(new SettingsRepo(d.db));
  const desktop = new DesktopHook();
  const email = new EmailChannel({ ...d.email, transport: d.mailTransport ?? undefined });
  const channels = new Map<string, Channel>([
    ['discord', new DiscordChannel({ fetch: d.fetch })],
    ['telegram', new TelegramChannel({ fetch: d.fetch })],
    ['slack', new SlackChannel({ fetch: d.fetch })],
    ['email', email],
  ]);
  const dispatcher = new Dispatcher({ outbox, channels, config: () => store.get(), secrets: d.secrets, log: d.log, now, random: d.random, maxAttempts: d.maxAttempts, backoffBaseMs: d.backoffBaseMs, backoffMaxMs: d.backoffMaxMs, moved: (channel, moved) => follow(channel, moved) });

  const tunnel = new TunnelTransitions();
  const shownOnDesktop = new SeenKeys();
  const handle = (event: AgentEvent): void => {
    try {
      if (!tunnel.accept(event)) return;
      // This runs on the pipeline's thread for every order and signal event. Most make no message (an order
      // accepted, an alert done), which is known without a read; the settings are read only for one that does, and
      // the names of its account and strategy (and, for an order filled, whether a cancel of it was asked) looked up
      // only when a channel (or a window) takes it.
      const at = new Date(now()).toISOString();
      const draft = notificationFor(event, at);
      if (!draft) return;
      const config = store.get();
      const kinds = [draft.kind, ...(draft.alsoAs ?? [])];
      // Each channel that takes it, under the first of its kinds the channel subscribes to (a window only when one
      // is open).
      const routes = CHANNEL_NAMES.flatMap((name) => {
        const s = config[name];
        const kind = s.enabled && (name !== 'desktop' || desktop.attached) ? kinds.find((k) => s.events.includes(k)) : undefined;
        return kind ? [{ name, s, kind }] : [];
      });
      if (routes.length === 0) return;
      const n = d.names || d.orders ? (notificationFor(event, at, d.names, d.orders) ?? draft) : draft;
      let queued = 0;
      for (const { name, s, kind } of routes) {
        const message = kind === n.kind ? n.message : { ...n.message, kind };
        if (name === 'desktop') {
          // The outbox sends a fact once per channel by its key; the desktop, which has none, remembers the keys.
          if (shownOnDesktop.add(n.dedupeKey)) desktop.deliver(message);
          continue;
        }
        const ch = channels.get(name)!;
        const why = ch.unavailable(s);
        if (why) {
          d.log.debug({ channel: name, kind }, `notification not queued: ${why}`);
          continue;
        }
        if (outbox.enqueue({ channel: name, kind, dedupeKey: n.dedupeKey, message, at })) queued++;
      }
      if (queued > 0) dispatcher.kick();
    } catch (err) {
      d.log.error({ err: redactText(String(err)), event: event.type }, 'could not queue a notification');
    }
  };
  // Read the enabled channels' credentials once before the first message is built, so they are known to the scrubber.
  await Promise.all(CHANNEL_NAMES.filter((c) => c !== 'desktop' && store.get()[c].enabled).map((c) => secrets.get(`notify:${c}`).catch(() => null)));
  const unsubscribe = d.bus.subscribe(handle);
  outbox.pruneSent(new Date(now() - 30 * 24 * 3600_000).toISOString()); // sent messages are kept a month
  pruneUndelivered(outbox, now());
  dispatcher.start();

  // The desktop app (and the window) learn of a change from the event stream, with the settings as they are now.
  const settingsChanged = (): void => d.bus.publish({ type: 'notification-settings', config: store.get() });
  /** A channel whose service moved its destination (SendOutcome.moved) keeps the new one; the window and the log
   *  are told. A message sent by the dispatcher or by a channel's test, alike. */
  const follow = (channel: string, moved: ChannelMove): void => {
    const name = channel as ChannelName;
    const r = store.setChannel(name, { ...store.get()[name], ...moved.settings });
    if (!r.ok) {
      const errors = r.errors.map((e) => `${e.path} ${e.message}`).join('; ');
      d.log.error({ channel, why: moved.why, errors }, 'the notification channel moved, and its settings could not be updated: update them by hand');
      return;
    }
    settingsChanged();
    d.log.warn({ channel, why: moved.why }, 'the notification channel moved; its settings now name the new destination');
  };

  const testMessage = (): NotifyMessage => ({ kind: 'agent-restart', severity: 'info', title: 'Viewzenix test notification', lines: ['If you can read this, the channel works.'], fields: [], at: new Date(now()).toISOString() });

  return {
    desktop,
    config: () => store.get(),
    setChannel: (channel, settings) => {
      const r = store.setChannel(channel, settings);
      if (r.ok) {
        if (channel !== 'desktop') void secrets.get(`notify:${channel}`).catch(() => null);
        outbox.wakeChannel(channel, new Date(now()).toISOString());
        dispatcher.kick();
        settingsChanged();
      }
      return r;
    },
    removeChannel: (channel) => {
      const config = store.removeChannel(channel);
      settingsChanged();
      const givenUp = channel === 'desktop' ? 0 : outbox.giveUpChannel(channel, `The ${channel} channel was removed before this message was sent.`, new Date(now()).toISOString());
      if (givenUp > 0) pruneUndelivered(outbox, now());
      d.log.info({ channel, givenUp }, 'notification channel removed');
      return { config, givenUp };
    },
    async status() {
      const config = store.get();
      const counts = outbox.counts();
      const out: ChannelStatus[] = [];
      for (const name of CHANNEL_NAMES) {
        const s = config[name];
        let detail: string | undefined;
        if (name === 'desktop') detail = desktop.attached ? undefined : 'No desktop window is attached (headless agent).';
        else {
          const ch = channels.get(name)!;
          detail = ch.unavailable(s);
          if (!detail) {
            const has = await d.secrets.get(ch.secretName).then((v) => v !== null, () => false);
            if (!has) detail = `No credential in the vault (${ch.secretName}).`;
          }
        }
        out.push({ channel: name, enabled: s.enabled, available: detail === undefined, detail, pausedUntil: dispatcher.pausedUntilOf(name), outbox: counts[name] ?? {} });
      }
      return out;
    },
    async sendTest(channel) {
      const m = testMessage();
      if (channel === 'desktop') return desktop.deliver(m) > 0 ? { ok: true } : { ok: false, retryable: false, error: 'No desktop window is attached (headless agent).' };
      const ch = channels.get(channel)!;
      const settings = store.get()[channel];
      const why = ch.unavailable(settings);
      if (why) return { ok: false, retryable: false, error: why };
      const secret = await d.secrets.get(ch.secretName).catch(() => null);
      if (!secret) return { ok: false, retryable: false, error: `No credential for ${channel} in the vault (${ch.secretName}).` };
      const r = await ch.send(m, { secret, settings });
      if (r.ok && r.moved) follow(channel, r.moved);
      return r.ok ? r : { ...r, error: redactText(r.error, ...secretParts(secret)) };
    },
    outbox: {
      list: (opts) => outbox.list(opts),
      retry: (id) => {
        const ok = outbox.retryDead(id, new Date(now()).toISOString());
        if (ok) dispatcher.kick();
        return ok;
      },
    },
    undelivered: {
      list: (opts = {}) => {
        const limit = Math.min(Math.max(1, opts.limit ?? 100), UNDELIVERED_KEPT.count);
        const { rows, total } = outbox.undelivered({ channel: opts.channel, limit });
        return { items: rows.map(undeliveredView), total, truncated: total > rows.length, kept: { ...UNDELIVERED_KEPT } };
      },
      clear: (opts = {}) => outbox.clearUndelivered(opts),
    },
    settingsChanged,
    handle,
    async stop() {
      unsubscribe();
      await dispatcher.stop();
    },
  };
}

/** A given-up outbox row as the API answers it: what, where, when and why, scrubbed once more (a value the vault
 *  handed out after the message was stored is caught too). */
function undeliveredView(row: OutboxRow): UndeliveredMessage {
  const m = (row.message ?? {}) as Partial<NotifyMessage>;
  return {
    id: row.id,
    channel: row.channel,
    kind: row.kind,
    ...(m.severity ? { severity: m.severity } : {}),
    title: redactText(typeof m.title === 'string' ? m.title : `(${row.kind})`),
    error: redactText(row.lastError ?? 'No reason was recorded.'),
    attempts: row.attempts,
    createdAt: row.createdAt,
    givenUpAt: row.deadAt ?? row.nextAttemptAt,
  };
}
