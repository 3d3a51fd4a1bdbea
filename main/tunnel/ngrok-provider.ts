// ngrok through its official SDK (@ngrok/ngrok, native, no separate binary). The authtoken comes from the
// vault entry tunnel:ngrok:authtoken; a reserved domain keeps the URL stable across restarts, and the
// optional IP restriction makes ngrok's edge drop everything that is not TradingView.
import type { Config as NgrokConfig } from '@ngrok/ngrok';
import { ProviderEvents, TunnelError, assertLocalPort, scrubSecrets } from './provider.js';
import type { TunnelProvider, TunnelProviderStatus, TunnelStartOptions, TunnelStarted } from './provider.js';
import { TRADINGVIEW_SENDER_CIDRS } from './tradingview.js';

export const NGROK_AUTHTOKEN_SECRET = 'tunnel:ngrok:authtoken';

/** The part of the SDK this provider uses. */
export interface NgrokListenerLike {
  url(): string | null;
  close(): Promise<void>;
}
export interface NgrokSdk {
  forward(config: NgrokConfig): Promise<NgrokListenerLike>;
}

export interface NgrokProviderOptions {
  /** Where the authtoken is read from (the Vault). */
  secrets: { get(name: string): Promise<string | null> };
  /** A reserved / static domain, e.g. "my-desk.ngrok-free.app". */
  domain?: string;
  /** Let only TradingView's sender addresses through ngrok's edge. */
  restrictToTradingView?: boolean;
  /** How the SDK is obtained (tests inject one to see the exact config passed). */
  loadSdk?: () => Promise<NgrokSdk>;
}

export async function loadRealNgrok(): Promise<NgrokSdk> {
  const mod = (await import('@ngrok/ngrok')) as unknown as NgrokSdk & { default?: NgrokSdk };
  return mod.default ?? mod;
}

/** Exactly what is passed to ngrok.forward(): only the webhook port on loopback is ever forwarded. */
export function ngrokForwardConfig(input: {
  localPort: number;
  authtoken: string;
  domain?: string | undefined;
  restrictToTradingView?: boolean | undefined;
  onStatusChange?: (status: string) => void;
}): NgrokConfig {
  const config: NgrokConfig = {
    addr: `127.0.0.1:${input.localPort}`,
    proto: 'http',
    authtoken: input.authtoken,
  };
  if (input.domain) config.domain = input.domain;
  if (input.restrictToTradingView) config.ip_restriction_allow_cidrs = [...TRADINGVIEW_SENDER_CIDRS];
  // SDK 1.7 reads the camelCase key; it calls back with "connected" / "closed" as its session drops and returns.
  if (input.onStatusChange) config.onStatusChange = input.onStatusChange;
  return config;
}

export class NgrokProvider implements TunnelProvider {
  readonly kind = 'ngrok' as const;
  private readonly events = new ProviderEvents();
  private listener: NgrokListenerLike | null = null;
  private publicUrl: string | null = null;
  private lastError: string | null = null;
  /** Bumped on every start/stop so late callbacks from an old session are ignored. */
  private generation = 0;

  constructor(private readonly options: NgrokProviderOptions) {
    if (options.domain !== undefined && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(options.domain)) {
      throw new TunnelError('TUNNEL_CONFIG_INVALID', 'The ngrok domain must be a host name like my-desk.ngrok-free.app.', 'Copy the domain from the ngrok dashboard (Domains).');
    }
  }

  async start(options: TunnelStartOptions): Promise<TunnelStarted> {
    assertLocalPort(options.localPort);
    await this.stop();
    const generation = ++this.generation;
    const authtoken = await this.options.secrets.get(NGROK_AUTHTOKEN_SECRET);
    if (!authtoken) {
      throw this.fail(
        new TunnelError(
          'TUNNEL_AUTH_MISSING',
          'No ngrok authtoken is stored, so the ngrok tunnel cannot start.',
          'Copy your authtoken from dashboard.ngrok.com (Your Authtoken) and save it in Settings > Tunnel; it is kept in the OS keychain.',
        ),
      );
    }
    const sdk = await (this.options.loadSdk ?? loadRealNgrok)();
    const config = ngrokForwardConfig({
      localPort: options.localPort,
      authtoken,
      domain: this.options.domain,
      restrictToTradingView: this.options.restrictToTradingView,
      onStatusChange: (status) => {
        if (generation !== this.generation) return;
        if (status === 'closed') this.events.emit({ type: 'disconnected', reason: 'The ngrok session was closed; ngrok is reconnecting.', selfHealing: true });
        else if (status === 'connected') this.events.emit({ type: 'reconnected' });
      },
    });
    let listener: NgrokListenerLike;
    try {
      listener = await sdk.forward(config);
    } catch (err) {
      throw this.fail(explainNgrokError(err, authtoken));
    }
    const url = listener.url();
    if (generation !== this.generation || !url) {
      await listener.close().catch(() => undefined);
      throw this.fail(new TunnelError('TUNNEL_FAILED', 'ngrok started but gave no public URL.', 'Try again; check the ngrok dashboard for the endpoint.'));
    }
    this.listener = listener;
    this.publicUrl = url;
    this.lastError = null;
    return { publicUrl: url };
  }

  async stop(): Promise<void> {
    this.generation++;
    const listener = this.listener;
    this.listener = null;
    this.publicUrl = null;
    if (listener) await listener.close().catch(() => undefined);
  }

  on(listener: Parameters<TunnelProvider['on']>[0]): () => void {
    return this.events.on(listener);
  }

  status(): TunnelProviderStatus {
    return { running: this.listener !== null, publicUrl: this.publicUrl, lastError: this.lastError };
  }

  private fail(err: TunnelError): TunnelError {
    this.lastError = err.message;
    return err;
  }
}

/** Maps the SDK's errors (Rust error text plus ERR_NGROK_* codes) to plain words; the authtoken is scrubbed. */
export function explainNgrokError(err: unknown, authtoken?: string): TunnelError {
  const raw = scrubSecrets(err instanceof Error ? err.message : String(err), authtoken).replace(/\s+/g, ' ').trim();
  const code = /ERR_NGROK_\d+/.exec(raw)?.[0] ?? (err as { errorCode?: string } | null)?.errorCode;
  const lower = raw.toLowerCase();
  // 105 malformed, 106 an old v1 token, 107 well-formed but invalid (reset or revoked): ngrok.com/docs/errors.
  if (code === 'ERR_NGROK_105' || code === 'ERR_NGROK_106' || code === 'ERR_NGROK_107' || lower.includes('authentication failed')) {
    return new TunnelError('TUNNEL_AUTH_FAILED', `ngrok refused the authtoken (${code ?? 'authentication failed'}).`, 'Copy the authtoken again from dashboard.ngrok.com and save it in Settings > Tunnel.');
  }
  if (code === 'ERR_NGROK_4018') {
    return new TunnelError('TUNNEL_AUTH_MISSING', 'ngrok requires an authtoken for this account.', 'Copy your authtoken from dashboard.ngrok.com and save it in Settings > Tunnel.');
  }
  if (code === 'ERR_NGROK_108') {
    return new TunnelError('TUNNEL_FAILED', 'Another ngrok agent is already online with this account, and the plan allows only one.', 'Stop the other ngrok agent (another machine or terminal), then start the tunnel again.');
  }
  // ngrok's own words ("This domain is reserved for another account", ERR_NGROK_320; "You must reserve a custom
  // hostname … with the domain", 319), not the trader's host name: a domain like my-domain.ngrok.app is in many messages.
  if (code && lower.replace(/\S+\.\S+/g, ' ').includes('domain')) {
    return new TunnelError('TUNNEL_CONFIG_INVALID', `ngrok refused the domain (${code}).`, 'Check the domain in Settings > Tunnel matches one reserved in the ngrok dashboard (Domains).');
  }
  if (code) {
    // The SDK prefixes every session error with "failed to connect session:", but one carrying an ERR_NGROK code is
    // ngrok's own answer: the service was reached and refused, so "offline" would send the trader the wrong way.
    const reason = raw.replace(/^failed to connect session:\s*/i, '').replace(/\s*error_code:\s*ERR_NGROK_\d+\s*$/, '');
    return new TunnelError('TUNNEL_FAILED', `ngrok refused the tunnel (${code}): ${reason.slice(0, 300)}`, `Look up ${code} at ngrok.com/docs/errors and check the ngrok dashboard; the agent keeps retrying.`);
  }
  if (lower.includes('failed to connect session') || lower.includes('tcp connection') || lower.includes('dns') || lower.includes('timed out')) {
    return new TunnelError('TUNNEL_UNREACHABLE', 'Could not reach the ngrok service: this machine seems to be offline, or a firewall or proxy blocks it.', 'Check the internet connection; the agent keeps retrying on its own.');
  }
  return new TunnelError('TUNNEL_FAILED', `ngrok could not start the tunnel: ${raw.slice(0, 300)}`, 'Check the ngrok dashboard and the agent log; the agent keeps retrying.');
}
