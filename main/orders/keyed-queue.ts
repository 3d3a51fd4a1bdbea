// Serial queues by key (account + symbol): work for one key runs strictly in arrival order, different keys
// run concurrently, and a failing task never blocks the ones after it.
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private active = 0;

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(async () => {
      this.active++;
      try {
        return await task();
      } finally {
        this.active--;
      }
    });
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when every queued task has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  get size(): number {
    return this.tails.size;
  }
}
