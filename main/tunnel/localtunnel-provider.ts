// localtunnel (`localtunnel` 2.x client) against localtunnel.me or the trader's own localtunnel server.
// Its client retries an unreachable server forever and never rejects, so this provider checks the server
// answers first, asks for the tunnel once (loadLocaltunnel) and puts a time limit on the whole start.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { ProviderEvents, TunnelError, assertLocalPort } from './provider.js';
import type { TunnelProvider, TunnelProviderStatus, TunnelStartOptions, TunnelStarted } from './provider.js';

/** The client object of `localtunnel` 2.x: an EventEmitter with 'url', 'error', 'close', 'request'. */
interface LocaltunnelClient {
  url: string;
  close(): void;
  on(event: 'error', listener: (err: Error) => void): this;
  once(event: 'url', listener: (url: string) => void): this;
  removeAllListeners(event: 'error'): this;
}

type LocaltunnelFn = (
  options: { port: number; host?: string; subdomain?: string; local_host?: string },
  callback: (err: Error | null, client?: LocaltunnelClient) => void,
) => LocaltunnelClient;

export interface LocaltunnelProviderOptions {
  /** Tunnel server, default https://localtunnel.me. */
  host?: string;
  /**
   * Subdomain to ask for. Default: a random one chosen once per provider, so a reconnect asks for the same URL
   * again. A different name from the server is never accepted: the start asks again, then fails (and the
   * supervisor keeps retrying) rather than move the alerts' URL. Persist
   * `provider.subdomain` to keep the URL across agent restarts.
   */
  subdomain?: string;
  /** Limit for the whole start, default 15 s. */
  startTimeoutMs?: number;
  /** Times to ask for the subdomain when the server hands out another name (it still holds it), default 4. */
  subdomainAttempts?: number;
  /** Wait before asking again, times the attempt number (2 s, 4 s, 6 s), default 2 s. */
  subdomainRetryMs?: number;
}

export const DEFAULT_LOCALTUNNEL_HOST = 'https://localtunnel.me';

export class LocaltunnelProvider implements TunnelProvider {
  readonly kind = 'localtunnel' as const;
  private readonly events = new ProviderEvents();
  private client: LocaltunnelClient | null = null;
  private publicUrl: string | null = null;
  private lastError: string | null = null;
  private readonly host: string;
  readonly subdomain: string;

  constructor(private readonly options: LocaltunnelProviderOptions = {}) {
    this.host = (options.host ?? DEFAULT_LOCALTUNNEL_HOST).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/?#]+$/.test(this.host)) {
      throw new TunnelError('TUNNEL_CONFIG_INVALID', 'The localtunnel server must be an address like https://localtunnel.me.', 'Fix the localtunnel server address in Settings > Tunnel.');
    }
    if (options.subdomain !== undefined && !/^(?:[a-z0-9][a-z0-9-]{4,61}[a-z0-9]|[a-z0-9]{4,63})$/.test(options.subdomain)) {
      throw new TunnelError('TUNNEL_CONFIG_INVALID', 'The localtunnel subdomain must be 4-63 lowercase letters or digits (6-63 with dashes).', 'Pick a subdomain like my-desk-alerts.');
    }
    // Unguessable by default: anyone who knows the URL can reach the webhook listener (which still checks ids).
    this.subdomain = options.subdomain ?? `vz-${randomBytes(8).toString('hex')}`;
  }

  async start(options: TunnelStartOptions): Promise<TunnelStarted> {
    assertLocalPort(options.localPort);
    await this.stop();
    const timeoutMs = this.options.startTimeoutMs ?? 15_000;
    await this.checkServerAnswers(Math.min(timeoutMs, 5000));
    const localtunnel = loadLocaltunnel();

    // The server hands out a random name while it still holds our previous connection (a reconnect right after a
    // close, before it noticed): that URL is not the one the alerts use, so give it back and ask again shortly.
    const attempts = Math.max(1, this.options.subdomainAttempts ?? 4);
    const waitMs = this.options.subdomainRetryMs ?? 2000;
    let client: LocaltunnelClient | undefined;
    for (let i = 1; ; i++) {
      const got = await this.open(localtunnel, options.localPort, timeoutMs);
      if (subdomainOf(got.url) === this.subdomain) {
        client = got;
        break;
      }
      got.removeAllListeners('error');
      got.on('error', () => undefined);
      got.close();
      if (i >= attempts) {
        throw this.fail(new TunnelError(
          'TUNNEL_FAILED',
          `The localtunnel server gave another address (${got.url}) because ${this.subdomain} is still taken; the agent did not switch URLs and keeps asking for ${this.host.replace(/^https?:\/\//, '')} subdomain ${this.subdomain}.`,
          'Usually the server frees it within a minute. If it stays taken, someone else holds the name: pick another subdomain (and edit the alerts).',
        ));
      }
      await new Promise((r) => setTimeout(r, waitMs * i));
    }

    this.client = client;
    this.publicUrl = client.url;
    this.lastError = null;
    client.removeAllListeners('error');
    client.on('error', (err: Error) => this.lost(client, `The connection to the localtunnel server was lost (${err.message}).`));
    return { publicUrl: client.url };
  }

  private async open(localtunnel: LocaltunnelFn, localPort: number, timeoutMs: number): Promise<LocaltunnelClient> {
    return new Promise<LocaltunnelClient>((resolve, reject) => {
      let settled = false;
      const settle = (err: TunnelError | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          created.close();
          reject(this.fail(err));
        } else {
          resolve(created);
        }
      };
      const timer = setTimeout(
        () => settle(new TunnelError('TUNNEL_START_TIMEOUT', `The localtunnel server ${this.host} did not open a tunnel within ${Math.round(timeoutMs / 1000)} s.`, 'Check the server address and the internet connection; the agent keeps retrying.')),
        timeoutMs,
      );
      const created = localtunnel(
        { port: localPort, local_host: '127.0.0.1', host: this.host, subdomain: this.subdomain },
        (err) => {
          if (err instanceof ServerUnreachable) settle(new TunnelError('TUNNEL_UNREACHABLE', `The localtunnel server ${this.host} cannot be reached (${err.message}).`, 'Check the internet connection and the server address; the agent keeps retrying.'));
          else if (err) settle(new TunnelError('TUNNEL_FAILED', `The localtunnel server refused the tunnel: ${err.message}`, 'Try another subdomain or server.'));
        },
      );
      // An EventEmitter without an 'error' listener would throw; this one is replaced once the tunnel is up.
      created.on('error', (err: Error) => settle(new TunnelError('TUNNEL_UNREACHABLE', `Could not connect to the localtunnel server: ${err.message}`, 'Check the server address and firewall.')));
      // 'url' fires when the first tunnel socket is connected to the server, i.e. requests can flow.
      created.once('url', () => settle(null));
    });

  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.publicUrl = null;
    if (client) {
      client.removeAllListeners('error');
      client.on('error', () => undefined); // late socket errors from a closed tunnel are expected
      client.close();
    }
  }

  on(listener: Parameters<TunnelProvider['on']>[0]): () => void {
    return this.events.on(listener);
  }

  status(): TunnelProviderStatus {
    return { running: this.client !== null, publicUrl: this.publicUrl, lastError: this.lastError };
  }

  private lost(client: LocaltunnelClient, reason: string): void {
    if (this.client !== client) return; // already stopped or replaced; report each loss once
    this.client = null;
    this.publicUrl = null;
    this.lastError = reason;
    client.removeAllListeners('error');
    client.on('error', () => undefined);
    client.close();
    this.events.emit({ type: 'disconnected', reason });
  }

  /** Any HTTP answer from the server will do; a network error means the tunnel cannot start now. */
  private async checkServerAnswers(timeoutMs: number): Promise<void> {
    try {
      const res = await fetch(`${this.host}/api/status`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.body?.cancel();
    } catch (err) {
      const detail = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw this.fail(new TunnelError('TUNNEL_UNREACHABLE', `The localtunnel server ${this.host} cannot be reached (${detail}).`, 'Check the internet connection and the server address; the agent keeps retrying.'));
    }
  }

  private fail(err: TunnelError): TunnelError {
    this.lastError = err.message;
    return err;
  }
}

class ServerUnreachable extends Error {}

interface TunnelInternals {
  opts: { host: string; subdomain?: string };
  closed: boolean;
  _getInfo(body: unknown): unknown;
}

/**
 * The `localtunnel` client, asking the server for the tunnel once. Its own request (Tunnel._init) retries every second
 * for ever, also after close() and also when the server answers with an error (axios 0.21 rejects every non-2xx, and the
 * client treats that as "server offline"): a start that timed out left a poller behind for good, one more per retry,
 * and the server's reason (e.g. 403 "Invalid subdomain …") never reached the trader. Everything after that request
 * (the tunnel sockets, 'url', 'error') is the client's own.
 */
function loadLocaltunnel(): LocaltunnelFn {
  const require = createRequire(import.meta.url);
  const Tunnel = require('localtunnel/lib/Tunnel') as new (options: object) => LocaltunnelClient & TunnelInternals & { open(cb: (err?: Error) => void): void };
  class AskOnce extends Tunnel {
    _init(cb: (err: Error | null, info?: unknown) => void): void {
      const uri = `${this.opts.host}/${this.opts.subdomain ?? '?new'}`;
      fetch(uri, { signal: AbortSignal.timeout(10_000) }).then(
        async (res) => {
          const body = (await res.json().catch(() => null)) as { message?: unknown } | null;
          if (this.closed) return; // given up on already
          if (!res.ok) {
            cb(new Error(typeof body?.message === 'string' ? `${body.message} (HTTP ${res.status})` : `HTTP ${res.status}`));
          } else if (!body || typeof body !== 'object') {
            cb(new Error('the server answered without the tunnel details'));
          } else {
            cb(null, this._getInfo(body));
          }
        },
        (err: unknown) => {
          if (this.closed) return;
          const detail = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
          cb(new ServerUnreachable(detail));
        },
      );
    }
  }
  return (options, callback) => {
    const client = new AskOnce(options);
    client.open((err) => (err ? callback(err) : callback(null, client)));
    return client;
  };
}

/** The first label of a tunnel URL's host: the subdomain the server gave. */
function subdomainOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.split('.')[0];
  } catch {
    return undefined;
  }
}
