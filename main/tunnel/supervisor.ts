// Keeps one tunnel alive and honest. The tunnel process being "connected" proves little; what matters is
// whether a request sent to the public URL reaches this agent. So the supervisor probes end to end, reconnects
// with backoff when it does not, and shouts when the public URL changes: every TradingView alert still points
// at the old one until the trader edits it.
import { EventEmitter } from 'node:events';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { TunnelError } from './provider.js';
import type { TunnelKind, TunnelProvider, TunnelProviderEvent } from './provider.js';

export type TunnelState = 'stopped' | 'starting' | 'up' | 'degraded' | 'down';

export interface HealthCheckRecord {
  at: string;
  publicUrl: string;
  /** Whether the probe went through the public URL and this agent answered it. */
  arrived: boolean;
  latencyMs: number;
  error: string | null;
}

export interface TunnelProblem {
  code: string;
  message: string;
  fix: string | null;
}

export interface TunnelSupervisorStatus {
  state: TunnelState;
  provider: TunnelKind;
  publicUrl: string | null;
  /** When the state last changed (ISO). */
  since: string;
  lastCheck: HealthCheckRecord | null;
  consecutiveFailures: number;
  lastError: TunnelProblem | null;
  /** Reconnect attempts since the tunnel was last healthy. */
  reconnectAttempts: number;
  nextRetryAt: string | null;
}

export interface UrlChange {
  previous: string;
  current: string;
}

export interface TunnelSupervisorEvents {
  state: [TunnelSupervisorStatus];
  'url-changed': [UrlChange];
  check: [HealthCheckRecord];
}

export interface TunnelSupervisorOptions {
  provider: TunnelProvider;
  /** The webhook listener's port; nothing else is ever exposed. */
  localPort: number;
  /** Resolves when a request through the public URL reached this agent; rejects with the reason otherwise. */
  expectHealthy: (publicUrl: string) => Promise<void>;
  /** Between checks while up (default 60 s). When not up, checks follow the backoff instead. */
  checkIntervalMs?: number;
  /** Consecutive failed checks after which the tunnel is restarted (default 3). */
  failuresBeforeRestart?: number;
  backoff?: Partial<BackoffOptions>;
  /** The URL the trader's alerts were last set up with (e.g. from the store), so a change across agent restarts is announced too. */
  lastKnownPublicUrl?: string | null;
  now?: () => number;
}

export class TunnelSupervisor extends EventEmitter<TunnelSupervisorEvents> {
  private readonly provider: TunnelProvider;
  private readonly localPort: number;
  private readonly expectHealthy: (publicUrl: string) => Promise<void>;
  private readonly checkIntervalMs: number;
  private readonly failuresBeforeRestart: number;
  private readonly backoff: BackoffOptions;
  private readonly now: () => number;

  private state: TunnelState = 'stopped';
  private since: number;
  private publicUrl: string | null = null;
  private knownUrl: string | null;
  private lastCheck: HealthCheckRecord | null = null;
  private consecutiveFailures = 0;
  private lastError: TunnelProblem | null = null;
  private reconnectAttempts = 0;
  private nextRetryAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Work runs one step at a time: a check never overlaps a reconnect. */
  private queue: Promise<void> = Promise.resolve();
  /** Bumped by stop(): queued steps from before it do nothing. */
  private generation = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(options: TunnelSupervisorOptions) {
    super();
    this.provider = options.provider;
    this.localPort = options.localPort;
    this.expectHealthy = options.expectHealthy;
    this.checkIntervalMs = options.checkIntervalMs ?? 60_000;
    this.failuresBeforeRestart = Math.max(1, options.failuresBeforeRestart ?? 3);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.knownUrl = options.lastKnownPublicUrl ?? null;
    this.now = options.now ?? Date.now;
    this.since = this.now();
  }

  /** Starts the tunnel and runs the first check. Never throws for tunnel failures: they are in status(), and it keeps retrying. */
  async start(): Promise<TunnelSupervisorStatus> {
    if (this.state !== 'stopped') return this.status();
    const generation = ++this.generation;
    this.unsubscribe = this.provider.on((event) => this.onProviderEvent(event, generation));
    this.setState('starting');
    await this.enqueue(generation, () => this.connect(generation));
    return this.status();
  }

  async stop(): Promise<void> {
    this.generation++;
    this.clearTimer();
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.queue;
    await this.provider.stop().catch(() => undefined);
    this.publicUrl = null;
    this.nextRetryAt = null;
    this.setState('stopped');
  }

  /** Runs a check now (e.g. the trader pressed "Test tunnel"). */
  async checkNow(): Promise<HealthCheckRecord | null> {
    const generation = this.generation;
    await this.enqueue(generation, () => this.check(generation));
    return this.lastCheck;
  }

  status(): TunnelSupervisorStatus {
    return {
      state: this.state,
      provider: this.provider.kind,
      publicUrl: this.publicUrl,
      since: new Date(this.since).toISOString(),
      lastCheck: this.lastCheck,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      reconnectAttempts: this.reconnectAttempts,
      nextRetryAt: this.nextRetryAt === null ? null : new Date(this.nextRetryAt).toISOString(),
    };
  }

  private enqueue(generation: number, step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      if (generation !== this.generation) return;
      await step();
    });
    this.queue = run.catch(() => undefined);
    return this.queue;
  }

  private async connect(generation: number): Promise<void> {
    this.nextRetryAt = null;
    let url: string;
    try {
      url = (await this.provider.start({ localPort: this.localPort })).publicUrl;
    } catch (err) {
      if (generation !== this.generation) return;
      this.lastError = problem(err);
      this.publicUrl = null;
      this.setState('down');
      this.scheduleReconnect(generation);
      return;
    }
    if (generation !== this.generation) {
      await this.provider.stop().catch(() => undefined);
      return;
    }
    this.publicUrl = url;
    this.consecutiveFailures = 0;
    if (this.knownUrl !== null && this.knownUrl !== url) {
      this.emit('url-changed', { previous: this.knownUrl, current: url });
    }
    this.knownUrl = url;
    await this.check(generation);
  }

  private async check(generation: number): Promise<void> {
    const url = this.publicUrl;
    if (url === null) return; // down: the reconnect loop is in charge
    this.clearTimer();
    const started = this.now();
    let error: string | null = null;
    try {
      await this.expectHealthy(url);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (generation !== this.generation || this.publicUrl !== url) return;
    const record: HealthCheckRecord = {
      at: new Date(started).toISOString(),
      publicUrl: url,
      arrived: error === null,
      latencyMs: Math.max(0, this.now() - started),
      error,
    };
    this.lastCheck = record;
    this.emit('check', record);
    if (record.arrived) {
      this.consecutiveFailures = 0;
      this.reconnectAttempts = 0;
      this.lastError = null;
      this.setState('up');
      this.scheduleCheck(generation, this.checkIntervalMs);
      return;
    }
    this.consecutiveFailures++;
    this.lastError = { code: 'TUNNEL_CHECK_FAILED', message: error ?? 'The health check failed.', fix: 'The agent keeps checking; if it persists, restart the tunnel or check the provider\'s dashboard.' };
    if (this.consecutiveFailures >= this.failuresBeforeRestart) {
      await this.restart(generation);
      return;
    }
    this.setState('degraded');
    this.scheduleCheck(generation, Math.min(this.checkIntervalMs, backoffDelay(this.consecutiveFailures - 1, this.backoff)));
  }

  private async restart(generation: number): Promise<void> {
    this.publicUrl = null;
    this.setState('down');
    await this.provider.stop().catch(() => undefined);
    if (generation !== this.generation) return;
    this.scheduleReconnect(generation);
  }

  private onProviderEvent(event: TunnelProviderEvent, generation: number): void {
    if (generation !== this.generation) return;
    if (event.type === 'reconnected') {
      void this.enqueue(generation, () => this.check(generation));
      return;
    }
    this.lastError = { code: 'TUNNEL_DISCONNECTED', message: event.reason, fix: null };
    if (event.selfHealing) {
      if (this.state === 'up') this.setState('degraded');
      return;
    }
    void this.enqueue(generation, () => (this.publicUrl === null ? Promise.resolve() : this.restart(generation)));
  }

  private scheduleReconnect(generation: number): void {
    const delay = backoffDelay(this.reconnectAttempts, this.backoff);
    this.reconnectAttempts++;
    this.nextRetryAt = this.now() + delay;
    this.emit('state', this.status());
    this.arm(delay, () => void this.enqueue(generation, () => this.connect(generation)));
  }

  private scheduleCheck(generation: number, delay: number): void {
    this.arm(delay, () => void this.enqueue(generation, () => this.check(generation)));
  }

  private arm(delay: number, fn: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      fn();
    }, delay);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private setState(state: TunnelState): void {
    if (state !== this.state) {
      this.state = state;
      this.since = this.now();
    }
    this.emit('state', this.status());
  }
}

function problem(err: unknown): TunnelProblem {
  if (err instanceof TunnelError) return { code: err.code, message: err.message, fix: err.fix };
  return { code: 'TUNNEL_FAILED', message: err instanceof Error ? err.message : String(err), fix: null };
}
