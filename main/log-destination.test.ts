import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResilientDestination, type TransportStream } from './log-destination.js';

class FakeTransport extends EventEmitter implements TransportStream {
  readonly lines: string[] = [];
  write(chunk: string): boolean {
    this.lines.push(chunk);
    return true;
  }
  flush(cb: (err?: Error) => void): void {
    cb();
  }
}

describe('the log destination when the log files cannot be written', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tells it once, sends the lines to the fallback meanwhile, tries a new transport every retryMs, and tells the return', () => {
    const opened: FakeTransport[] = [];
    const notices: string[] = [];
    const fallback: string[] = [];
    const d = new ResilientDestination(
      () => {
        const t = new FakeTransport();
        opened.push(t);
        return t;
      },
      { retryMs: 1000, notice: (l) => notices.push(l), fallback: (c) => fallback.push(c) },
    );
    d.write('a\n');
    expect(opened[0]!.lines).toEqual(['a\n']);

    opened[0]!.emit('error', new Error('ENOSPC: no space left on device, write'));
    d.write('b\n');
    d.write('c\n');
    expect(fallback).toEqual(['b\n', 'c\n']);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('ENOSPC: no space left on device');
    expect(notices[0]).toContain('keeps running');
    let flushed = false;
    d.flush(() => (flushed = true)); // nothing to flush: answered at once
    expect(flushed).toBe(true);

    vi.advanceTimersByTime(1000); // a new transport; the disk is still full
    expect(opened).toHaveLength(2);
    opened[1]!.emit('error', new Error('ENOSPC: no space left on device, write'));
    opened[0]!.emit('error', new Error('a late error of the first one')); // given up already: nothing happens
    expect(notices).toHaveLength(1); // the same outage: not told again
    d.write('d\n');

    vi.advanceTimersByTime(1000);
    expect(opened).toHaveLength(3);
    d.write('e\n');
    expect(opened[2]!.lines).toEqual(['e\n']);
    vi.advanceTimersByTime(1000); // a retry period without a failure: written again
    expect(notices[1]).toBe('The log files are written again; lines not written to them meanwhile: 3.');

    opened[2]!.emit('error', new Error('EIO: i/o error, write')); // a new outage is told again
    expect(notices).toHaveLength(3);
    expect(notices[2]).toContain('EIO');
  });

  it('without a fallback (a silent terminal) the lines are only counted', () => {
    const opened: FakeTransport[] = [];
    const notices: string[] = [];
    const d = new ResilientDestination(
      () => {
        const t = new FakeTransport();
        opened.push(t);
        return t;
      },
      { retryMs: 500, notice: (l) => notices.push(l) },
    );
    opened[0]!.emit('error', new Error('ENOSPC'));
    expect(d.write('x\n')).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(notices).toEqual([expect.stringContaining('ENOSPC'), 'The log files are written again; lines not written to them meanwhile: 1.']);
  });

  it('a transport that cannot even be started is tried again later', () => {
    let fail = true;
    const opened: FakeTransport[] = [];
    const notices: string[] = [];
    const d = new ResilientDestination(
      () => {
        if (opened.length > 0 && fail) throw new Error('cannot start');
        const t = new FakeTransport();
        opened.push(t);
        return t;
      },
      { retryMs: 100, notice: (l) => notices.push(l) },
    );
    opened[0]!.emit('error', new Error('ENOSPC'));
    vi.advanceTimersByTime(350); // three attempts that throw
    expect(opened).toHaveLength(1);
    fail = false;
    vi.advanceTimersByTime(100);
    expect(opened).toHaveLength(2);
    d.write('y\n');
    expect(opened[1]!.lines).toEqual(['y\n']);
  });
});
