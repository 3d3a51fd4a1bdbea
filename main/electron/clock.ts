// Timers go through this so the supervisor's backoff and stop timeouts are driven step by step in tests
// (no real waiting, no timed assertions).

export type TimerHandle = { readonly id: number };

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export function systemClock(): Clock {
  const live = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      live.set(
        id,
        setTimeout(() => {
          live.delete(id);
          fn();
        }, ms),
      );
      return { id };
    },
    clearTimeout(handle) {
      const timer = live.get(handle.id);
      if (timer !== undefined) clearTimeout(timer);
      live.delete(handle.id);
    },
  };
}
