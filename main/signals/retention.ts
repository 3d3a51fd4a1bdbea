// Rejected alerts from a valid webhook are kept so the trader can see why they failed, but bounded by age and
// count, so a flood of bad alerts (a leaked URL) cannot fill the disk.
import type { SignalRepo } from '../store/signals.js';
import type { Logger } from '../log.js';

export interface RetentionOptions {
  maxAgeDays: number;
  maxRows: number;
  everyMs: number;
}

export const DEFAULT_RETENTION: RetentionOptions = { maxAgeDays: 30, maxRows: 10_000, everyMs: 10 * 60_000 };

export function pruneRejectedOnce(repo: SignalRepo, o: RetentionOptions, now = new Date()): number {
  return repo.pruneRejected(new Date(now.getTime() - o.maxAgeDays * 86_400_000).toISOString(), o.maxRows);
}

export function startRetention(repo: SignalRepo, log: Logger, o: RetentionOptions = DEFAULT_RETENTION): () => void {
  const run = () => {
    try {
      const removed = pruneRejectedOnce(repo, o);
      if (removed > 0) log.info({ removed }, 'pruned old rejected alerts');
    } catch (err) {
      log.warn({ err }, 'pruning rejected alerts failed');
    }
  };
  run();
  const timer = setInterval(run, o.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
