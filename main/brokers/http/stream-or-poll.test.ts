// The stream-or-poll switch behind the Alpaca and OANDA order updates, on fake timers and a fake stream: it polls
// only while the stream is down and someone wants updates, catches up once after each connect, never runs two polls
// at once, survives a failing poll, and stops (and restarts) cleanly. Every test but the listener one has a listener.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamOrPoll, type StoppableStream } from './stream-or-poll.js';
import { UpdateHub } from './update-filter.js';

const INTERVAL = 100;

class FakeStream implements StoppableStream {
  stops = 0;
  constructor(readonly connected: (up: boolean) => void) {}
  stop(): void {
    this.stops++;
  }
}

function setup(poll: () => Promise<void> = () => Promise.resolve(), options: { listener?: boolean } = {}) {
  let ready = true;
  const pollSpy = vi.fn(poll);
  const hub = new UpdateHub();
  if (options.listener ?? true) hub.add(() => undefined);
  const feed = new StreamOrPoll<FakeStream>({ hub, pollIntervalMs: INTERVAL, poll: pollSpy, ready: () => ready });
  return {
    feed,
    hub,
    poll: pollSpy,
    setReady: (r: boolean) => {
      ready = r;
    },
    open: () => feed.use((onConnected) => new FakeStream(onConnected)),
  };
}

describe('StreamOrPoll', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('without a stream, polls once per interval from ensurePolling on, and a second ensurePolling adds no timer', async () => {
    const { feed, poll } = setup();
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(poll).not.toHaveBeenCalled();
    feed.ensurePolling();
    feed.ensurePolling();
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(poll).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(poll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    expect(poll).toHaveBeenCalledTimes(3);
    expect(vi.getTimerCount()).toBe(1);
    feed.stop();
  });

  it('starts no timer while the adapter is not ready, and skips the ticks during which it is not', async () => {
    const { feed, poll, setReady } = setup();
    setReady(false);
    feed.ensurePolling();
    expect(vi.getTimerCount()).toBe(0);
    setReady(true);
    feed.ensurePolling();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(poll).toHaveBeenCalledTimes(1);
    setReady(false);
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    expect(poll).toHaveBeenCalledTimes(1);
    setReady(true);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(poll).toHaveBeenCalledTimes(2);
    feed.stop();
  });

  it('polls only while someone listens: the first listener starts the timer, none left skips the ticks', async () => {
    const { feed, hub, poll } = setup(undefined, { listener: false });
    feed.ensurePolling();
    expect(vi.getTimerCount()).toBe(0);
    const off = feed.add(() => undefined);
    expect(hub.size).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(poll).toHaveBeenCalledTimes(1);
    const second = feed.add(() => undefined);
    expect(vi.getTimerCount()).toBe(1);
    off();
    second();
    expect(hub.size).toBe(0);
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(poll).toHaveBeenCalledTimes(1);
    feed.stop();
  });

  it('catches up once when the stream connects, stays quiet while it is up, polls again once it drops', async () => {
    const { feed, poll, open } = setup();
    const stream = open();
    expect(feed.stream).toBe(stream);
    feed.ensurePolling();
    expect(feed.up).toBe(false);

    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(poll).toHaveBeenCalledTimes(1); // down: the tick polls

    stream.connected(true);
    expect(feed.up).toBe(true);
    expect(poll).toHaveBeenCalledTimes(2); // the gap, at once
    await vi.advanceTimersByTimeAsync(0);
    stream.connected(true); // already up: no second catch-up
    expect(poll).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(poll).toHaveBeenCalledTimes(2); // up: the ticks do not poll

    stream.connected(false);
    expect(feed.up).toBe(false);
    expect(poll).toHaveBeenCalledTimes(2); // losing the stream polls at the next tick, not at once
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(poll).toHaveBeenCalledTimes(3);

    stream.connected(true); // a reconnect catches up again
    expect(poll).toHaveBeenCalledTimes(4);
    feed.stop();
  });

  it('the catch-up on connect is skipped while the adapter is not ready', () => {
    const { feed, poll, open, setReady } = setup();
    const stream = open();
    setReady(false);
    stream.connected(true);
    expect(feed.up).toBe(true);
    expect(poll).not.toHaveBeenCalled();
    feed.stop();
  });

  it('never runs two polls at once: ticks and a connect during a slow poll start none', async () => {
    let finish: () => void = () => undefined;
    const { feed, poll, open } = setup(() => new Promise<void>((resolve) => (finish = resolve)));
    const stream = open();
    feed.ensurePolling();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(poll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    stream.connected(true);
    stream.connected(false);
    expect(poll).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(poll).toHaveBeenCalledTimes(2);
    feed.stop();
  });

  it('a poll that fails is swallowed and the next tick polls again', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      let calls = 0;
      const { feed, poll } = setup(() => (++calls === 1 ? Promise.reject(new Error('broker down')) : Promise.resolve()));
      feed.ensurePolling();
      await vi.advanceTimersByTimeAsync(INTERVAL);
      expect(poll).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(INTERVAL);
      expect(poll).toHaveBeenCalledTimes(2);
      feed.stop();
      vi.useRealTimers();
      await new Promise((resolve) => setImmediate(resolve)); // let Node report an unhandled rejection, if any
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toEqual([]);
  });

  it('stop stops the stream before the timer, forgets the stream, marks it down, and no poll follows', async () => {
    const { feed, poll, open } = setup();
    const stream = open();
    feed.ensurePolling();
    stream.connected(true);
    expect(poll).toHaveBeenCalledTimes(1);
    const order: string[] = [];
    vi.spyOn(stream, 'stop').mockImplementation(() => void order.push('stream'));
    const clear = globalThis.clearInterval;
    vi.spyOn(globalThis, 'clearInterval').mockImplementation((t) => {
      order.push('timer');
      clear(t);
    });

    feed.stop();
    expect(order).toEqual(['stream', 'timer']);
    expect(feed.stream).toBeUndefined();
    expect(feed.up).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);
    expect(poll).toHaveBeenCalledTimes(1);
    feed.stop(); // twice is harmless
  });

  it('restarts after stop: a new stream and a new timer work as the first ones did', async () => {
    const { feed, poll, open } = setup();
    const first = open();
    feed.ensurePolling();
    first.connected(true);
    feed.stop();
    expect(first.stops).toBe(1);
    const pollsBefore = poll.mock.calls.length;

    const second = open();
    expect(second).not.toBe(first);
    feed.ensurePolling();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(poll).toHaveBeenCalledTimes(pollsBefore + 1); // down after the restart: the tick polls
    second.connected(true);
    expect(poll).toHaveBeenCalledTimes(pollsBefore + 2);
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    expect(poll).toHaveBeenCalledTimes(pollsBefore + 2);
    feed.stop();
    expect(second.stops).toBe(1);
    expect(first.stops).toBe(1);
  });

  it('dropStream stops and forgets the stream alone: polling goes on', async () => {
    const { feed, poll, open } = setup();
    const stream = open();
    feed.ensurePolling();
    feed.dropStream();
    expect(stream.stops).toBe(1);
    expect(feed.stream).toBeUndefined();
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    expect(poll).toHaveBeenCalledTimes(2);
    feed.stop();
    expect(stream.stops).toBe(1);
  });
});

describe('StreamOrPoll timer', () => {
  it('never keeps the process alive (unref)', () => {
    const timers: NodeJS.Timeout[] = [];
    const set = globalThis.setInterval;
    const spy = vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms: number) => {
      const t = set(fn, ms);
      timers.push(t);
      return t;
    }) as typeof setInterval);
    try {
      const feed = new StreamOrPoll({ hub: new UpdateHub(), pollIntervalMs: 60_000, poll: () => Promise.resolve() });
      feed.add(() => undefined);
      expect(timers).toHaveLength(1);
      expect(timers[0]?.hasRef()).toBe(false);
      feed.stop();
    } finally {
      spy.mockRestore();
    }
  });
});
