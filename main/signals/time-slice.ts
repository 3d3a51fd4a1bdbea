// The worker shares one event loop with the webhook listener (when it runs in-process) and with the control API.
// Paper-broker calls resolve at once, so without a pause a backlog of signals would be processed back to back in
// microtasks and no request could be read, let alone answered, until it was all done. Each signal asks for a turn:
// within the current slice it goes on at once; past it, it waits for the next turn of the loop, when pending I/O
// (new alerts, answers) has run first. Waiting signals start one per turn of the loop, in order, so the slice's
// budget holds however many are waiting: released together, each would find the slice unspent and all would run.
export class TimeSlice {
  private sliceStart = 0;
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  constructor(
    /** How long the worker may run before letting I/O in, in milliseconds. */
    private readonly budgetMs = 1,
    private readonly clock: () => number = () => performance.now(),
    /** How long to stay away once a slice is used up (0: only until pending I/O has run). */
    private readonly pauseMs: () => number = () => 0,
  ) {}

  /** Resolves when the caller may run: at once inside the current slice (and nobody waiting), else in turn. */
  turn(): Promise<void> {
    if (this.sliceStart === 0) this.begin();
    if (this.waiting.length === 0 && !this.spent()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /**
   * Starts a slice. It lasts until the loop turns: a signal that asks for a turn after pending I/O has run, while
   * nothing waits (the worker was idle), starts a new slice at once. Otherwise every alert arriving on its own would
   * find the previous alert's slice spent and wait one more turn of the loop for nothing.
   */
  private begin(): void {
    this.sliceStart = this.clock();
    setImmediate(() => {
      if (this.waiting.length === 0 && !this.scheduled) this.sliceStart = 0;
    });
  }

  private spent(): boolean {
    return this.clock() - this.sliceStart >= this.budgetMs;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const pause = this.spent() ? this.pauseMs() : 0;
    if (pause > 0) setTimeout(() => this.next(), pause);
    else setImmediate(() => this.next());
  }

  private next(): void {
    this.scheduled = false;
    if (this.spent()) this.begin(); // a new slice begins
    // One waiter at a time: the budget is checked again (schedule) only after its work, done in microtasks, ran.
    this.waiting.shift()?.();
    if (this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.schedule();
    });
  }
}
