// The last word of a running agent that meets an error nothing handled (an exception thrown from a callback, a
// promise rejected with no one to hear it). Its state is unknown then, so it does not go on: it says why it stops,
// in the log the trader reads (the desktop app's log view, <data-dir>/logs) and on stderr, scrubbed of secrets as
// every log line is, and exits with EX_SOFTWARE (70). Nothing acknowledged is lost: every alert answered 202 is on
// disk, and the next start resumes it. The desktop shell restarts the agent after such an exit; an alert that
// brings the agent down every time it is processed is set aside by the worker after a few starts (MAX_STARTS in
// signals/worker.ts), so a restart cannot loop on it forever.
import type { Logger } from './log.js';
import { scrubText } from './log.js';

/** sysexits EX_SOFTWARE: the agent stopped on an error of its own (the desktop shell restarts it). */
export const EXIT_INTERNAL_ERROR = 70;

export interface FatalDeps {
  /** The agent's log, once it has one (an error during start has none yet). */
  log: () => Pick<Logger, 'fatal'> | undefined;
  stderr: (text: string) => void;
  exit: (code: number) => void;
}

/** Tells why the agent stops, once, and exits. A second error while telling it still exits. */
export function fatalHandler(d: FatalDeps): (err: unknown, origin?: string) => void {
  let told = false;
  return (err, origin) => {
    if (told) return d.exit(EXIT_INTERNAL_ERROR);
    told = true;
    const what = origin === 'unhandledRejection' ? 'a promise rejected and not handled' : 'an error not handled';
    try {
      d.log()?.fatal({ err, origin }, `the agent stopped on ${what}; alerts already acknowledged are on disk and are processed at the next start`);
    } catch {
      // The log itself failed: stderr below still says it.
    }
    try {
      const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
      d.stderr(`viewzenix: the agent stopped on ${what}:\n${scrubText(text)}\n`);
    } catch {
      // Nowhere left to tell it.
    }
    d.exit(EXIT_INTERNAL_ERROR);
  };
}

/**
 * Installs the handler for this process, in place of Node's default (which prints the stack unscrubbed, to stderr
 * only, and exits 1). An unhandled rejection reaches it too (Node's default `--unhandled-rejections=throw`).
 */
export function exitOnUnexpectedError(log: () => Pick<Logger, 'fatal'> | undefined): void {
  process.on('uncaughtException', fatalHandler({ log, stderr: (t) => process.stderr.write(t), exit: (code) => process.exit(code) }));
}
