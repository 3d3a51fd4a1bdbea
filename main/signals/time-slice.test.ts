import { afterEach, describe, expect, it, vi } from 'vitest';
import { TimeSlice } from './time-slice.js';

const loop = () => new Promise<void>((r) => setImmediate(r));

describe('time slices for the worker', () => {
  it('within the budget a turn is given at once; past it, waiting signals start one per turn of the loop, in order', async () => {
    let now = 1000;
    const slice = new TimeSlice(1, () => now);
    await slice.turn(); // inside the first slice
    now += 1; // the slice is spent
    const started: number[] = [];
    const turns = [1, 2, 3].map((i) =>
      slice.turn().then(() => {
        started.push(i);
        now += 2; // each signal's work spends a whole slice
      }),
    );
    expect(started).toEqual([]);
    await loop();
    await loop();
    expect(started).toEqual([1]); // the others did not all start together on a fresh slice
    await Promise.all(turns);
    expect(started).toEqual([1, 2, 3]);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('while the pause says so, a spent slice is followed by that pause before the next signal', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate'] });
    let now = 1000;
    let storm = true;
    const slice = new TimeSlice(1, () => now, () => (storm ? 30 : 0));
    await slice.turn();
    now += 5; // spent
    let went = false;
    const during = slice.turn().then(() => (went = true));
    await vi.advanceTimersByTimeAsync(29);
    expect(went).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await during;
    expect(went).toBe(true);
    // Out of the storm, a spent slice waits only for pending I/O (the next turn of the loop).
    storm = false;
    now += 5;
    let next = false;
    const after = slice.turn().then(() => (next = true));
    await vi.advanceTimersByTimeAsync(0);
    await after;
    expect(next).toBe(true);
  });

  it('a signal that comes after the loop has turned, with none waiting, starts at once on a new slice', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate'] });
    let now = 1000;
    const slice = new TimeSlice(1, () => now);
    await slice.turn();
    now += 10; // the slice's budget is long spent...
    let inSameTask = false;
    const sameTask = slice.turn().then(() => (inSameTask = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(inSameTask).toBe(false); // ...and without a turn of the loop, the next signal waits for one
    await vi.advanceTimersByTimeAsync(0);
    await sameTask;
    // The loop has turned (pending I/O ran) and nothing waits: the worker was idle, so no further wait.
    await vi.runOnlyPendingTimersAsync();
    now += 10;
    let went = false;
    void slice.turn().then(() => (went = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(went).toBe(true);
  });
});
