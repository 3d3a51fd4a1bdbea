// Priority for the inbox's commits. The webhook thread and the order pipeline write the same database through
// two connections, and SQLite's write lock is first come, first served: a pipeline working through a backlog
// takes it again microseconds after releasing it, and an alert's commit (which its 202 waits for) could wait
// behind hundreds of pipeline transactions. With the gate, the inbox announces that it wants the lock, and the
// pipeline does not begin another write until that commit is done (bounded, so the pipeline never stalls).
// Shared memory between the threads: one counter of waiting priority writers.

export class WriteGate {
  readonly cells: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.cells = new Int32Array(buffer);
  }

  get buffer(): SharedArrayBuffer {
    return this.cells.buffer as SharedArrayBuffer;
  }

  /** The priority writer wants the lock (call release() once its commit is done or given up). */
  claim(): void {
    Atomics.add(this.cells, 0, 1);
  }

  release(): void {
    Atomics.sub(this.cells, 0, 1);
    Atomics.notify(this.cells, 0);
  }

  /** The priority writer is gone (its thread ended): nothing waits any more, whatever it had claimed. */
  reset(): void {
    Atomics.store(this.cells, 0, 0);
    Atomics.notify(this.cells, 0);
  }

  /** Whether a priority writer is waiting. */
  claimed(): boolean {
    return Atomics.load(this.cells, 0) > 0;
  }

  /** Blocks (at most maxMs) while a priority writer waits; returns at once when none does. */
  yield(maxMs: number): void {
    const deadline = Date.now() + maxMs;
    for (let v = Atomics.load(this.cells, 0); v > 0; v = Atomics.load(this.cells, 0)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(this.cells, 0, v, left);
    }
  }
}
