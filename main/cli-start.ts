// `viewzenix start` (and `npm start`): the agent in this process, stopped cleanly however it is asked to stop.
import { hostInUrl, resolveOptions, type StartFlags } from './config.js';
import { startAgent } from './agent.js';
import { exitOnUnexpectedError } from './fatal.js';
import { processAlive } from './data-dir.js';

/** How often --stop-with-parent looks whether the process that started the agent still runs. */
const PARENT_CHECK_MS = 500;

/** Calls `gone` once the process that started this one has ended (its pid no longer runs). */
function watchParent(gone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (processAlive(parent)) return;
    clearInterval(timer);
    gone();
  }, PARENT_CHECK_MS);
  timer.unref();
}

/** How long a stopped agent's process may take to exit by itself. */
const EXIT_GRACE_MS = 2_000;

/** `viewzenix start`: runs the agent until it is asked to stop (a signal, the desktop shell's message, or with
 *  --stop-with-parent the end of the process that started it). */
export async function startCommand(flags: StartFlags): Promise<number> {
  const options = resolveOptions(flags);
  // A stop is heard from the first moment: one asked while the agent starts (agent.json is written before it has
  // finished starting) stops it cleanly once it has started, instead of cutting it off mid-start.
  let asked: string | undefined;
  let stop: (why: string) => void = (why) => {
    if (asked !== undefined) process.exit(1); // asked twice: quit at once
    asked = why;
    process.stderr.write('viewzenix: stopping as soon as the agent has started (press Ctrl+C again to quit at once).\n');
  };
  // SIGHUP: the terminal the agent was started from was closed. Stopped as cleanly as on Ctrl+C, not cut off.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  // `npm start` runs the agent under a shell: npm passes SIGTERM (a supervisor's or a test's stop) to that shell only,
  // which ends without passing it on. With --stop-with-parent the agent stops as cleanly once that shell is gone.
  // A stop already asked (Ctrl+C reaches npm's whole process group, and the shell then ends too) is not asked again:
  // during start a second ask would quit at once, without the clean stop.
  if (flags['stop-with-parent']) watchParent(() => asked === undefined && stop('parent exited'));
  // Inside Electron's utilityProcess the shell asks for a graceful stop with a message.
  const parentPort = (process as unknown as { parentPort?: { on(e: string, f: (m: { data: unknown }) => void): void } }).parentPort;
  parentPort?.on('message', (m) => {
    const type = (m.data as { type?: string } | undefined)?.type;
    if (type === 'shutdown' || type === 'stop') stop('parent');
  });
  // An error nothing handled is told in the agent's log once it has one (fatal.ts).
  const started: { agent?: Awaited<ReturnType<typeof startAgent>> } = {};
  exitOnUnexpectedError(() => started.agent?.log);
  const agent = await startAgent(options);
  started.agent = agent;
  const quiet = options.console === 'silent';
  if (!quiet) {
    const lines = [
      '',
      'Viewzenix agent is running (paper broker by default; no money at risk).',
      `  UI:            ${agent.info.uiUrl}`,
      `  Webhook:       http://${hostInUrl(options.webhookHost)}:${agent.info.webhookPort} (point your tunnel here)`,
      `  Data:          ${options.dataDir}`,
    ];
    if (agent.demoWebhookUrl) {
      lines.push(
        `  Demo webhook:  ${agent.demoWebhookUrl}`,
        '',
        'Try it:',
        `  curl -X POST ${agent.demoWebhookUrl} -H 'content-type: application/json' -d '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}'`,
      );
    }
    lines.push('', 'Press Ctrl+C to stop.', '');
    process.stdout.write(lines.join('\n'));
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      agent.log.info({ signal }, 'shutting down');
      agent.stop().then(resolve, (err: unknown) => {
        process.stderr.write(`Error while stopping: ${(err as Error).message}\n`);
        resolve();
      });
    };
    stop = shutdown;
    if (asked !== undefined) shutdown(asked);
  });
  // A part of the stop that did not finish in time (agent.ts) may have left something running (a thread, a socket,
  // a timer): it must not keep the process alive. This timer does not either: a process with nothing left exits now.
  setTimeout(() => {
    process.stderr.write(`viewzenix: something was still running ${EXIT_GRACE_MS / 1000} s after the agent stopped; exiting.\n`);
    process.exit();
  }, EXIT_GRACE_MS).unref();
  return 0;
}
