import { describe, expect, it } from 'vitest';
import type { AgentInfo } from './agent-info.js';
import { AgentSupervisor, DEFAULT_BACKOFF, EXIT_CODE_DO_NOT_RESTART, restartDelayMs, SHUTDOWN_MESSAGE, type AgentStatus } from './agent-supervisor.js';
import { FakeFacade } from './test-support/fake-facade.js';
import { ManualClock } from './test-support/manual-clock.js';

function setup(options: { backoff?: Partial<typeof DEFAULT_BACKOFF>; uiUrl?: string } = {}) {
  const facade = new FakeFacade({ userData: '/nonexistent' });
  const clock = new ManualClock();
  const statuses: AgentStatus[] = [];
  let agentJson: AgentInfo | null = null;
  const forceKilled: number[] = [];
  const supervisor = new AgentSupervisor({
    fork: (m, a, s) => facade.forkUtility(m, a, s),
    entry: '/app/dist/main/cli.js',
    dataDir: '/data',
    webhookPort: 4780,
    controlPort: 4781,
    clock,
    onStatus: (s) => statuses.push(s),
    readAgentInfo: () => agentJson,
    forceKill: (pid) => forceKilled.push(pid),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
  });
  /** The current child spawns and writes agent.json, as the real agent does. */
  const agentComesUp = (): void => {
    const child = facade.lastChild;
    child.emitSpawn();
    agentJson = { pid: child.pid ?? -1, webhookPort: 4780, controlPort: 4781, uiUrl: options.uiUrl ?? 'http://127.0.0.1:4781/#token=t0k' };
    clock.advance(100);
  };
  const writeAgentJson = (info: AgentInfo): void => {
    agentJson = info;
  };
  return { facade, clock, statuses, supervisor, agentComesUp, writeAgentJson, forceKilled, last: () => statuses.at(-1) };
}

describe('restartDelayMs', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => restartDelayMs(n, DEFAULT_BACKOFF));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });
});

describe('AgentSupervisor', () => {
  it('forks the same CLI entry as npm start with the data dir and both ports', () => {
    const { facade, supervisor } = setup();
    supervisor.start();
    expect(facade.children).toHaveLength(1);
    expect(facade.lastChild.modulePath).toBe('/app/dist/main/cli.js');
    expect(facade.lastChild.args).toEqual(['start', '--data-dir', '/data', '--webhook-port', '4780', '--control-port', '4781']);
  });

  it('reports running only once agent.json carries the pid of the process it started (a stale file is ignored)', () => {
    const { facade, clock, supervisor, writeAgentJson, last } = setup();
    supervisor.start();
    const child = facade.lastChild;
    child.emitSpawn();
    writeAgentJson({ pid: 99_999, webhookPort: 4780, controlPort: 4781, uiUrl: 'http://127.0.0.1:4781/#token=old' });
    clock.advance(5_000);
    expect(last()?.state).toBe('starting');
    writeAgentJson({ pid: child.pid ?? -1, webhookPort: 4780, controlPort: 4781, uiUrl: 'http://127.0.0.1:4781/#token=new' });
    clock.advance(100);
    expect(last()).toMatchObject({ state: 'running', ui: { token: 'new' } });
  });

  it('becomes running with the parsed loopback UI and not flagged as a restart the first time', () => {
    const { supervisor, agentComesUp, last } = setup();
    supervisor.start();
    agentComesUp();
    expect(last()).toMatchObject({ state: 'running', restarted: false, ui: { origin: 'http://127.0.0.1:4781', token: 't0k' } });
  });

  it('restarts a crashed agent with exponential backoff, capped, and says why it stopped', () => {
    const { facade, clock, supervisor, agentComesUp, statuses } = setup({ backoff: { initialMs: 1_000, factor: 2, maxMs: 5_000 } });
    supervisor.start();
    agentComesUp();
    const delays: number[] = [];
    for (let crash = 1; crash <= 5; crash++) {
      facade.lastChild.emitStderr('Error: database is locked');
      facade.lastChild.emitExit(1);
      const status = statuses.at(-1);
      expect(status?.state).toBe('crashed');
      if (status?.state !== 'crashed') return;
      expect(status.reason).toBe('The agent stopped with exit code 1: Error: database is locked');
      delays.push(status.restartInMs);
      const forksBefore = facade.children.length;
      clock.advance(status.restartInMs - 1);
      expect(facade.children.length).toBe(forksBefore); // not before the delay
      clock.advance(1);
      expect(facade.children.length).toBe(forksBefore + 1);
      agentComesUp();
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('tells the next run it is a restart (the UI shows "restarted, reconciling")', () => {
    const { facade, clock, supervisor, agentComesUp, last } = setup();
    supervisor.start();
    agentComesUp();
    facade.lastChild.emitExit(134);
    clock.advance(1_000);
    agentComesUp();
    expect(last()).toMatchObject({ state: 'running', restarted: true });
  });

  it('resets the backoff after a run longer than stableAfterMs', () => {
    const { facade, clock, supervisor, agentComesUp, last } = setup({ backoff: { stableAfterMs: 60_000 } });
    supervisor.start();
    agentComesUp();
    facade.lastChild.emitExit(1);
    clock.advance(1_000);
    agentComesUp();
    facade.lastChild.emitExit(1);
    expect(last()).toMatchObject({ state: 'crashed', restartInMs: 2_000 });
    clock.advance(2_000);
    agentComesUp();
    clock.advance(61_000);
    facade.lastChild.emitExit(1);
    expect(last()).toMatchObject({ state: 'crashed', restartInMs: 1_000, consecutiveCrashes: 1 });
  });

  it('gives up after maxConsecutiveCrashes and keeps the last reason', () => {
    const { facade, clock, supervisor, last } = setup({ backoff: { maxConsecutiveCrashes: 3, initialMs: 10, maxMs: 10 } });
    supervisor.start();
    for (let i = 0; i < 4; i++) {
      facade.lastChild.emitSpawn();
      facade.lastChild.emitStderr('Config error: unknown field "foo"');
      facade.lastChild.emitExit(2);
      clock.advance(10);
    }
    expect(facade.children).toHaveLength(4);
    expect(last()).toEqual({
      state: 'failed',
      reason: 'Stopped restarting the agent after 4 failures in a row. Last: The agent stopped with exit code 2: Config error: unknown field "foo"',
    });
    clock.advance(1_000_000);
    expect(facade.children).toHaveLength(4);
  });

  it('does not restart when the agent exits with the do-not-restart code, and can be restarted by hand', () => {
    const { facade, clock, supervisor, agentComesUp, last } = setup();
    supervisor.start();
    facade.lastChild.emitSpawn();
    facade.lastChild.emitStderr('The data directory is in use by another agent (pid 77).');
    facade.lastChild.emitExit(EXIT_CODE_DO_NOT_RESTART);
    expect(last()?.state).toBe('failed');
    expect(last()).toMatchObject({ reason: expect.stringContaining('in use by another agent') });
    clock.advance(120_000);
    expect(facade.children).toHaveLength(1);
    supervisor.restartNow();
    expect(facade.children).toHaveLength(2);
    agentComesUp();
    expect(last()?.state).toBe('running');
  });

  it('kills and restarts an agent that never reports ready, naming agent.json as the reason', () => {
    const { facade, clock, supervisor, last } = setup();
    supervisor.start();
    facade.lastChild.emitSpawn();
    clock.advance(30_000);
    expect(facade.lastChild.kills).toBe(1);
    facade.lastChild.emitExit(15);
    expect(last()).toMatchObject({ state: 'crashed', reason: expect.stringContaining('/data/agent.json') });
  });

  it('refuses an agent.json whose UI URL is not on loopback and does not retry into it', () => {
    const { facade, clock, supervisor, agentComesUp, last } = setup({ uiUrl: 'https://evil.example/#token=x' });
    supervisor.start();
    agentComesUp();
    expect(facade.lastChild.kills).toBe(1);
    facade.lastChild.emitExit(15);
    expect(last()).toMatchObject({ state: 'failed', reason: expect.stringContaining('not on this machine') });
    clock.advance(600_000);
    expect(facade.children).toHaveLength(1);
  });

  it('on stop asks the agent to shut down by message and waits for it to exit', async () => {
    const { facade, supervisor, agentComesUp } = setup();
    supervisor.start();
    agentComesUp();
    const stopped = supervisor.stop();
    expect(facade.lastChild.messages).toEqual([SHUTDOWN_MESSAGE]);
    expect(facade.lastChild.kills).toBe(0);
    facade.lastChild.emitExit(0);
    await expect(stopped).resolves.toEqual({ graceful: true });
    expect(supervisor.status).toEqual({ state: 'stopped', graceful: true });
  });

  it('on stop escalates to SIGTERM after the timeout, then to a forced kill, and never restarts', async () => {
    const { facade, clock, supervisor, agentComesUp, forceKilled } = setup();
    supervisor.start();
    agentComesUp();
    const child = facade.lastChild;
    const pid = child.pid;
    const stopped = supervisor.stop();
    clock.advance(9_999);
    expect(child.kills).toBe(0);
    clock.advance(1);
    expect(child.kills).toBe(1);
    clock.advance(3_000);
    expect(forceKilled).toEqual([pid]);
    await expect(stopped).resolves.toEqual({ graceful: false });
    child.emitExit(137);
    clock.advance(600_000);
    expect(facade.children).toHaveLength(1);
  });

  it('stop during a restart wait cancels the restart', async () => {
    const { facade, clock, supervisor, agentComesUp } = setup();
    supervisor.start();
    agentComesUp();
    facade.lastChild.emitExit(1);
    await expect(supervisor.stop()).resolves.toEqual({ graceful: true });
    clock.advance(600_000);
    expect(facade.children).toHaveLength(1);
  });

  it('start() while running or waiting to restart does not fork a second agent', () => {
    const { facade, supervisor, agentComesUp } = setup();
    supervisor.start();
    supervisor.start();
    agentComesUp();
    supervisor.start();
    facade.lastChild.emitExit(1);
    supervisor.start();
    expect(facade.children).toHaveLength(1);
  });
});
