// Cloudflare Tunnel through the trader's installed `cloudflared` binary (its npm wrapper downloads a binary at
// install time, which fails offline, so the agent never installs one). Two modes:
//  - quick: `cloudflared tunnel --url http://127.0.0.1:<port>` gives a random trycloudflare.com URL that changes
//    at every start (the supervisor announces the change);
//  - named: `cloudflared tunnel run` with the token from the vault entry tunnel:cloudflared:token, passed in the
//    TUNNEL_TOKEN environment variable (never on the command line, where other users could see it in `ps`).
//    Its public hostname and target (http://127.0.0.1:<webhook port>) are set in the Cloudflare dashboard.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { QUICK_TUNNEL_RATE_LIMITED, TUNNEL_TOKEN_REFUSED, explainCloudflaredLine, isConnectionRegistered, parseQuickTunnelUrl } from './cloudflared-output.js';
import { findExecutable } from './find-executable.js';
import { normalizePublicUrl } from './manual-provider.js';
import { ProviderEvents, TunnelError, assertLocalPort, scrubSecrets } from './provider.js';
import type { TunnelProvider, TunnelProviderStatus, TunnelStartOptions, TunnelStarted } from './provider.js';

export const CLOUDFLARED_TOKEN_SECRET = 'tunnel:cloudflared:token';

/**
 * The URL box and "Registered tunnel connection" are info lines: a TUNNEL_LOGLEVEL=warn in the trader's environment
 * (or `loglevel:` in ~/.cloudflared/config.yml) would hide them and every start would time out. The flag wins over both.
 */
const COMMON_ARGS = ['--no-autoupdate', '--loglevel', 'info'];

const TOKEN_FIX = 'In the Cloudflare dashboard open Networks > Tunnels, copy this tunnel\'s token again (all of it) and save it in Settings > Tunnel.';

export type CloudflaredProviderOptions =
  | {
      mode: 'quick';
      env?: NodeJS.ProcessEnv;
      startTimeoutMs?: number;
      /**
       * Wait after the first edge connection before the URL is handed out (and probed), default 10 s. The
       * <name>.trycloudflare.com record is only published seconds after "Registered tunnel connection"; a lookup
       * before that gets NXDOMAIN, which resolvers cache, so the self-check would fail until the tunnel is replaced
       * by another one with yet another URL.
       */
      dnsSettleMs?: number;
    }
  | {
      mode: 'named';
      /** The public hostname routed to this tunnel in the Cloudflare dashboard, e.g. https://alerts.example.com */
      publicUrl: string;
      secrets: { get(name: string): Promise<string | null> };
      env?: NodeJS.ProcessEnv;
      startTimeoutMs?: number;
    };

export class CloudflaredProvider implements TunnelProvider {
  readonly kind = 'cloudflared' as const;
  private readonly events = new ProviderEvents();
  private child: ChildProcess | null = null;
  private publicUrl: string | null = null;
  private lastError: string | null = null;
  private readonly namedUrl: string | null;

  constructor(private readonly options: CloudflaredProviderOptions) {
    this.namedUrl = options.mode === 'named' ? normalizePublicUrl(options.publicUrl) : null;
  }

  async start(options: TunnelStartOptions): Promise<TunnelStarted> {
    assertLocalPort(options.localPort);
    await this.stop();
    const env = this.options.env ?? process.env;
    const binary = findExecutable('cloudflared', env);
    if (!binary) {
      throw this.fail(
        new TunnelError('TUNNEL_BINARY_MISSING', 'cloudflared is not installed (it is not on PATH).', 'Install cloudflared from Cloudflare\'s download page (or your package manager), then start the tunnel again.'),
      );
    }
    let token: string | null = null;
    const childEnv: NodeJS.ProcessEnv = { ...env };
    delete childEnv.TUNNEL_TOKEN;
    let args: string[];
    if (this.options.mode === 'named') {
      token = await this.options.secrets.get(CLOUDFLARED_TOKEN_SECRET);
      if (!token) {
        throw this.fail(
          new TunnelError('TUNNEL_AUTH_MISSING', 'No Cloudflare tunnel token is stored, so the named tunnel cannot start.', 'In the Cloudflare dashboard open Networks > Tunnels, copy the tunnel\'s token, and save it in Settings > Tunnel.'),
        );
      }
      childEnv.TUNNEL_TOKEN = token;
      args = ['tunnel', ...COMMON_ARGS, 'run'];
    } else {
      args = ['tunnel', ...COMMON_ARGS, '--url', `http://127.0.0.1:${options.localPort}`];
    }
    const child = spawn(binary, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    const url = await this.waitUntilConnected(child, token);
    this.publicUrl = url;
    this.lastError = null;
    child.once('exit', (code, signal) => {
      if (this.child !== child) return; // stopped on purpose, or replaced
      this.child = null;
      this.publicUrl = null;
      this.lastError = `cloudflared exited (${signal ?? `code ${code}`}).`;
      this.events.emit({ type: 'disconnected', reason: this.lastError });
    });
    return { publicUrl: url };
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    this.publicUrl = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  on(listener: Parameters<TunnelProvider['on']>[0]): () => void {
    return this.events.on(listener);
  }

  status(): TunnelProviderStatus {
    return { running: this.child !== null && this.publicUrl !== null, publicUrl: this.publicUrl, lastError: this.lastError };
  }

  /** Reads cloudflared's log lines until the tunnel has a URL and an edge connection, or fails. */
  private waitUntilConnected(child: ChildProcess, token: string | null): Promise<string> {
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    return new Promise<string>((resolve, reject) => {
      let url: string | null = this.namedUrl;
      let registered = false;
      let problem: string | null = null;
      let settled = false;
      let settle: NodeJS.Timeout | undefined;
      const finish = (err: TunnelError | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(settle);
        child.off('exit', onExit);
        child.off('error', onError);
        if (err) {
          if (this.child === child) this.child = null;
          child.kill('SIGTERM');
          reject(this.fail(err));
        } else if (url) {
          resolve(url);
        }
      };
      const onLine = (line: string) => {
        if (!url) url = parseQuickTunnelUrl(line);
        if (isConnectionRegistered(line)) registered = true;
        problem = explainCloudflaredLine(scrubSecrets(line, token), problem) ?? problem;
        if (url && registered && !settle) {
          const settleMs = this.options.mode === 'quick' ? (this.options.dnsSettleMs ?? 10_000) : 0;
          clearTimeout(timer); // connected: the wait below is not part of the start limit
          if (settleMs > 0) settle = setTimeout(() => finish(null), settleMs);
          else finish(null);
        }
      };
      for (const stream of [child.stdout, child.stderr]) {
        if (stream) createInterface({ input: stream }).on('line', onLine);
      }
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        finish(
          problem === TUNNEL_TOKEN_REFUSED
            ? new TunnelError('TUNNEL_AUTH_FAILED', `${problem} (exit ${signal ?? code})`, TOKEN_FIX)
            : new TunnelError(
                'TUNNEL_FAILED',
                `${problem ?? 'cloudflared stopped before the tunnel was up.'} (exit ${signal ?? code})`,
                problem === QUICK_TUNNEL_RATE_LIMITED
                  ? 'Nothing to fix here: the agent asks again with growing delays (up to 60 s). A named Cloudflare tunnel is not limited this way and keeps its URL.'
                  : 'Run `cloudflared tunnel --url http://127.0.0.1:<port>` in a terminal to see its full output.',
              ),
        );
      const onError = (err: Error) =>
        finish(new TunnelError('TUNNEL_FAILED', `cloudflared could not be started: ${scrubSecrets(err.message, token)}`, 'Check that cloudflared is installed and executable.'));
      child.once('exit', onExit);
      child.once('error', onError);
      const timer = setTimeout(
        () =>
          finish(
            problem === TUNNEL_TOKEN_REFUSED
              ? new TunnelError('TUNNEL_AUTH_FAILED', problem, TOKEN_FIX)
              : new TunnelError(
                  'TUNNEL_START_TIMEOUT',
                  `${problem ?? 'cloudflared did not report a working tunnel'} within ${Math.round(timeoutMs / 1000)} s.`,
                  'Check the internet connection; the agent keeps retrying.',
                ),
          ),
        timeoutMs,
      );
    });
  }

  private fail(err: TunnelError): TunnelError {
    this.lastError = err.message;
    return err;
  }
}
