// Desktop notifications are delivered in-process: the Electron shell (main/electron/) subscribes and shows
// them with its Notification API. Nothing is queued: without a window there is nobody to show them to.
import type { NotifyMessage } from './types.js';

export class DesktopHook {
  private readonly listeners = new Set<(m: NotifyMessage) => void>();

  /** The shell's listener; returns an unsubscribe function. */
  subscribe(listener: (m: NotifyMessage) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get attached(): boolean {
    return this.listeners.size > 0;
  }

  deliver(m: NotifyMessage): number {
    let n = 0;
    for (const l of this.listeners) {
      try {
        l(m);
        n++;
      } catch {
        // a failing window must not stop the other listeners or the agent
      }
    }
    return n;
  }
}
