// The tunnel port: something that makes the webhook listener reachable from the internet at a public URL.
// Providers forward to 127.0.0.1:<localPort> and nothing else; the composition root passes the webhook
// listener's port, so the control listener can never be exposed through a tunnel.

export type TunnelKind = 'ngrok' | 'cloudflared' | 'localtunnel' | 'manual';

export interface TunnelStartOptions {
  /** Port of the webhook listener on 127.0.0.1. */
  localPort: number;
}

export interface TunnelStarted {
  publicUrl: string;
}

export type TunnelProviderEvent =
  /**
   * The provider lost its connection by itself (not through stop()). With `selfHealing` the provider is
   * reconnecting on its own (ngrok's session) and the supervisor waits; otherwise the supervisor restarts it.
   */
  | { type: 'disconnected'; reason: string; selfHealing?: boolean }
  /** The provider's own transport reconnected (ngrok does this inside its session). */
  | { type: 'reconnected' };

export interface TunnelProviderStatus {
  running: boolean;
  publicUrl: string | null;
  lastError: string | null;
}

export interface TunnelProvider {
  readonly kind: TunnelKind;
  start(options: TunnelStartOptions): Promise<TunnelStarted>;
  /** Idempotent; after stop() the provider emits no more events until the next start(). */
  stop(): Promise<void>;
  /** Subscribe to provider events; returns an unsubscribe function. */
  on(listener: (event: TunnelProviderEvent) => void): () => void;
  status(): TunnelProviderStatus;
}

export type TunnelErrorCode =
  | 'TUNNEL_CONFIG_INVALID'
  | 'TUNNEL_AUTH_MISSING'
  | 'TUNNEL_AUTH_FAILED'
  | 'TUNNEL_UNREACHABLE'
  | 'TUNNEL_BINARY_MISSING'
  | 'TUNNEL_START_TIMEOUT'
  | 'TUNNEL_FAILED';

/** A tunnel failure in plain words plus what to do. Never carries an authtoken or tunnel token. */
export class TunnelError extends Error {
  constructor(
    readonly code: TunnelErrorCode,
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'TunnelError';
  }
}

export function assertLocalPort(port: unknown): asserts port is number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TunnelError('TUNNEL_CONFIG_INVALID', `The local port must be 1-65535 (got ${String(port)}).`, 'Pass the webhook listener port.');
  }
}

/** Listener bookkeeping shared by the providers. */
export class ProviderEvents {
  private readonly listeners = new Set<(event: TunnelProviderEvent) => void>();

  on(listener: (event: TunnelProviderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: TunnelProviderEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // one faulty subscriber must not stop the others from hearing about a lost tunnel
      }
    }
  }
}

/** Replaces every occurrence of the given secrets in text from a third party (SDK error, process output). */
export function scrubSecrets(text: string, ...secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}
