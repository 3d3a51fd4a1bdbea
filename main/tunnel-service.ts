// The tunnel as the agent runs it: settings in the settings table (never a token: those are vault entries),
// one supervisor at a time pointed at the WEBHOOK listener's port only, its state published on the event bus,
// and a loud notice when the public URL changes (every TradingView alert still points at the old one).
import type { EventBus } from './events.js';
import type { Logger } from './log.js';
import { scrubText } from './log.js';
import type { SettingsRepo } from './store/settings.js';
import { ApiFailure } from './server/control.js';
import { tunnelUrlIssues } from './export/credential-keys.js';
import {
  CloudflaredProvider,
  LocaltunnelProvider,
  ManualProvider,
  NgrokProvider,
  TunnelError,
  TunnelSupervisor,
  createHealthProbe,
  normalizePublicUrl,
} from './tunnel/index.js';
import type { BackoffOptions, HealthProbeOptions, TunnelProvider, TunnelSupervisorStatus } from './tunnel/index.js';
import type { TunnelProviderKind, TunnelSettings, TunnelStatusView } from '../shared/api-types.js';

const SETTINGS_KEY = 'tunnel.settings';
const AUTOSTART_KEY = 'tunnel.autoStart';
const LAST_URL_KEY = 'tunnel.lastPublicUrl';

export interface TunnelServiceOptions {
  settings: SettingsRepo;
  /** Where the ngrok authtoken / Cloudflare token are read from (the vault). */
  secrets: { get(name: string): Promise<string | null> };
  bus: EventBus;
  log: Logger;
  /** The webhook listener's port: the only thing a tunnel ever forwards to. */
  webhookPort: () => number;
  /** Self-check options (tests point the probe at a local tunnel server). */
  probe?: HealthProbeOptions;
  checkIntervalMs?: number;
  failuresBeforeRestart?: number;
  backoff?: Partial<BackoffOptions>;
  /** The configured provider changed (the webhook listener believes that provider's forwarded-address header). */
  providerChanged?: (provider: TunnelProviderKind | undefined) => void;
}

/** The tunnel provider in the saved settings, read before the service exists (the webhook listener starts first). */
export function configuredTunnelProvider(settings: Pick<SettingsRepo, 'get'>): TunnelProviderKind | undefined {
  const raw = settings.get(SETTINGS_KEY);
  if (!raw) return undefined;
  try {
    return (JSON.parse(raw) as Partial<TunnelSettings>).provider;
  } catch {
    return undefined;
  }
}

export type TunnelSettingsPatch = Partial<TunnelSettings>;

export function emptyTunnelSettings(): TunnelSettings {
  return { ngrok: {}, cloudflared: {}, manual: {}, localtunnel: {} };
}

export class TunnelService {
  private supervisor: TunnelSupervisor | null = null;
  private transition: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: TunnelServiceOptions) {}

  settings(): TunnelSettings {
    const raw = this.o.settings.get(SETTINGS_KEY);
    if (!raw) return emptyTunnelSettings();
    try {
      return { ...emptyTunnelSettings(), ...(JSON.parse(raw) as Partial<TunnelSettings>) };
    } catch {
      return emptyTunnelSettings();
    }
  }

  /** Saves new settings (given sections replace the stored ones). A running tunnel is restarted only when its
   *  provider, or that provider's own section, changed: a restart can cost the public URL (a random localtunnel
   *  name, a new quick-tunnel URL), so touching another provider's section must not cause one. */
  async update(patch: TunnelSettingsPatch): Promise<TunnelStatusView> {
    const current = this.settings();
    // A server address with a login would be saved, answered and exported in the clear (the manual URL's own
    // check refuses it as TUNNEL_CONFIG_INVALID).
    const logins = tunnelUrlIssues(patch, '', ['localtunnel/host', 'cloudflared/publicUrl']);
    if (logins.length > 0) throw new ApiFailure('VALIDATION_FAILED', logins.map((i) => `${i.path} ${i.message}`).join('; '), logins);
    const next: TunnelSettings = { ...current, ...patch };
    if (next.provider) this.build(next); // refuses settings that cannot work, before they are saved
    this.checkOtherUrls(next); // and a public URL saved for another provider, that would fail once chosen
    const before = current.provider;
    this.saveSettings(next);
    if (next.provider !== before) this.o.providerChanged?.(next.provider);
    const running = next.provider !== before || (next.provider !== undefined && JSON.stringify(current[next.provider]) !== JSON.stringify(next[next.provider]));
    if (this.supervisor && running) {
      await this.serial(async () => {
        await this.stopSupervisor();
        await this.startSupervisor();
      });
    }
    return this.status();
  }

  /** Opens the tunnel and runs the first self-check. Tunnel failures are in the status; it keeps retrying. */
  async start(): Promise<TunnelStatusView> {
    if (!this.settings().provider) throw new ApiFailure('TUNNEL_NOT_CONFIGURED');
    await this.serial(async () => {
      if (!this.supervisor) await this.startSupervisor();
    });
    this.o.settings.set(AUTOSTART_KEY, '1');
    return this.status();
  }

  /** The trader stops the tunnel: it stays stopped across restarts. */
  async stop(): Promise<TunnelStatusView> {
    this.o.settings.set(AUTOSTART_KEY, '0');
    await this.serial(() => this.stopSupervisor());
    return this.status();
  }

  /** The agent stops: the tunnel closes, and opens again at the next start if it was running. */
  async shutdown(): Promise<void> {
    await this.serial(() => this.stopSupervisor());
  }

  /** At agent start: reopen the tunnel if it was running when the agent last stopped. Does not wait for it. */
  autoStart(): void {
    if (this.o.settings.get(AUTOSTART_KEY) !== '1' || !this.settings().provider) return;
    this.o.log.info({ provider: this.settings().provider }, 'reopening the tunnel that was running before');
    this.start().catch((err: unknown) => this.o.log.warn({ reason: scrubText(err instanceof Error ? err.message : String(err)) }, 'the tunnel could not be reopened'));
  }

  async check(): Promise<TunnelStatusView> {
    const s = this.supervisor;
    if (!s) throw new ApiFailure('CONFLICT', 'The tunnel is not running; start it first.');
    await s.checkNow();
    return this.status();
  }

  /** The public URL while the tunnel is open (up or degraded); undefined otherwise. */
  publicUrl(): string | undefined {
    const st = this.supervisor?.status();
    if (!st || (st.state !== 'up' && st.state !== 'degraded')) return undefined;
    return st.publicUrl ?? undefined;
  }

  status(): TunnelStatusView {
    const settings = this.settings();
    const st: TunnelSupervisorStatus | undefined = this.supervisor?.status();
    return {
      state: st?.state ?? 'stopped',
      provider: st?.provider ?? settings.provider ?? null,
      publicUrl: st?.publicUrl ?? null,
      since: st?.since ?? null,
      lastCheck: st?.lastCheck ?? null,
      consecutiveFailures: st?.consecutiveFailures ?? 0,
      lastError: st?.lastError ? { ...st.lastError, message: scrubText(st.lastError.message) } : null,
      reconnectAttempts: st?.reconnectAttempts ?? 0,
      nextRetryAt: st?.nextRetryAt ?? null,
      lastPublicUrl: this.o.settings.get(LAST_URL_KEY) ?? null,
      autoStart: this.o.settings.get(AUTOSTART_KEY) === '1',
      settings,
    };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.transition.then(fn);
    this.transition = run.catch(() => undefined);
    return run;
  }

  private async startSupervisor(): Promise<void> {
    const settings = this.settings();
    const provider = this.build(settings);
    if (provider instanceof LocaltunnelProvider && settings.localtunnel.subdomain !== provider.subdomain) {
      // Keep the generated subdomain, so the URL survives agent restarts.
      this.saveSettings({ ...settings, localtunnel: { ...settings.localtunnel, subdomain: provider.subdomain } });
    }
    const supervisor = new TunnelSupervisor({
      provider,
      localPort: this.o.webhookPort(),
      expectHealthy: createHealthProbe(this.o.probe),
      lastKnownPublicUrl: this.o.settings.get(LAST_URL_KEY) ?? null,
      ...(this.o.checkIntervalMs !== undefined ? { checkIntervalMs: this.o.checkIntervalMs } : {}),
      ...(this.o.failuresBeforeRestart !== undefined ? { failuresBeforeRestart: this.o.failuresBeforeRestart } : {}),
      ...(this.o.backoff ? { backoff: this.o.backoff } : {}),
    });
    this.supervisor = supervisor;
    let lastState = '';
    supervisor.on('state', (st) => {
      if (this.supervisor !== supervisor) return;
      if (st.publicUrl && st.publicUrl !== this.o.settings.get(LAST_URL_KEY)) this.o.settings.set(LAST_URL_KEY, st.publicUrl);
      if (st.state !== lastState) {
        lastState = st.state;
        const fields = { provider: st.provider, state: st.state, publicUrl: st.publicUrl, ...(st.lastError ? { reason: scrubText(st.lastError.message) } : {}) };
        if (st.state === 'down' || st.state === 'degraded') this.o.log.warn(fields, 'tunnel state changed');
        else this.o.log.info(fields, 'tunnel state changed');
      }
      this.o.bus.publish({ type: 'tunnel', status: this.status() });
    });
    supervisor.on('url-changed', ({ previous, current }) => {
      if (this.supervisor !== supervisor) return;
      const message = `The tunnel's public URL changed from ${previous} to ${current}. Every TradingView alert still points at the old URL: edit each alert's webhook URL, or alerts are lost.`;
      this.o.log.warn({ previous, current, code: 'TUNNEL_URL_CHANGED' }, message);
      this.o.bus.publish({ type: 'notice', level: 'warning', code: 'TUNNEL_URL_CHANGED', message });
    });
    await supervisor.start();
  }

  private async stopSupervisor(): Promise<void> {
    const s = this.supervisor;
    if (!s) return;
    await s.stop(); // emits the final 'stopped' state while still current
    this.supervisor = null;
    this.o.bus.publish({ type: 'tunnel', status: this.status() });
  }

  private saveSettings(s: TunnelSettings): void {
    this.o.settings.set(SETTINGS_KEY, JSON.stringify(s));
  }

  /** The provider for the settings; settings that cannot work are refused with the reason and the field. */
  /** The public URLs kept for providers not in use now (the settings form saves every section) are checked as
   *  their provider would check them: one TradingView cannot post to is refused now, not when it is chosen. */
  private checkOtherUrls(s: TunnelSettings): void {
    const urls: [string, string | undefined][] = [
      ['manual', s.manual.publicUrl],
      ['cloudflared', s.cloudflared.publicUrl],
    ];
    for (const [provider, url] of urls) {
      if (provider === s.provider || url === undefined || url.trim() === '') continue;
      try {
        normalizePublicUrl(url);
      } catch (err) {
        if (err instanceof TunnelError) throw new ApiFailure('TUNNEL_CONFIG_INVALID', `${provider}.publicUrl: ${err.message} ${err.fix}`, [{ path: `/${provider}/publicUrl`, message: err.message }]);
        throw err;
      }
    }
  }

  private build(s: TunnelSettings): TunnelProvider {
    try {
      switch (s.provider) {
        case 'ngrok':
          return new NgrokProvider({ secrets: this.o.secrets, ...(s.ngrok.domain ? { domain: s.ngrok.domain } : {}), restrictToTradingView: s.ngrok.restrictToTradingView === true });
        case 'cloudflared':
          if (s.cloudflared.mode === 'named') {
            if (!s.cloudflared.publicUrl) throw invalid('A named Cloudflare tunnel needs its public hostname (cloudflared.publicUrl).', '/cloudflared/publicUrl');
            return new CloudflaredProvider({ mode: 'named', publicUrl: s.cloudflared.publicUrl, secrets: this.o.secrets });
          }
          return new CloudflaredProvider({ mode: 'quick' });
        case 'localtunnel':
          return new LocaltunnelProvider({ ...(s.localtunnel.host ? { host: s.localtunnel.host } : {}), ...(s.localtunnel.subdomain ? { subdomain: s.localtunnel.subdomain } : {}) });
        case 'manual':
          if (!s.manual.publicUrl) throw invalid('The manual provider needs your public URL (manual.publicUrl).', '/manual/publicUrl');
          normalizePublicUrl(s.manual.publicUrl);
          return new ManualProvider({ publicUrl: s.manual.publicUrl });
        default:
          throw new ApiFailure('TUNNEL_NOT_CONFIGURED');
      }
    } catch (err) {
      if (err instanceof TunnelError) throw new ApiFailure('TUNNEL_CONFIG_INVALID', `${err.message} ${err.fix}`);
      throw err;
    }
  }
}

function invalid(message: string, path: string): ApiFailure {
  return new ApiFailure('TUNNEL_CONFIG_INVALID', message, [{ path, message }]);
}
