// The worker shares one event loop with the webhook listener. Paper-broker calls resolve at once, so without a
// pause a backlog of signals would be processed back to back in microtasks and no request could be read, let
// alone acknowledged, until it was all done. Each signal asks for a turn: within the current slice it goes on
// at once; past it, it waits for the next loop iteration (setImmediate), when pending I/O (new alerts, the
// inbox commit) has run first.
export class TimeSlice {
  private sliceStart = 0;
  private waiting: (() => void)[] = [];
  private scheduled = false;

  constructor(
    /** How long the worker may run before letting I/O in, in milliseconds. */
    private readonly budgetMs = 1,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Resolves when the caller may run: at once inside the current slice, else after pending I/O. */
  async turn(): Promise<void> {
    if (this.sliceStart === 0) this.sliceStart = this.clock();
    while (this.clock() - this.sliceStart >= this.budgetMs) {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        if (!this.scheduled) {
          this.scheduled = true;
          setImmediate(() => this.next());
        }
      });
    }
  }

  private next(): void {
    this.scheduled = false;
    this.sliceStart = this.clock();
    // Every waiter re-checks the budget when it resumes: those that find the slice used up queue again, in
    // the order they resumed, so the order of waiting is kept.
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
