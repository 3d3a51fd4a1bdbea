// Runs the agent in an Electron utilityProcess from the same entry as `npm start`, so a hang or crash of
// the agent never freezes the window and the agent code is the same with or without a desktop.
// A crash is restarted with capped exponential backoff (the agent's start-up IS its crash recovery: it
// reconciles before trading); a crash loop ends with a reason the trader can act on. On quit the agent is
// asked to stop (message, then SIGTERM) and given time to finish what it is writing.
import type { AgentInfo } from './agent-info.js';
import { readAgentInfo as readAgentInfoFromDisk } from './agent-info.js';
import type { Clock, TimerHandle } from './clock.js';
import type { ForkSpec, ShellChildProcess } from './facade.js';
import type { AgentUi } from './trusted-origin.js';
import { parseAgentUiUrl } from './trusted-origin.js';

export interface BackoffPolicy {
  /** Delay before the first restart after a crash. */
  readonly initialMs: number;
  readonly factor: number;
  /** The cap: no restart waits longer than this. */
  readonly maxMs: number;
  /** A run at least this long resets the crash count (the crash was not a loop). */
  readonly stableAfterMs: number;
  /** After this many crashes in a row the supervisor stops and says why. */
  readonly maxConsecutiveCrashes: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 1_000,
  factor: 2,
  maxMs: 60_000,
  stableAfterMs: 60_000,
  maxConsecutiveCrashes: 10,
};

/** sysexits EX_CONFIG: the agent exits with it when restarting cannot help (bad config, data dir locked). */
export const EXIT_CODE_DO_NOT_RESTART = 78;

/** The message the agent receives on `process.parentPort` when the desktop app quits. */
export const SHUTDOWN_MESSAGE = { type: 'shutdown' } as const;

/** Delay before restart number `consecutiveCrashes` (1-based): initial × factor^(n-1), capped at maxMs. */
export function restartDelayMs(consecutiveCrashes: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, consecutiveCrashes - 1);
  return Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, exponent));
}

export type AgentStatus =
  | { readonly state: 'starting'; readonly attempt: number }
  | { readonly state: 'running'; readonly info: AgentInfo; readonly ui: AgentUi; readonly restarted: boolean }
  | { readonly state: 'crashed'; readonly code: number; readonly reason: string; readonly restartInMs: number; readonly consecutiveCrashes: number }
  | { readonly state: 'failed'; readonly reason: string }
  | { readonly state: 'stopping' }
  | { readonly state: 'stopped'; readonly graceful: boolean };

export interface AgentSupervisorOptions {
  readonly fork: (modulePath: string, args: readonly string[], spec: ForkSpec) => ShellChildProcess;
  /** dist/main/cli.js: the same entry `npm start` runs. */
  readonly entry: string;
  readonly dataDir: string;
  readonly webhookPort: number;
  readonly controlPort: number;
  readonly clock: Clock;
  readonly onStatus: (status: AgentStatus) => void;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly readAgentInfo?: (dataDir: string) => AgentInfo | null;
  /** Last resort when the agent ignores both the shutdown message and SIGTERM. */
  readonly forceKill?: (pid: number) => void;
  readonly readyTimeoutMs?: number;
  readonly readyPollMs?: number;
  readonly stopTimeoutMs?: number;
  readonly killTimeoutMs?: number;
}

const STDERR_TAIL_LINES = 20;
const REASON_MAX_CHARS = 300;

/** "Why it stopped", in one line: the exit code and the last thing the agent said on stderr. */
export function describeExit(code: number, stderrTail: readonly string[]): string {
  const last = [...stderrTail].reverse().find((line) => line.trim() !== '')?.trim();
  const said = last === undefined ? '' : `: ${last.length > REASON_MAX_CHARS ? `${last.slice(0, REASON_MAX_CHARS)}…` : last}`;
  if (code === 0) return `The agent exited on its own (code 0)${said}`;
  return `The agent stopped with exit code ${code}${said}`;
}

export class AgentSupervisor {
  private readonly policy: BackoffPolicy;
  private readonly readInfo: (dataDir: string) => AgentInfo | null;
  private readonly forceKill: (pid: number) => void;
  private child: ShellChildProcess | null = null;
  private generation = 0;
  private attempts = 0;
  private consecutiveCrashes = 0;
  private everRan = false;
  private startedAt = 0;
  private stderrTail: string[] = [];
  private pendingReason: string | null = null;
  private timers: TimerHandle[] = [];
  private current: AgentStatus = { state: 'stopped', graceful: true };
  private stopping: Promise<{ graceful: boolean }> | null = null;
  private resolveStop: ((result: { graceful: boolean }) => void) | null = null;
  private forced = false;
  private noRestart = false;

  constructor(private readonly options: AgentSupervisorOptions) {
    this.policy = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.readInfo = options.readAgentInfo ?? readAgentInfoFromDisk;
    this.forceKill =
      options.forceKill ??
      ((pid) => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      });
  }

  get status(): AgentStatus {
    return this.current;
  }

  /** The arguments the agent is started with (the same CLI as `npm start`). */
  get args(): string[] {
    const { dataDir, webhookPort, controlPort } = this.options;
    return ['start', '--data-dir', dataDir, '--webhook-port', String(webhookPort), '--control-port', String(controlPort)];
  }

  start(): void {
    // Only from rest: while starting, running or waiting to restart, a second spawn would be a second agent.
    if (this.stopping !== null || (this.current.state !== 'stopped' && this.current.state !== 'failed')) return;
    this.consecutiveCrashes = 0;
    this.spawn();
  }

  /** After a 'failed' state: the trader fixed the cause and asks to try again. */
  restartNow(): void {
    if (this.current.state !== 'failed') return;
    this.start();
  }

  /** Asks the agent to stop and waits (bounded) for it. Safe to call more than once. */
  stop(): Promise<{ graceful: boolean }> {
    if (this.stopping !== null) return this.stopping;
    this.clearTimers();
    const child = this.child;
    if (child === null) {
      this.stopping = Promise.resolve({ graceful: true });
      this.setStatus({ state: 'stopped', graceful: true });
      return this.stopping;
    }
    this.stopping = new Promise((resolve) => {
      this.resolveStop = resolve;
    });
    this.setStatus({ state: 'stopping' });
    const { clock } = this.options;
    child.postMessage(SHUTDOWN_MESSAGE);
    this.timers.push(
      clock.setTimeout(() => {
        child.kill();
        this.timers.push(
          clock.setTimeout(() => {
            const pid = child.pid;
            this.forced = true;
            if (pid !== undefined) this.forceKill(pid);
            this.finishStop();
          }, this.options.killTimeoutMs ?? 3_000),
        );
      }, this.options.stopTimeoutMs ?? 10_000),
    );
    return this.stopping;
  }

  private spawn(): void {
    const gen = ++this.generation;
    this.attempts += 1;
    this.pendingReason = null;
    this.noRestart = false;
    this.stderrTail = [];
    this.startedAt = this.options.clock.now();
    this.setStatus({ state: 'starting', attempt: this.attempts });
    let child: ShellChildProcess;
    try {
      child = this.options.fork(this.options.entry, this.args, { serviceName: 'Viewzenix agent' });
    } catch (error) {
      this.child = null;
      this.setStatus({ state: 'failed', reason: `The agent could not be started: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    this.child = child;
    child.onStderrLine((line) => {
      if (gen !== this.generation) return;
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    });
    child.onExit((code) => this.handleExit(gen, code));
    child.onSpawn(() => this.pollReady(gen, this.options.clock.now() + (this.options.readyTimeoutMs ?? 30_000)));
  }

  private pollReady(gen: number, deadline: number): void {
    const child = this.child;
    if (gen !== this.generation || child === null || this.stopping !== null) return;
    const info = this.readInfo(this.options.dataDir);
    if (info !== null && child.pid !== undefined && info.pid === child.pid) {
      const ui = parseAgentUiUrl(info.uiUrl);
      if (ui === null) {
        // A UI URL off loopback would make the window load something that is not our agent.
        this.pendingReason = `agent.json names a UI address that is not on this machine's loopback (${info.uiUrl.slice(0, 100)}); refusing to open it`;
        this.noRestart = true; // retrying would read the same file
        child.kill();
        return;
      }
      const restarted = this.everRan;
      this.everRan = true;
      this.setStatus({ state: 'running', info, ui, restarted });
      return;
    }
    const { clock } = this.options;
    if (clock.now() >= deadline) {
      this.pendingReason = `The agent did not report ready (no ${this.options.dataDir}/agent.json with its pid) within ${Math.round((this.options.readyTimeoutMs ?? 30_000) / 1000)} s`;
      child.kill();
      return;
    }
    this.timers.push(clock.setTimeout(() => this.pollReady(gen, deadline), this.options.readyPollMs ?? 100));
  }

  private handleExit(gen: number, code: number): void {
    if (gen !== this.generation) return;
    this.child = null;
    this.generation += 1; // any pending poll for this child is now stale
    if (this.stopping !== null) {
      this.finishStop();
      return;
    }
    this.clearTimers();
    const ranFor = this.options.clock.now() - this.startedAt;
    if (ranFor >= this.policy.stableAfterMs) this.consecutiveCrashes = 0;
    this.consecutiveCrashes += 1;
    const reason = this.pendingReason ?? describeExit(code, this.stderrTail);
    if (code === EXIT_CODE_DO_NOT_RESTART || this.noRestart) {
      this.setStatus({ state: 'failed', reason: `${reason}. Restarting will not help until the cause is fixed.` });
      return;
    }
    if (this.consecutiveCrashes > this.policy.maxConsecutiveCrashes) {
      this.setStatus({ state: 'failed', reason: `Stopped restarting the agent after ${this.consecutiveCrashes} failures in a row. Last: ${reason}` });
      return;
    }
    const delay = restartDelayMs(this.consecutiveCrashes, this.policy);
    this.setStatus({ state: 'crashed', code, reason, restartInMs: delay, consecutiveCrashes: this.consecutiveCrashes });
    this.timers.push(this.options.clock.setTimeout(() => this.spawn(), delay));
  }

  private finishStop(): void {
    this.clearTimers();
    const resolve = this.resolveStop;
    this.resolveStop = null;
    if (resolve === null) return;
    const graceful = !this.forced;
    this.setStatus({ state: 'stopped', graceful });
    resolve({ graceful });
  }

  private clearTimers(): void {
    for (const timer of this.timers) this.options.clock.clearTimeout(timer);
    this.timers = [];
  }

  private setStatus(status: AgentStatus): void {
    this.current = status;
    this.options.onStatus(status);
  }
}
