// Desktop messages are delivered in-process, to a window in the agent's own process that subscribes. Nothing is
// queued: without a window there is nobody to show them to. The desktop app runs the agent in a process of its own
// and shows its notifications from the event stream instead (main/electron/notification-router.ts), following the
// same desktop channel settings (the `notification-settings` event).
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
