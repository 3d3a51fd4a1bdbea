// Where log lines go: the transport's thread (the rotated files in <data-dir>/logs, and the terminal), kept from
// ending the agent when it fails. A full disk makes the file writer fail (ENOSPC); the transport then emits an
// `error` that, unheard, would stop the process: the agent would stop taking alerts because it could not write a log
// line. Instead the trader is told once on stderr, the lines are written to stderr meanwhile (unless the terminal is
// silent), and a new transport is tried every `retryMs` until the files can be written again.
import type { EventEmitter } from 'node:events';

/** What a pino transport (thread-stream) offers that is used here. */
export interface TransportStream extends EventEmitter {
  write(chunk: string): boolean;
  flush(cb: (err?: Error) => void): void;
}

export interface DestinationOptions {
  /** How long after a failure a new transport is tried. */
  retryMs: number;
  /** Told what happened, in one line each: the failure, and the return. */
  notice: (line: string) => void;
  /** Where lines go while no transport works (undefined: nowhere). */
  fallback?: (chunk: string) => void;
}

export class ResilientDestination {
  private stream: TransportStream | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** Lines not written to the logs since the last failure that was told. */
  private lost = 0;
  /** A failure was told and the logs have not been seen working since. */
  private failing = false;
  private healthy: NodeJS.Timeout | undefined;

  constructor(
    private readonly open: () => TransportStream,
    private readonly o: DestinationOptions,
  ) {
    this.stream = this.start();
  }

  private start(): TransportStream {
    const stream = this.open();
    stream.on('error', (err: Error) => this.failed(stream, err));
    return stream;
  }

  private failed(stream: TransportStream, err: Error): void {
    if (this.stream !== stream) return; // a transport given up already
    this.stream = undefined;
    clearTimeout(this.healthy);
    if (!this.failing) {
      this.failing = true;
      this.o.notice(
        `The log files could not be written (${err.message}); the agent keeps running and taking alerts. ` +
          `Free some disk space: logging to files resumes by itself (tried every ${Math.round(this.o.retryMs / 1000)} s).`,
      );
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      try {
        this.stream = this.start();
      } catch {
        this.scheduleRetry();
        return;
      }
      // Seen working once a retry period passes without a failure: the next failure is told again.
      clearTimeout(this.healthy);
      this.healthy = setTimeout(() => this.recovered(), this.o.retryMs);
      this.healthy.unref();
    }, this.o.retryMs);
    this.retry.unref();
  }

  private recovered(): void {
    if (!this.failing || this.stream === undefined) return;
    this.failing = false;
    this.o.notice(`The log files are written again; lines not written to them meanwhile: ${this.lost}.`);
    this.lost = 0;
  }

  write(chunk: string): boolean {
    if (this.stream) return this.stream.write(chunk);
    this.lost++;
    this.o.fallback?.(chunk);
    return true;
  }

  flush(cb: (err?: Error) => void): void {
    if (this.stream) this.stream.flush(cb);
    else cb();
  }
}
