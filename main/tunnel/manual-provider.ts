// The trader's own public URL: a reverse proxy, Tailscale Funnel, a router port-forward. Nothing is started
// here; the supervisor's end-to-end check is what tells whether that URL really reaches this agent.
import { ProviderEvents, TunnelError, assertLocalPort } from './provider.js';
import type { TunnelProvider, TunnelProviderStatus, TunnelStartOptions, TunnelStarted } from './provider.js';

export interface ManualProviderOptions {
  publicUrl: string;
}

export class ManualProvider implements TunnelProvider {
  readonly kind = 'manual' as const;
  private readonly events = new ProviderEvents();
  private readonly url: string;
  private running = false;

  constructor(options: ManualProviderOptions) {
    this.url = normalizePublicUrl(options.publicUrl);
  }

  async start(options: TunnelStartOptions): Promise<TunnelStarted> {
    assertLocalPort(options.localPort);
    this.running = true;
    return { publicUrl: this.url };
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  on(listener: Parameters<TunnelProvider['on']>[0]): () => void {
    return this.events.on(listener);
  }

  status(): TunnelProviderStatus {
    return { running: this.running, publicUrl: this.running ? this.url : null, lastError: null };
  }
}

/**
 * An absolute http(s) URL without query, fragment or credentials, with no trailing slash.
 * TradingView only calls ports 80 and 443, so another port is refused here rather than failing silently later.
 */
export function normalizePublicUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new TunnelError('TUNNEL_CONFIG_INVALID', 'The public URL is not a valid URL.', 'Enter it like https://alerts.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TunnelError('TUNNEL_CONFIG_INVALID', 'The public URL must start with https:// (or http://).', 'Enter it like https://alerts.example.com');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new TunnelError('TUNNEL_CONFIG_INVALID', 'The public URL must not contain credentials, a query or a fragment.', 'Enter only the address, like https://alerts.example.com');
  }
  if (url.port !== '') {
    throw new TunnelError('TUNNEL_CONFIG_INVALID', `TradingView only sends webhooks to ports 80 and 443, not ${url.port}.`, 'Expose the webhook listener on the default https port (443).');
  }
  return url.toString().replace(/\/+$/, '');
}
