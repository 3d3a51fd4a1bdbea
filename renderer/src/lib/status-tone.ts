// Order / signal / tunnel / trading state as a coloured word: the word carries the meaning, colour only helps.
// Plain data, so the entry script's early rows (early-orders.ts) colour a status exactly as the React pill does.
const TONE: Record<string, string> = {
  filled: 'good', done: 'good', up: 'good', active: 'good', connected: 'good', set: 'good', on: 'good', ready: 'good',
  accepted: 'info', submitting: 'info', created: 'info', queued: 'info', processing: 'info', starting: 'info', partially_filled: 'info', cancel_pending: 'info',
  reducing: 'warn', degraded: 'warn', unknown: 'warn', denied: 'warn', expired: 'warn', canceled: 'muted', stopped: 'muted', 'not set': 'muted', off: 'muted', 'not ready': 'warn',
  rejected: 'bad', failed: 'bad', halted: 'bad', down: 'bad', error: 'bad', disconnected: 'bad',
};

/** The pill's class names for a state. */
export function pillClass(value: string): string {
  return `pill ${TONE[value] ?? 'muted'}`;
}

/** The state as words (partially_filled → partially filled). */
export function stateLabel(value: string): string {
  return value.replace(/_/g, ' ');
}
